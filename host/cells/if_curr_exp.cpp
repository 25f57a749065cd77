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

using P = IfCurrExpParams;
constexpr std::array<Field<P>, 10> kFields = {{
    Field<P>{"cm", "nF", &P::cm},
    Field<P>{"tau_m", "ms", &P::tau_m},
    Field<P>{"tau_refrac", "ms", &P::tau_refrac},
    Field<P>{"tau_syn_E", "ms", &P::tau_syn_E},
    Field<P>{"tau_syn_I", "ms", &P::tau_syn_I},
    Field<P>{"v_rest", "mV", &P::v_rest},
    Field<P>{"v_reset", "mV", &P::v_reset},
    Field<P>{"v_thresh", "mV", &P::v_thresh},
    Field<P>{"i_offset", "nA", &P::i_offset},
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
    // The input gain R init 2^-8 is a u0.32 factor in the core
    // (firmware/neuron/lif_curr_exp.h), so R = tau_m / cm must stay below
    // 256 MOhm (init <= 1); larger values would fail at core load.
    {Rule::kRatioBelow, "tau_m", "cm", 255.99, "MOhm", "the fixed-point input gain"},
};

NeuronBlock block(const CellValues& cells, uint32_t lo, uint32_t n, double dt, QuantizationReport* r) {
  return block_of<fw::IfCurrExp>(fw::ModelId::kIfCurrExp, kFields, cells, lo, n, dt, r);
}

}  // namespace

const CellType if_curr_exp_type = {
    .proto_case = spindle::v1::Population::kIfCurrExp,
    .name = "if_curr_exp",
    .pynn_name = "IF_curr_exp",
    .parameters = kParameters,
    .rules = kRules,
    .model = fw::ModelId::kIfCurrExp,
    .cycles_per_atom = 120,
    .dtcm_bytes_per_atom = block_bytes<fw::IfCurrExp>(),
    .receptors = fw::IfCurrExp::kReceptors,
    .conductance_synapses = false,
    .neuron_block = block,
};

}  // namespace cells
}  // namespace spindle::host
