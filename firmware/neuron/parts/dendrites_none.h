// Dendrites: none, a point neuron. The slot where active dendrite segments
// (dendrite_segments.h) plug in: a part that reads its own synapse types
// (after the model's receptors) and returns a current into the soma and a
// drop of the soma's threshold for this step.
#pragma once

#include <cstdint>

#include "fixed/fixed_point.h"

namespace spindle::fw {

// What a dendrite part does to the soma in one step.
struct DendriteEffect {
  Accum current;         // added to the membrane's drive (nA, or mV per step for delta synapses)
  Accum threshold_drop;  // the soma fires when V + threshold_drop reaches its threshold
};

struct DendritesNone {
  static constexpr uint32_t kInputs = 0;  // synapse types the part reads
  struct Params {};
  struct State {};
  static constexpr bool params_ok(const Params&, uint32_t n_inputs) { return n_inputs == 0; }
  static DendriteEffect update(const Params&, State&, const Accum* /*input*/) { return {}; }
  // The segments that spiked in the last step, one bit each.
  static constexpr uint32_t spikes(const State&) { return 0; }
};

}  // namespace spindle::fw
