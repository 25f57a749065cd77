// IF_cond_exp's update in AVX-512 (F, DQ) for the native engine on x86-64
// hosts, 16 neurons a block, bit-identical to IfCondExp::step (every
// product, rounding and saturation; tests/firmware/if_cond_exp_batch_test.cpp).
// The core keeps its per-neuron parameter and state blocks (image format and
// recording unchanged): each block is read into registers, stepped and
// written back. Where the CPU lacks AVX-512 the core runs IfCondExp::step
// neuron by neuron. Not part of the ARM image.
#pragma once

#if defined(__x86_64__)
#include <cstdint>

#include "neuron/lif_curr_exp.h"
#include "neuron/models.h"

namespace spindle::fw {

inline constexpr uint32_t kIfCondExpBlock = 16;

// True if this CPU (and OS) can run the functions below.
inline bool if_cond_exp_avx512_available() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

// IfCondExp::step for neurons [0, n), n <= kIfCondExpBlock, with inputs
// (s16.15, any value) per neuron; returns the fired neurons as bits (bit j:
// neuron j).
uint32_t if_cond_exp_step_block_avx512(const IfCondExp::Params* params, IfCondExp::State* states, uint32_t n,
                                       const int32_t* in_exc, const int32_t* in_inh);

// One timestep of neurons [0, n): reads and clears their ring-buffer sums
// (RingBuffer::column), scales them as scale_pow2 does, steps every neuron,
// writes the indices of those that fired to `fired` in increasing order and
// returns how many; `saturated` counts input cells at UINT32_MAX. The same
// results as take() + scale_pow2 + IfCondExp::step neuron by neuron.
// `uniform`: every neuron's parameters equal params[0]'s (a homogeneous
// population's slice; params_uniform()); they are then broadcast from
// params[0] instead of gathered per block.
uint32_t if_cond_exp_update_avx512(const IfCondExp::Params* params, IfCondExp::State* states, uint32_t n,
                                   uint32_t* in_exc, uint32_t* in_inh, const RingInputScale& scale_exc,
                                   const RingInputScale& scale_inh, uint16_t* fired, uint32_t& saturated,
                                   bool uniform = false);

// True if the n parameter blocks are all equal (byte for byte).
bool params_uniform(const IfCondExp::Params* params, uint32_t n);

}  // namespace spindle::fw
#endif
