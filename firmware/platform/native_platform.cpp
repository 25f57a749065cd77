#include "platform/native_platform.h"

#include <chrono>

namespace spindle::fw {

uint32_t NativePlatform::read_timer_us() {
  using namespace std::chrono;
  return static_cast<uint32_t>(duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
}

}  // namespace spindle::fw
