// The hot loop of pair STDP with additive weight dependence on Cortex-M
// (Thumb-2): plastic_row_rule.h's hot_pass (a chunk of synapses whose post
// neuron's newest spike reached them at or before the row's window start:
// depression by that spike, then the ring buffer add) in hand-allocated
// registers. Compiled, the loop held 17 values in 14 registers and reloaded
// 9 of them for every synapse (49 instructions a synapse); here it keeps the
// 9 most used in registers and reloads 6 (39).
//
// Bit for bit the C++ loop's arithmetic (tests: the QEMU backend's plastic
// runs against native ones); it visits the chunk from its last synapse to
// its first, which changes nothing: each synapse's weight is its own, and the
// ring buffer's saturating sums of non-negative weights do not depend on the
// order of the adds. Only built for Thumb-2 targets.
#pragma once

#if defined(__thumb2__)

#include <cstdint>

namespace spindle::fw::stdp {

// The loop's constants, by value (the assembly reads them at these offsets).
struct AdditiveDepressionPass {
  uint32_t delay_shift;        // 0: control word >> delay_shift is the delay
  uint32_t window_begin;       // 4: the row's window start
  uint32_t* ring_words;        // 8: RingBuffer::RowAdder
  uint32_t ring_base;          // 12
  uint32_t ring_mask;          // 16
  uint32_t index_mask;         // 20: control word & index_mask is the post neuron
  uint32_t window;             // 24: arrival - window_begin
  uint32_t time_shift;         // 28: the tau- table's
  const uint16_t* minus_table; // 32: its kStdpLutSize values
  uint32_t a_minus;            // 36
  uint32_t w_min;              // 40
  uint8_t* later;              // 44: where the left synapses' indices go
};
static_assert(sizeof(AdditiveDepressionPass) == 48, "the assembly's offsets");

}  // namespace spindle::fw::stdp

// control/weights: the chunk's length (<= 256) entries; newest: the post
// history's Newest entries ({tick, trace}, 8 bytes each). Returns one past
// the last index written to pass->later.
extern "C" uint8_t* spindle_stdp_additive_depression_pass(const uint16_t* control, uint16_t* weights,
                                                          uint32_t length, const void* newest,
                                                          const spindle::fw::stdp::AdditiveDepressionPass* pass);

#endif  // __thumb2__
