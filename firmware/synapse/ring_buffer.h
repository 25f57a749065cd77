// Delay ring buffer: input for each future tick, per synapse type and neuron.
// Layout [slot][type][neuron] with power-of-two sizes, so a synaptic word's
// low bits (index | type) are the column directly. Sums are unsigned 32-bit
// and saturating, which makes them independent of the order spikes arrive
// in; conversion to s16.15 (with the per-type shift) saturates on read.
#pragma once

#include <cstdint>

#include "fixed/fixed_point.h"
#include "config/limits.h"
#include "synapse/synaptic_word.h"

namespace spindle::fw {

class RingBuffer {
 public:
  // Returns false if slots x 2^type_bits x 2^index_bits exceeds the storage.
  bool configure(uint32_t slots, uint32_t type_bits, uint32_t index_bits);
  void clear();

  // Adds a weight at (tick + delay). tick is the tick the spike arrived after.
  void add(uint32_t tick, uint32_t delay, uint32_t type_index, uint32_t weight) {
    uint32_t& cell = words_[(((tick + delay) & slot_mask_) << column_bits_) | type_index];
    const uint32_t sum = cell + weight;
    // Saturating: an order-independent result for non-negative terms.
    cell = sum < cell ? UINT32_MAX : sum;
  }

  // add() for each word of a synaptic row, the hot loop of a core. A word's
  // delay|type|index bits (delay_type_index_mask) plus tick << column_bits is
  // ((tick + delay) << column_bits) | type_index modulo 2^32, and masking with
  // the ring's size keeps the slot bits: the same cell as add() with one add
  // and two ands instead of extracting the delay field.
  void add_row(uint32_t tick, const uint32_t* words, uint32_t count, uint32_t delay_type_index_mask) {
    const uint32_t base = tick << column_bits_;
    const uint32_t ring_mask = (slot_mask_ << column_bits_) | ((1u << column_bits_) - 1u);
    uint32_t* const ring = words_;
    auto add_word = [=](uint32_t word) {
      uint32_t& cell = ring[((word & delay_type_index_mask) + base) & ring_mask];
      const uint32_t sum = cell + (word >> SynapticWordLayout::kWeightShift);
      cell = sum < cell ? UINT32_MAX : sum;
    };
    // Two words per iteration: the loop's compare and branch were 2 of 13
    // instructions per synapse on Cortex-M4 (docs/performance.md).
    const uint32_t* w = words;
    for (const uint32_t* const pairs_end = words + (count & ~1u); w != pairs_end; w += 2) {
      add_word(w[0]);
      add_word(w[1]);
    }
    if (count & 1u) add_word(*w);
  }

  // The ring as one row of spikes arriving after tick sees it: add(dti, w)
  // is add(tick, delay, type_index, w) for a word's delay|type|index bits
  // dti (masked with delay_type_index_mask), computed as add_row does, so a
  // row's loop adds with one add, one and, and a saturating load-add-store,
  // the shift and masks taken once per row (the plastic rows' loop:
  // synapse/plasticity/plastic_row_rule.h).
  struct RowAdder {
    uint32_t* words;
    uint32_t base;  // tick << column_bits
    uint32_t mask;  // slot and column bits
    void add(uint32_t delay_type_index, uint32_t weight) const {
      uint32_t& cell = words[(delay_type_index + base) & mask];
      const uint32_t sum = cell + weight;
      cell = sum < cell ? UINT32_MAX : sum;
    }
  };
  RowAdder row_adder(uint32_t tick) {
    return {words_, tick << column_bits_, (slot_mask_ << column_bits_) | ((1u << column_bits_) - 1u)};
  }

  // Reads and clears the entry for this tick; counts saturated entries.
  uint32_t take(uint32_t tick, uint32_t type, uint32_t neuron) {
    uint32_t& cell = words_[((tick & slot_mask_) << column_bits_) | (type << index_bits_) | neuron];
    const uint32_t v = cell;
    cell = 0;
    if (v == UINT32_MAX) ++saturations_;
    return v;
  }

  // The contiguous inputs of one synapse type for this tick, indexed by
  // neuron: batch neuron updates read and clear them in place (take()
  // cell by cell), and report the saturated cells they saw.
  uint32_t* column(uint32_t tick, uint32_t type) {
    return words_ + (((tick & slot_mask_) << column_bits_) | (type << index_bits_));
  }
  void count_saturations(uint32_t n) { saturations_ += n; }

  uint32_t slots() const { return slot_mask_ + 1; }
  uint32_t saturations() const { return saturations_; }

 private:
  alignas(kBatchArrayAlign) uint32_t words_[kRingBufferWords] = {};
  uint32_t slot_mask_ = 0;
  uint32_t column_bits_ = 0;
  uint32_t index_bits_ = 0;
  uint32_t saturations_ = 0;
};

}  // namespace spindle::fw
