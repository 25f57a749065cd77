#include "platform/native_platform.h"

#include "platform/host_timer.h"

namespace spindle::fw {

uint32_t NativePlatform::read_timer_us() { return host_timer_us(); }

}  // namespace spindle::fw
