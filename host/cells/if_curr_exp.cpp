#include "cells/if_curr_exp.h"

namespace spindle::host {

fw::IfCurrExp::Params to_fixed(const IfCurrExpParams& p, double dt, QuantizationReport* r) {
  fw::IfCurrExp::Params f{};
  f.synapse = exp_synapse(p.tau_syn_E, p.tau_syn_I, dt, r);
  f.membrane = lif_membrane(p.cm, p.tau_m, p.v_rest, p.v_reset, p.i_offset, p.tau_refrac, dt, r);
  f.threshold = {to_accum(p.v_thresh, "v_thresh", r)};
  return f;
}

fw::IfCurrExp::State initial_state(const IfCurrExpParams& p, QuantizationReport* r) {
  fw::IfCurrExp::State s{};
  s.membrane.v = to_accum(p.v_init, "v_init", r);
  return s;
}

NeuronBlock uniform_block(const IfCurrExpParams& p, uint32_t n, double dt, QuantizationReport* r) {
  return uniform_neurons<fw::IfCurrExp>(fw::ModelId::kIfCurrExp, p, n, dt, r);
}

namespace cells {
namespace {

constexpr auto kFields = join(kIfCurrExpParameterFields, kIfCurrExpStateFields);
constexpr auto kParameters = parameters_of(kFields);

NeuronBlock block(const CellValues& cells, uint32_t lo, uint32_t n, double dt, QuantizationReport* r) {
  return block_of<fw::IfCurrExp>(fw::ModelId::kIfCurrExp, kFields, cells, lo, n, dt, r);
}

}  // namespace

const CellType if_curr_exp_type = {
    .proto_case = spindle::v1::Population::kIfCurrExp,
    .name = "if_curr_exp",
    .pynn_name = "IF_curr_exp",
    .parameters = kParameters,
    .rules = kIfCurrExpRules,
    .model = fw::ModelId::kIfCurrExp,
    .cycles_per_atom = 120,
    .dtcm_bytes_per_atom = block_bytes<fw::IfCurrExp>(),
    .receptors = fw::IfCurrExp::kReceptors,
    .conductance_synapses = false,
    .neuron_block = block,
};

}  // namespace cells
}  // namespace spindle::host
