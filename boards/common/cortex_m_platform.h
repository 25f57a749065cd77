// Platform for a core running on a Cortex-M board: the core image is in the
// board's flash or RAM, sent packets go to the outbox the board's loop drains
// (to the other cores of the self-test now, to the host link with the link
// protocol), and the timer is the board's microsecond counter.
#pragma once

#include <cstdint>

#include "board.h"
#include "platform/outbox_platform.h"

namespace spindle::board {

// Outbox per core: a core sends at most one packet per neuron per tick
// (sources up to kMaxSpikesPerSourcePerTick), drained every tick; sized for
// the boards' RAM rather than the worst case, overflow is counted.
inline constexpr uint32_t kCortexMOutboxCapacity = 1024;

class CortexMPlatform final : public fw::OutboxPlatform {
 public:
  CortexMPlatform() : OutboxPlatform(storage_, kCortexMOutboxCapacity) {}
  uint32_t read_timer_us() override { return timer_us(); }

 private:
  fw::Packet storage_[kCortexMOutboxCapacity];
};

}  // namespace spindle::board
