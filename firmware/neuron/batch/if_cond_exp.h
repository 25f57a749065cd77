// IF_cond_exp's batch: the image's blocks as they are, stepped 16 neurons at
// a time with AVX-512 where the host has it (parameters broadcast when the
// slice's are all equal), else neuron by neuron; the same bits and spike
// order either way (tests/firmware/if_cond_exp_batch_test.cpp).
#pragma once

#include "neuron/neuron_batch.h"

#if defined(__x86_64__)
#include "neuron/if_cond_exp_batch.h"
#endif

namespace spindle::fw {

template <>
struct NeuronBatch<IfCondExp> : StepEachNeuron<IfCondExp> {
  static uint32_t load(NeuronStore& s, const uint8_t* params, const uint8_t* states) {
    const uint32_t n = StepEachNeuron::load(s, params, states);
#if defined(__x86_64__)
    s.flags = params_uniform(reinterpret_cast<const Params*>(s.params), s.n) ? kUniform : 0;
#endif
    return n;
  }

  // The parameters may no longer all be equal.
  static void shift_threshold(NeuronStore& s, uint32_t n, Accum delta) {
    StepEachNeuron::shift_threshold(s, n, delta);
#if defined(__x86_64__)
    s.flags = params_uniform(reinterpret_cast<const Params*>(s.params), s.n) ? kUniform : 0;
#endif
  }

  static uint32_t update(NeuronStore& s, const TickInput& in, uint16_t* fired, uint32_t& saturated) {
#if defined(__x86_64__)
    if (if_cond_exp_avx512_available())
      return if_cond_exp_update_avx512(reinterpret_cast<const Params*>(s.params), reinterpret_cast<State*>(s.state),
                                       s.n, in.column[0], in.column[1], in.scale[0], in.scale[1], fired, saturated,
                                       (s.flags & kUniform) != 0);
#endif
    return StepEachNeuron::update(s, in, fired, saturated);
  }

 private:
  static constexpr uint32_t kUniform = 1;  // every neuron's parameters equal: broadcast, not gathered
};

}  // namespace spindle::fw
