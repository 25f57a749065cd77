// Platform for a core running natively (tests, the emulator's engine): the
// image is a host buffer, sent packets go to the outbox the caller drains,
// and the timer is the host clock (platform/host_timer.h).
#pragma once

#include <cstdint>

#include "platform/outbox_platform.h"

namespace spindle::fw {

class NativePlatform final : public OutboxPlatform {
 public:
  static constexpr uint32_t kOutboxCapacity = 4096;  // a 256-neuron Poisson core's worst tick

  NativePlatform();
  uint32_t read_timer_us() override;

 private:
  Packet outbox_storage_[kOutboxCapacity];
};

}  // namespace spindle::fw
