// A core the engine does not run itself: the same firmware in another
// process (an ARM image under QEMU, a board on a serial port), reached over
// the link protocol. The engine keeps it in lock-step with its native cores:
// in each tick it hands the core the packets routed to it in the previous
// tick, lets it run its timestep, and routes what it sent exactly like a
// native core's outbox, in the same slot order.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/platform.h"
#include "runtime/core.h"
#include "runtime/provenance.h"
#include "runtime/recording.h"

namespace spindle::emu {

class RemoteCore {
 public:
  virtual ~RemoteCore() = default;

  // Starts one tick: the core first takes `inbox` (the native engine's
  // delivery phase), then runs its timestep. Returns without waiting, so
  // remote cores tick while the native ones do.
  virtual void begin_tick(const std::vector<fw::Packet>& inbox) = 0;
  // Waits for the tick begun last and appends what the core sent and
  // recorded. Throws std::runtime_error naming the core and its last known
  // tick and provenance if it crashed, hung or the link failed.
  virtual void end_tick(std::vector<fw::Packet>& sent, std::vector<fw::SpikeRecord>& spikes,
                        std::vector<fw::StateRecord>& states) = 0;
  // Delivers an inbox without a timestep (the end of a run), so the core's
  // state and provenance match a native core's between runs.
  virtual void deliver(const std::vector<fw::Packet>& inbox) = 0;

  // As of the last completed exchange.
  virtual const fw::Provenance& provenance() const = 0;
  virtual fw::CoreState state() const = 0;
  // "QEMU mps2-an386 (pid 1234)", for reports and errors.
  virtual std::string describe() const = 0;

  // Applies the core's pending potentiation (Core::flush_plastic) and
  // returns its plastic matrix region (image region 7) as the core holds it,
  // in words, between ticks; provenance() then includes what the flush
  // counted (stdp_pairs_missed), as a native core's does. Throws
  // std::runtime_error naming the core if it cannot (no plastic synapses,
  // the link failed, or a remote core without a way to read them).
  virtual std::vector<uint32_t> read_plastic_matrix() {
    throw std::runtime_error(describe() + ": cannot read plastic weights back");
  }
  // Core::set_mode on the remote core, between ticks. Throws
  // std::runtime_error naming the core if it refuses or the link fails.
  virtual void set_mode(const fw::ModeChange& /*change*/) {
    throw std::runtime_error(describe() + ": cannot switch neuron modes");
  }
  // Core::set_learning_scale on the remote core, between ticks; throws as
  // set_mode.
  virtual void set_learning_scale(uint32_t /*scale*/) {
    throw std::runtime_error(describe() + ": cannot set a learning-rate scale");
  }
};

}  // namespace spindle::emu
