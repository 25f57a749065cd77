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

using P = IfCondExpParams;
constexpr std::array<Field<P>, 12> kFields = {{
    Field<P>{"cm", "nF", &P::cm},
    Field<P>{"tau_m", "ms", &P::tau_m},
    Field<P>{"tau_refrac", "ms", &P::tau_refrac},
    Field<P>{"tau_syn_E", "ms", &P::tau_syn_E},
    Field<P>{"tau_syn_I", "ms", &P::tau_syn_I},
    Field<P>{"v_rest", "mV", &P::v_rest},
    Field<P>{"v_reset", "mV", &P::v_reset},
    Field<P>{"v_thresh", "mV", &P::v_thresh},
    Field<P>{"i_offset", "nA", &P::i_offset},
    Field<P>{"e_rev_E", "mV", &P::e_rev_E},
    Field<P>{"e_rev_I", "mV", &P::e_rev_I},
    Field<P>{"v", "mV", &P::v_init, true, "v_rest"},
}};
constexpr auto kParameters = parameters_of(kFields);
constexpr ParameterRule kRules[] = {
    {Rule::kPositive, "cm"},
    {Rule::kPositive, "tau_m"},
    {Rule::kPositive, "tau_syn_E"},
    {Rule::kPositive, "tau_syn_I"},
    {Rule::kNonNegative, "tau_refrac"},
    {Rule::kLess, "v_reset", "v_thresh"},
};

NeuronBlock block(const CellValues& cells, uint32_t lo, uint32_t n, double dt, QuantizationReport* r) {
  return block_of<fw::IfCondExp>(fw::ModelId::kIfCondExp, kFields, cells, lo, n, dt, r);
}

}  // namespace

const CellType if_cond_exp_type = {
    .proto_case = spindle::v1::Population::kIfCondExp,
    .name = "if_cond_exp",
    .pynn_name = "IF_cond_exp",
    .parameters = kParameters,
    .rules = kRules,
    .model = fw::ModelId::kIfCondExp,
    .cycles_per_atom = 180,
    .dtcm_bytes_per_atom = block_bytes<fw::IfCondExp>(),
    .receptors = fw::IfCondExp::kReceptors,
    .conductance_synapses = true,
    .neuron_block = block,
};

}  // namespace cells
}  // namespace spindle::host
