#include "cells/if_curr_exp_adaptive.h"

namespace spindle::host {

fw::IfCurrExpAdaptive::Params to_fixed(const IfCurrExpAdaptiveParams& p, double dt, QuantizationReport* r) {
  return adaptive_to_fixed<fw::IfCurrExpAdaptive, IfCurrExpParams>(p, dt, r);
}

fw::IfCurrExpAdaptive::State initial_state(const IfCurrExpAdaptiveParams& p, QuantizationReport* r) {
  return adaptive_initial_state<fw::IfCurrExpAdaptive, IfCurrExpParams>(p, r);
}

NeuronBlock uniform_block(const IfCurrExpAdaptiveParams& p, uint32_t n, double dt, QuantizationReport* r) {
  return uniform_neurons<fw::IfCurrExpAdaptive>(fw::ModelId::kIfCurrExpAdaptive, p, n, dt, r);
}

namespace cells {
namespace {

constexpr auto kFields = adaptive_fields<IfCurrExpAdaptiveParams>(kIfCurrExpParameterFields, kIfCurrExpStateFields);
constexpr auto kParameters = parameters_of(kFields);
constexpr auto kRules = join(kIfCurrExpRules, kAdaptiveThresholdRules);

NeuronBlock block(const CellValues& cells, uint32_t lo, uint32_t n, double dt, QuantizationReport* r) {
  return block_of<fw::IfCurrExpAdaptive>(fw::ModelId::kIfCurrExpAdaptive, kFields, cells, lo, n, dt, r);
}

}  // namespace

const CellType if_curr_exp_adaptive_type = {
    .proto_case = spindle::v1::Population::kIfCurrExpAdaptive,
    .name = "if_curr_exp_adaptive",
    .pynn_name = "IF_curr_exp_adaptive",
    .parameters = kParameters,
    .rules = kRules,
    .model = fw::ModelId::kIfCurrExpAdaptive,
    // IF_curr_exp's, plus the threshold's decay, 64-bit drift and compare.
    .cycles_per_atom = 150,
    .dtcm_bytes_per_atom = block_bytes<fw::IfCurrExpAdaptive>(),
    .receptors = fw::IfCurrExpAdaptive::kReceptors,
    .conductance_synapses = false,
    .neuron_block = block,
};

}  // namespace cells
}  // namespace spindle::host
