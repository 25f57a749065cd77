// The neuron models a core can run, each a few lines of parts. The model id
// is what a core image names; ids are part of the image format, never reused.
#pragma once

#include "neuron/neuron_model.h"
#include "neuron/parts/dendrite_segments.h"
#include "neuron/parts/extra_none.h"
#include "neuron/parts/input_conductance.h"
#include "neuron/parts/input_current.h"
#include "neuron/parts/membrane_izhikevich.h"
#include "neuron/parts/membrane_lif.h"
#include "neuron/parts/membrane_nonleaky.h"
#include "neuron/parts/synapse_delta.h"
#include "neuron/parts/synapse_exp.h"
#include "neuron/parts/threshold_adaptive.h"
#include "neuron/parts/threshold_static.h"
#include "config/limits.h"

namespace spindle::fw {

enum class ModelId : uint32_t {
  kNone = 0,
  kIfCurrExp = 1,       // PyNN IF_curr_exp
  kIfCondExp = 2,       // PyNN IF_cond_exp
  kIzhikevich = 3,      // PyNN Izhikevich (with exponential current synapses)
  kIfNonLeakyDelta = 4, // non-leaky IF, delta synapses, reset by subtraction (ANN units)
  kIfCurrExpAdaptive = 5,  // IF_curr_exp with an adaptive threshold and homeostasis
  kIfCondExpAdaptive = 6,  // IF_cond_exp with an adaptive threshold and homeostasis
  kIfCurrExpSegments = 7,  // IF_curr_exp with active dendrite segments
};

// Exponential current synapses keep their state x 2^8 (input_current.h: no
// rounding dead band), up to +-256 nA; Izhikevich's larger input units x 2^6.
using IfCurrExp = NeuronModel<SynapseExp, InputCurrentScaled<8>, MembraneLif, ThresholdStatic, ExtraNone>;
using IfCondExp = NeuronModel<SynapseExp, InputConductance, MembraneLif, ThresholdStatic, ExtraNone>;
using Izhikevich = NeuronModel<SynapseExp, InputCurrentScaled<6>, MembraneIzhikevich, ThresholdStatic, ExtraNone>;
using IfNonLeakyDelta = NeuronModel<SynapseDelta, InputCurrent, MembraneNonLeaky, ThresholdStatic, ExtraNone>;
using IfCurrExpAdaptive = NeuronModel<SynapseExp, InputCurrentScaled<8>, MembraneLif, ThresholdAdaptive, ExtraNone>;
using IfCondExpAdaptive = NeuronModel<SynapseExp, InputConductance, MembraneLif, ThresholdAdaptive, ExtraNone>;
using IfCurrExpSegments =
    NeuronModel<SynapseExp, InputCurrentScaled<8>, MembraneLif, ThresholdStatic, ExtraNone, DendriteSegments>;

// Calls f.template operator()<Model>() for the model with this id; returns
// false for an unknown id. The one place that lists every model.
template <class F>
bool visit_model(ModelId id, F&& f) {
  switch (id) {
    case ModelId::kIfCurrExp: f.template operator()<IfCurrExp>(); return true;
    case ModelId::kIfCondExp: f.template operator()<IfCondExp>(); return true;
    case ModelId::kIzhikevich: f.template operator()<Izhikevich>(); return true;
    case ModelId::kIfNonLeakyDelta: f.template operator()<IfNonLeakyDelta>(); return true;
    case ModelId::kIfCurrExpAdaptive: f.template operator()<IfCurrExpAdaptive>(); return true;
    case ModelId::kIfCondExpAdaptive: f.template operator()<IfCondExpAdaptive>(); return true;
    case ModelId::kIfCurrExpSegments: f.template operator()<IfCurrExpSegments>(); return true;
    case ModelId::kNone: break;
  }
  return false;
}

template <class Model>
constexpr bool model_fits() {
  return sizeof(typename Model::Params) % 4 == 0 && sizeof(typename Model::State) % 4 == 0 &&
         sizeof(typename Model::Params) <= kMaxNeuronParamWords * 4 &&
         sizeof(typename Model::State) <= kMaxLargeNeuronStateWords * 4 &&
         Model::kInputs + 2 <= kMaxSynapseTypes;  // with reward and punishment
}
static_assert(model_fits<IfCurrExp>() && model_fits<IfCondExp>() && model_fits<Izhikevich>() &&
              model_fits<IfNonLeakyDelta>() && model_fits<IfCurrExpAdaptive>() && model_fits<IfCondExpAdaptive>() &&
              model_fits<IfCurrExpSegments>());
// The neurons of a model a core holds: all kMaxNeuronsPerCore, or fewer for
// a model whose state block is larger than kMaxNeuronStateWords.
template <class Model>
constexpr uint32_t max_neurons_per_core(uint32_t core_neurons) {
  return max_neurons_for_state(core_neurons, sizeof(typename Model::State) / 4);
}

}  // namespace spindle::fw
