// Dopamine history: for each post neuron of a core, the ticks of its last
// kSize dopamine events and its dopamine level d right after each (s8.23,
// neuromodulation_fixed.h),
// in a ring, like the post-spike history (post_history.h). A neuromodulated
// row reads it at every pre spike: the level at the row's window start, and
// the events since.
//
// An event's level is the previous level decayed to its tick plus the
// event's amount (the tick's reward minus punishment input), saturated to
// the int32 range. A full ring overwrites its oldest entry; the entry
// overwritten last is kept (the boundary). A row needing an older entry
// counts it in the post history's missed() (the caller does).
#pragma once

#include <cstdint>

#include "synapse/plasticity/neuromodulation_fixed.h"

namespace spindle::fw::stdp {

// Dopamine events kept per post neuron: a power of two.
inline constexpr uint32_t kDopamineHistorySize = 16;

template <uint32_t kSize = kDopamineHistorySize>
class DopamineHistoryView {
  static_assert(kSize >= 1 && (kSize & (kSize - 1)) == 0, "history size is a power of two");

 public:
  static constexpr uint32_t kCapacity = kSize;
  static constexpr uint32_t kMask = kSize - 1;

  // 32-bit words per neuron: count, boundary tick and level, kSize ticks,
  // kSize levels.
  static constexpr uint32_t kWordsPerNeuron = 3 + 2 * kSize;
  static constexpr uint32_t words(uint32_t n_neurons) { return n_neurons * kWordsPerNeuron; }

  // Uses words(n_neurons) words from `storage` (zero: no events yet).
  void bind(uint32_t* storage, uint32_t n_neurons) {
    count_ = storage;
    boundary_tick_ = storage + n_neurons;
    boundary_level_ = reinterpret_cast<int32_t*>(storage + 2 * n_neurons);
    ticks_ = storage + 3 * n_neurons;
    levels_ = reinterpret_cast<int32_t*>(storage + (3 + kSize) * n_neurons);
    n_neurons_ = n_neurons;
  }
  uint32_t n_neurons() const { return n_neurons_; }

  // Neuron's dopamine changes by `amount` (s8.23) at tick; ticks of one
  // neuron never decrease (an event at the tick of the last one adds to it).
  // d_powers: the tau_d decay table. False if the level saturated (|d|
  // would reach 256): the caller counts it.
  bool add(uint32_t neuron, uint32_t tick, int32_t amount, const uint32_t* d_powers) {
    const uint32_t n = count_[neuron];
    uint32_t* const ticks = ticks_ + neuron * kSize;
    int32_t* const levels = levels_ + neuron * kSize;
    int64_t level = amount;
    if (n != 0) {
      const uint32_t last = (n - 1) & kMask;
      if (ticks[last] == tick) {
        level += levels[last];
        levels[last] = saturate_i32(level);
        return level == levels[last];
      }
      level += decay_signed(levels[last], decay_over(d_powers, tick - ticks[last]));
    }
    const uint32_t slot = n & kMask;
    if (n >= kSize) {
      boundary_tick_[neuron] = ticks[slot];
      boundary_level_[neuron] = levels[slot];
    }
    ticks[slot] = tick;
    levels[slot] = saturate_i32(level);
    count_[neuron] = n + 1;
    return level == levels[slot];
  }

  // Entry k of neuron, for k in [first(n), count(n)), is at slot k & kMask.
  uint32_t count(uint32_t neuron) const { return count_[neuron]; }
  uint32_t first(uint32_t neuron) const { return count_[neuron] > kSize ? count_[neuron] - kSize : 0u; }
  bool has_boundary(uint32_t neuron) const { return count_[neuron] > kSize; }
  const uint32_t* ticks(uint32_t neuron) const { return ticks_ + neuron * kSize; }
  const int32_t* levels(uint32_t neuron) const { return levels_ + neuron * kSize; }
  uint32_t boundary_tick(uint32_t neuron) const { return boundary_tick_[neuron]; }
  int32_t boundary_level(uint32_t neuron) const { return boundary_level_[neuron]; }

 private:
  uint32_t* count_ = nullptr;
  uint32_t* boundary_tick_ = nullptr;
  int32_t* boundary_level_ = nullptr;
  uint32_t* ticks_ = nullptr;  // [neuron * kSize + slot]
  int32_t* levels_ = nullptr;  // [neuron * kSize + slot]
  uint32_t n_neurons_ = 0;
};

// A history with its own words, for kNeurons neurons (tests).
template <uint32_t kNeurons, uint32_t kSize = kDopamineHistorySize>
class DopamineHistory : public DopamineHistoryView<kSize> {
 public:
  DopamineHistory() { this->bind(storage_, kNeurons); }
  DopamineHistory(const DopamineHistory&) = delete;
  DopamineHistory& operator=(const DopamineHistory&) = delete;

 private:
  uint32_t storage_[DopamineHistoryView<kSize>::words(kNeurons)] = {};
};

}  // namespace spindle::fw::stdp
