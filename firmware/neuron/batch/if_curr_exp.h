// IF_curr_exp's batch: the neurons folded at load into LifNeurons (records
// on Cortex-M4, struct-of-arrays with AVX2/AVX-512 loops on the host), kept
// in the core's parameter buffer; bit-identical to stepping
// IfCurrExp::step neuron by neuron (tests/firmware/lif_curr_exp_test.cpp).
#pragma once

#include <cstddef>

#include "neuron/lif_neurons.h"
#include "neuron/neuron_batch.h"

namespace spindle::fw {

template <>
struct NeuronBatch<IfCurrExp> {
  using Params = IfCurrExp::Params;
  using State = IfCurrExp::State;
  static_assert(sizeof(LifNeurons) <= kMaxNeuronsPerCore * kMaxNeuronParamWords * 4, "fits the parameter buffer");

  // The image's blocks are read in place (the region is 4-byte aligned and
  // holds only 32-bit fields). A neuron whose R init_E or R init_I is
  // 256 MOhm or more is refused, at its r_membrane.
  static uint32_t load(NeuronStore& s, const uint8_t* params, const uint8_t* states) {
    LifNeurons& l = lif(s);
    const uint32_t bad =
        l.load(reinterpret_cast<const Params*>(params), reinterpret_cast<const State*>(states), s.n);
    s.flags = bad == s.n && l.known_ranges(s.n) ? kRangesKnown : 0;
    return bad;
  }
  static constexpr uint32_t kRefusedField = offsetof(Params, membrane) + offsetof(MembraneLif::Params, r_membrane);

  static Accum voltage(const NeuronStore& s, uint32_t n) { return lif(s).voltage(n); }
  static Accum gsyn_exc(const NeuronStore& s, uint32_t n) { return lif(s).gsyn_exc(n); }
  static Accum gsyn_inh(const NeuronStore& s, uint32_t n) { return lif(s).gsyn_inh(n); }
  static Accum threshold(const NeuronStore& s, uint32_t n) { return lif(s).threshold(n); }

  static void shift_threshold(NeuronStore& s, uint32_t n, Accum delta) { lif(s).shift_threshold(n, delta, s.n); }

  static uint32_t update(NeuronStore& s, const TickInput& in, uint16_t* fired, uint32_t& saturated) {
    return lif(s).update(s.n, in.column[0], in.column[1], in.scale[0], in.scale[1], s.flags & kRangesKnown, fired,
                         saturated);
  }

 private:
  static constexpr uint32_t kRangesKnown = 1;  // every neuron within the plain-arithmetic bound
  static LifNeurons& lif(NeuronStore& s) { return *reinterpret_cast<LifNeurons*>(s.params); }
  static const LifNeurons& lif(const NeuronStore& s) { return *reinterpret_cast<const LifNeurons*>(s.params); }
};

}  // namespace spindle::fw
