#include "cells/if_cond_exp.h"

namespace spindle::host {

fw::IfCondExp::Params to_fixed(const IfCondExpParams& p, double dt, QuantizationReport* r) {
  fw::IfCondExp::Params f{};
  f.synapse = exp_synapse(p.tau_syn_E, p.tau_syn_I, dt, r);
  f.input = {to_accum(p.e_rev_E, "e_rev_E", r), to_accum(p.e_rev_I, "e_rev_I", r)};
  f.membrane = lif_membrane(p.cm, p.tau_m, p.v_rest, p.v_reset, p.i_offset, p.tau_refrac, dt, r);
  f.threshold = {to_accum(p.v_thresh, "v_thresh", r)};
  return f;
}

fw::IfCondExp::State initial_state(const IfCondExpParams& p, QuantizationReport* r) {
  fw::IfCondExp::State s{};
  s.membrane.v = to_accum(p.v_init, "v_init", r);
  return s;
}

NeuronBlock uniform_block(const IfCondExpParams& p, uint32_t n, double dt, QuantizationReport* r) {
  return uniform_neurons<fw::IfCondExp>(fw::ModelId::kIfCondExp, p, n, dt, r);
}

namespace cells {
namespace {

constexpr auto kFields = join(kIfCondExpParameterFields, kIfCondExpStateFields);
constexpr auto kParameters = parameters_of(kFields);

NeuronBlock block(const CellValues& cells, uint32_t lo, uint32_t n, double dt, QuantizationReport* r) {
  return block_of<fw::IfCondExp>(fw::ModelId::kIfCondExp, kFields, cells, lo, n, dt, r);
}

}  // namespace

const CellType if_cond_exp_type = {
    .proto_case = spindle::v1::Population::kIfCondExp,
    .name = "if_cond_exp",
    .pynn_name = "IF_cond_exp",
    .parameters = kParameters,
    .rules = kIfCondExpRules,
    .model = fw::ModelId::kIfCondExp,
    .cycles_per_atom = 180,
    .dtcm_bytes_per_atom = block_bytes<fw::IfCondExp>(),
    .receptors = fw::IfCondExp::kReceptors,
    .conductance_synapses = true,
    .neuron_block = block,
};

}  // namespace cells
}  // namespace spindle::host
