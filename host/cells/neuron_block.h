// What a slice of neurons becomes in a core image: its model's parameter
// and state blocks, and the conversions the cell types share (exponential
// synapses, the LIF membrane, refractory ticks). Decay factors are computed
// here, in double, once.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "neuron/models.h"
#include "quantize/quantize.h"

namespace spindle::host {

// Neuron region payload for a slice: params then states, as Core::load reads.
struct NeuronBlock {
  fw::ModelId model = fw::ModelId::kNone;
  uint32_t n_neurons = 0;
  uint32_t param_bytes = 0, state_bytes = 0;
  std::vector<uint8_t> params, state;
};

template <class Model>
NeuronBlock make_neuron_block(fw::ModelId id, const std::vector<typename Model::Params>& params,
                              const std::vector<typename Model::State>& states) {
  NeuronBlock b;
  b.model = id;
  b.n_neurons = static_cast<uint32_t>(params.size());
  b.param_bytes = sizeof(typename Model::Params);
  b.state_bytes = sizeof(typename Model::State);
  b.params.resize(params.size() * b.param_bytes);
  b.state.resize(states.size() * b.state_bytes);
  if (!params.empty()) std::memcpy(b.params.data(), params.data(), b.params.size());
  if (!states.empty()) std::memcpy(b.state.data(), states.data(), b.state.size());
  return b;
}

// n identical neurons of PyNN parameters p (to_fixed and initial_state of
// the type's descriptor file).
template <class Model, class P>
NeuronBlock uniform_neurons(fw::ModelId id, const P& p, uint32_t n, double dt, QuantizationReport* r) {
  const typename Model::Params fixed = to_fixed(p, dt, r);
  const typename Model::State s = initial_state(p, r);
  return make_neuron_block<Model>(id, std::vector<typename Model::Params>(n, fixed),
                                  std::vector<typename Model::State>(n, s));
}

// Per receptor type: the synaptic state of this model holds weights x
// 2^shift (IF_cond_exp: conductances in units of 2^-10 uS, see
// firmware/neuron/parts/input_conductance.h; 0 for the others). Pass it to
// build_synaptic_matrix for a matrix that targets this model; build_core_image
// rejects a matrix built with other shifts. Throws for an unknown model.
std::array<int32_t, fw::kMaxSynapseTypes> receptor_unit_shifts(fw::ModelId model);

// Refractory period in whole ticks, as the cores count it.
int32_t refractory_ticks(double tau_refrac, double dt);

// Shared parts' parameters: exponential synapses (decay and step-mean
// factors of tau_syn_E and tau_syn_I) and the LIF membrane.
fw::SynapseExp::Params exp_synapse(double tau_e, double tau_i, double dt, QuantizationReport* r);
fw::MembraneLif::Params lif_membrane(double cm, double tau_m, double v_rest, double v_reset, double i_offset,
                                     double tau_refrac, double dt, QuantizationReport* r);
}  // namespace spindle::host
