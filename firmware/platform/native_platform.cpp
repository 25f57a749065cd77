#include "platform/native_platform.h"

#include "platform/host_timer.h"

namespace spindle::fw {

// The first reading calibrates the TSC against steady_clock (~2 ms, once per
// process): taken here, when a core is created, not in a run's first tick.
NativePlatform::NativePlatform() : OutboxPlatform(outbox_storage_, kOutboxCapacity) { (void)host_timer_us(); }

uint32_t NativePlatform::read_timer_us() {
  if (handed_) {
    handed_ = false;
    return last_us_ = handed_us_;  // a tick that reads once hands on its start
  }
  return last_us_ = host_timer_us();
}

}  // namespace spindle::fw
