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
//
// PostHistoryView works on words it is given: a core binds it to the
// writable STDP region of its image (the host sizes it, words(n) per slice,
// so only plastic cores pay for it); PostHistory<kNeurons> owns its words
// (tests, benchmarks).
#pragma once

#include <cstdint>

#include "synapse/plasticity/stdp_fixed.h"

namespace spindle::fw::stdp {

// Entries kept per post neuron. 16 covers a 100 Hz neuron for 160 ms of a
// silent pre neuron (1 ms ticks); a power of two, so the ring index is a mask.
inline constexpr uint32_t kPostHistorySize = 16;

template <uint32_t kSize = kPostHistorySize>
class PostHistoryView {
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

  // 32-bit words per neuron: newest (2), previous tick, count, boundary tick
  // and trace (1 each), kSize ticks, kSize 16-bit traces.
  static constexpr uint32_t kWordsPerNeuron = 6 + kSize + (kSize + 1) / 2;
  static constexpr uint32_t words(uint32_t n_neurons) { return n_neurons * kWordsPerNeuron; }

  // Uses words(n_neurons) words from `storage` (zero: no spikes yet).
  void bind(uint32_t* storage, uint32_t n_neurons) {
    newest_ = reinterpret_cast<Newest*>(storage);
    previous_tick_ = storage + 2 * n_neurons;
    count_ = storage + 3 * n_neurons;
    boundary_tick_ = storage + 4 * n_neurons;
    boundary_trace_ = storage + 5 * n_neurons;
    ticks_ = storage + 6 * n_neurons;
    traces_ = reinterpret_cast<uint16_t*>(storage + (6 + kSize) * n_neurons);
    n_neurons_ = n_neurons;
    overwrites_ = missed_ = 0;
  }
  // Forgets every spike (the bound words back to zero).
  void clear() {
    uint32_t* const w = reinterpret_cast<uint32_t*>(newest_);
    for (uint32_t k = 0; k < words(n_neurons_); ++k) w[k] = 0;
    overwrites_ = missed_ = 0;
  }
  uint32_t n_neurons() const { return n_neurons_; }

  // Records a spike of neuron at tick; ticks of one neuron never decrease.
  // The trace right after it comes from the timing rule: decayed from the
  // previous spike by the tau- table, then + 1 (all-to-all) or set to 1
  // (nearest pair).
  template <typename Timing>
  void add_post_spike(uint32_t neuron, uint32_t tick, const Timing& timing) {
    const uint32_t n = count_[neuron];
    uint32_t* const ticks = ticks_ + neuron * kSize;
    uint16_t* const traces = traces_ + neuron * kSize;
    uint32_t trace;
    if (n == 0) {
      trace = timing.next_post_trace(0, 0);
    } else {
      const uint32_t last = (n - 1) & kMask;
      trace = timing.next_post_trace(traces[last], tick - ticks[last]);
    }
    const uint32_t slot = n & kMask;
    if (n >= kSize) {
      boundary_tick_[neuron] = ticks[slot];
      boundary_trace_[neuron] = traces[slot];
      ++overwrites_;
    }
    ticks[slot] = tick;
    traces[slot] = static_cast<uint16_t>(trace);
    count_[neuron] = n + 1;
    previous_tick_[neuron] = newest_[neuron].tick;
    newest_[neuron] = Newest{tick, trace};
  }

  // Spikes ever recorded for neuron (entry k, for k in [first(n), count(n)),
  // is at ring slot k & kMask).
  uint32_t count(uint32_t neuron) const { return count_[neuron]; }
  uint32_t first(uint32_t neuron) const { return count_[neuron] > kSize ? count_[neuron] - kSize : 0u; }
  bool has_boundary(uint32_t neuron) const { return count_[neuron] > kSize; }
  const uint32_t* ticks(uint32_t neuron) const { return ticks_ + neuron * kSize; }
  const uint16_t* traces(uint32_t neuron) const { return traces_ + neuron * kSize; }
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
  Newest* newest_ = nullptr;
  uint32_t* previous_tick_ = nullptr;
  uint32_t* count_ = nullptr;
  uint32_t* boundary_tick_ = nullptr;
  uint32_t* boundary_trace_ = nullptr;
  uint32_t* ticks_ = nullptr;   // [neuron * kSize + slot]
  uint16_t* traces_ = nullptr;  // [neuron * kSize + slot]
  uint32_t n_neurons_ = 0;
  uint32_t overwrites_ = 0;
  uint32_t missed_ = 0;
};

// A history with its own words, for kNeurons neurons.
template <uint32_t kNeurons, uint32_t kSize = kPostHistorySize>
class PostHistory : public PostHistoryView<kSize> {
 public:
  PostHistory() { this->bind(storage_, kNeurons); }
  PostHistory(const PostHistory&) = delete;
  PostHistory& operator=(const PostHistory&) = delete;

 private:
  uint32_t storage_[PostHistoryView<kSize>::words(kNeurons)] = {};
};

}  // namespace spindle::fw::stdp
