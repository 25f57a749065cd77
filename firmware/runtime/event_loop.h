// The core's event loop on a board: timer ticks, received packets and host
// messages are queued by interrupt handlers (or by a polling driver) and
// dispatched here in order. The native engine drives Core directly with the
// same calls, so both see the same per-tick order.
#pragma once

#include <cstdint>

#include "fixed/fixed_point.h"
#include "runtime/core.h"

namespace spindle::fw {

enum class HostCommand : uint32_t {
  kRun = 1,   // arg: ticks to run (added to what is left, saturating)
  kStop = 2,  // finish now
};

struct HostMessage {
  HostCommand command;
  uint32_t arg;
};

class EventLoop {
 public:
  explicit EventLoop(Core& core) : core_(core) {}

  void on_host_message(const HostMessage& m) {
    switch (m.command) {
      case HostCommand::kRun: ticks_left_ = saturating_add_u32(ticks_left_, m.arg); break;
      case HostCommand::kStop: ticks_left_ = 0; break;
    }
  }
  void on_packet(const Packet& p) { core_.on_packet(p); }
  // Timer event: runs a tick if any are left to run. Returns whether it did.
  bool on_timer() {
    if (ticks_left_ == 0 || core_.state() != CoreState::kReady) return false;
    core_.tick();
    --ticks_left_;
    return true;
  }
  bool finished() const { return ticks_left_ == 0; }

 private:
  Core& core_;
  uint32_t ticks_left_ = 0;
};

}  // namespace spindle::fw
