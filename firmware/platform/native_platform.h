// Platform for a core running natively (tests, the emulator's engine): the
// image is a host buffer, sent packets go to the outbox the caller drains,
// and the timer is the host clock (platform/host_timer.h).
#pragma once

#include <cstdint>

#include "platform/outbox_platform.h"

namespace spindle::fw {

class NativePlatform final : public OutboxPlatform {
 public:
  static constexpr uint32_t kOutboxCapacity = 4096;  // a Poisson core's worst tick (sources stay at 256 a core)

  NativePlatform();
  uint32_t read_timer_us() override;

  // The engine runs a thread's cores one after another and reads the clock
  // once at each boundary instead of each core reading it twice: the next
  // read_timer_us() (the tick's first) returns `us`, taken before this
  // core's packets were delivered, so its measured tick includes them, as
  // packet interrupts delay the hardware's timer handler.
  void start_tick_at(uint32_t us) {
    handed_us_ = us;
    handed_ = true;
  }
  // After the tick: its last clock reading, the next core's start (or
  // `us_if_none` when the tick read no clock, e.g. an unloaded core).
  uint32_t end_tick(uint32_t us_if_none) {
    const bool read = !handed_;
    handed_ = false;
    return read ? last_us_ : us_if_none;
  }

 private:
  Packet outbox_storage_[kOutboxCapacity];
  uint32_t handed_us_ = 0, last_us_ = 0;
  bool handed_ = false;
};

}  // namespace spindle::fw
