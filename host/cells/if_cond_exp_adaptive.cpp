#include "cells/if_cond_exp_adaptive.h"

namespace spindle::host {

fw::IfCondExpAdaptive::Params to_fixed(const IfCondExpAdaptiveParams& p, double dt, QuantizationReport* r) {
  return adaptive_to_fixed<fw::IfCondExpAdaptive, IfCondExpParams>(p, dt, r);
}

fw::IfCondExpAdaptive::State initial_state(const IfCondExpAdaptiveParams& p, QuantizationReport* r) {
  return adaptive_initial_state<fw::IfCondExpAdaptive, IfCondExpParams>(p, r);
}

NeuronBlock uniform_block(const IfCondExpAdaptiveParams& p, uint32_t n, double dt, QuantizationReport* r) {
  return uniform_neurons<fw::IfCondExpAdaptive>(fw::ModelId::kIfCondExpAdaptive, p, n, dt, r);
}

namespace cells {
namespace {

constexpr auto kFields = adaptive_fields<IfCondExpAdaptiveParams>(kIfCondExpParameterFields, kIfCondExpStateFields);
constexpr auto kParameters = parameters_of(kFields);
constexpr auto kRules = join(kIfCondExpRules, kAdaptiveThresholdRules);

NeuronBlock block(const CellValues& cells, uint32_t lo, uint32_t n, double dt, QuantizationReport* r) {
  return block_of<fw::IfCondExpAdaptive>(fw::ModelId::kIfCondExpAdaptive, kFields, cells, lo, n, dt, r);
}

}  // namespace

const CellType if_cond_exp_adaptive_type = {
    .proto_case = spindle::v1::Population::kIfCondExpAdaptive,
    .name = "if_cond_exp_adaptive",
    .pynn_name = "IF_cond_exp_adaptive",
    .parameters = kParameters,
    .rules = kRules,
    .model = fw::ModelId::kIfCondExpAdaptive,
    // IF_cond_exp's, plus the threshold's decay, 64-bit drift and compare.
    .cycles_per_atom = 210,
    .dtcm_bytes_per_atom = block_bytes<fw::IfCondExpAdaptive>(),
    .receptors = fw::IfCondExpAdaptive::kReceptors,
    .conductance_synapses = true,
    .neuron_block = block,
};

}  // namespace cells
}  // namespace spindle::host
