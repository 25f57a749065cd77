// PyNN cell types with PyNN's parameter names, defaults and units (mV, nF,
// ms, nA, uS), and their conversion to the cores' fixed-point parameter and
// state blocks. Decay factors are computed here, in double, once.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "neuron/models.h"
#include "quantize/quantize.h"

namespace spindle::host {

struct IfCurrExpParams {  // PyNN IF_curr_exp
  double cm = 1.0, tau_m = 20.0, tau_refrac = 0.1, tau_syn_E = 5.0, tau_syn_I = 5.0;
  double v_rest = -65.0, v_reset = -65.0, v_thresh = -50.0, i_offset = 0.0;
  double v_init = -65.0;  // initial value of v
};

struct IfCondExpParams {  // PyNN IF_cond_exp
  double cm = 1.0, tau_m = 20.0, tau_refrac = 0.1, tau_syn_E = 5.0, tau_syn_I = 5.0;
  double v_rest = -65.0, v_reset = -65.0, v_thresh = -50.0, i_offset = 0.0;
  double e_rev_E = 0.0, e_rev_I = -70.0;
  double v_init = -65.0;
};

struct IzhikevichParams {  // PyNN Izhikevich (regular spiking defaults)
  double a = 0.02, b = 0.2, c = -65.0, d = 2.0, i_offset = 0.0;
  double tau_syn_E = 5.0, tau_syn_I = 5.0;  // exponential current synapses
  double v_init = -70.0, u_init = -14.0;
};

struct IfNonLeakyParams {  // non-leaky IF, delta synapses (weights in mV), reset by subtraction
  double cm = 1.0, v_thresh = 1.0, v_reset = 0.0, v_floor = -1000.0, i_offset = 0.0, tau_refrac = 0.0;
  double v_init = 0.0;
};

// Timestep in ms for all conversions.
fw::IfCurrExp::Params to_fixed(const IfCurrExpParams& p, double dt, QuantizationReport* r = nullptr);
fw::IfCondExp::Params to_fixed(const IfCondExpParams& p, double dt, QuantizationReport* r = nullptr);
fw::Izhikevich::Params to_fixed(const IzhikevichParams& p, double dt, QuantizationReport* r = nullptr);
fw::IfNonLeakyDelta::Params to_fixed(const IfNonLeakyParams& p, double dt, QuantizationReport* r = nullptr);

fw::IfCurrExp::State initial_state(const IfCurrExpParams& p, QuantizationReport* r = nullptr);
fw::IfCondExp::State initial_state(const IfCondExpParams& p, QuantizationReport* r = nullptr);
fw::Izhikevich::State initial_state(const IzhikevichParams& p, QuantizationReport* r = nullptr);
fw::IfNonLeakyDelta::State initial_state(const IfNonLeakyParams& p, QuantizationReport* r = nullptr);

// Refractory period in whole ticks, as the cores count it.
int32_t refractory_ticks(double tau_refrac, double dt);

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

// Per receptor type: the synaptic state of this model holds weights x
// 2^shift (IF_cond_exp: conductances in units of 2^-10 uS, see
// firmware/neuron/parts/input_conductance.h; 0 for the others). Pass it to
// build_synaptic_matrix for a matrix that targets this model; build_core_image
// rejects a matrix built with other shifts. Throws for an unknown model.
std::array<int32_t, fw::kMaxSynapseTypes> receptor_unit_shifts(fw::ModelId model);

// Convenience: a slice of n identical neurons of a PyNN cell type.
NeuronBlock uniform_block(const IfCurrExpParams& p, uint32_t n, double dt, QuantizationReport* r = nullptr);
NeuronBlock uniform_block(const IfCondExpParams& p, uint32_t n, double dt, QuantizationReport* r = nullptr);
NeuronBlock uniform_block(const IzhikevichParams& p, uint32_t n, double dt, QuantizationReport* r = nullptr);
NeuronBlock uniform_block(const IfNonLeakyParams& p, uint32_t n, double dt, QuantizationReport* r = nullptr);

}  // namespace spindle::host
