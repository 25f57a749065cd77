// Post-spike history: for each post neuron of a core, the ticks of its last
// kSize spikes and its post trace right after each (u4.11), in a ring. A
// plastic row reads it at every pre spike (deferred STDP, plastic_row_rule.h):
// the post spikes since the row's last pre spike, and the trace for depression.
//
// A full ring overwrites its oldest entry. The entry overwritten last is kept
// (the "boundary"): it is the latest spike before everything still in the
// ring, which is what depression needs when every kept spike is too recent.
// Spikes older than the boundary are gone; a row that still needed one counts
// it in missed() (never silent), and overwrites() counts every overwrite.
#pragma once

#include <cstdint>

#include "synapse/plasticity/stdp_fixed.h"

namespace spindle::fw::stdp {

// Entries kept per post neuron. 16 covers a 100 Hz neuron for 160 ms of a
// silent pre neuron (1 ms ticks); a power of two, so the ring index is a mask.
inline constexpr uint32_t kPostHistorySize = 16;

template <uint32_t kNeurons, uint32_t kSize = kPostHistorySize>
class PostHistory {
  static_assert(kSize >= 1 && (kSize & (kSize - 1)) == 0, "history size is a power of two");

 public:
  static constexpr uint32_t kCapacity = kSize;
  static constexpr uint32_t kMask = kSize - 1;

  // A neuron's newest spike, apart from the ring: the tick and the trace
  // right after it, 0 if it never fired (a real trace is >= kTraceOne). Most
  // synapses at a pre spike only need this one (the newest spike reached the
  // synapse before the row's window: depression by it, nothing else), and it
  // is one 8-byte load (LDRD) instead of the count, the slot, the tick and
  // the trace.
  struct Newest {
    uint32_t tick;
    uint32_t trace;
  };

  void clear() { *this = PostHistory{}; }

  // Records a spike of neuron at tick; ticks of one neuron never decrease.
  // The trace right after it comes from the timing rule: decayed from the
  // previous spike by the tau- table, then + 1 (all-to-all) or set to 1
  // (nearest pair).
  template <typename Timing>
  void add_post_spike(uint32_t neuron, uint32_t tick, const Timing& timing) {
    const uint32_t n = count_[neuron];
    uint32_t trace;
    if (n == 0) {
      trace = timing.next_post_trace(0, 0);
    } else {
      const uint32_t last = (n - 1) & kMask;
      trace = timing.next_post_trace(traces_[neuron][last], tick - ticks_[neuron][last]);
    }
    const uint32_t slot = n & kMask;
    if (n >= kSize) {
      boundary_tick_[neuron] = ticks_[neuron][slot];
      boundary_trace_[neuron] = traces_[neuron][slot];
      ++overwrites_;
    }
    ticks_[neuron][slot] = tick;
    traces_[neuron][slot] = static_cast<uint16_t>(trace);
    count_[neuron] = n + 1;
    previous_tick_[neuron] = newest_[neuron].tick;
    newest_[neuron] = Newest{tick, trace};
  }

  // Spikes ever recorded for neuron (entry k, for k in [first(n), count(n)),
  // is at ring slot k & kMask).
  uint32_t count(uint32_t neuron) const { return count_[neuron]; }
  uint32_t first(uint32_t neuron) const { return count_[neuron] > kSize ? count_[neuron] - kSize : 0u; }
  bool has_boundary(uint32_t neuron) const { return count_[neuron] > kSize; }
  const uint32_t* ticks(uint32_t neuron) const { return ticks_[neuron]; }
  const uint16_t* traces(uint32_t neuron) const { return traces_[neuron]; }
  uint32_t boundary_tick(uint32_t neuron) const { return boundary_tick_[neuron]; }
  uint32_t boundary_trace(uint32_t neuron) const { return boundary_trace_[neuron]; }
  const Newest& newest(uint32_t neuron) const { return newest_[neuron]; }
  // The tick of the spike before the newest (0 if it fired at most once):
  // with it a row sees, without searching the ring, that only the newest
  // spike is in its window (the common case when a post neuron fired since
  // the row's last pre spike).
  const uint32_t& previous_tick(uint32_t neuron) const { return previous_tick_[neuron]; }

  // Provenance.
  uint32_t overwrites() const { return overwrites_; }
  uint32_t missed() const { return missed_; }
  void count_missed() { ++missed_; }

 private:
  Newest newest_[kNeurons] = {};
  uint32_t previous_tick_[kNeurons] = {};
  uint32_t ticks_[kNeurons][kSize] = {};
  uint16_t traces_[kNeurons][kSize] = {};
  uint32_t count_[kNeurons] = {};
  uint32_t boundary_tick_[kNeurons] = {};
  uint16_t boundary_trace_[kNeurons] = {};
  uint32_t overwrites_ = 0;
  uint32_t missed_ = 0;
};

}  // namespace spindle::fw::stdp
