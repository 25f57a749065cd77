#include "cells/if_nonleaky.h"

namespace spindle::host {

fw::IfNonLeakyDelta::Params to_fixed(const IfNonLeakyParams& p, double dt, QuantizationReport* r) {
  fw::IfNonLeakyDelta::Params f{};
  f.membrane = {to_accum(p.i_offset * dt / p.cm, "bias = i_offset dt/cm", r),
                to_accum(p.v_thresh - p.v_reset, "v_thresh - v_reset", r), to_accum(p.v_floor, "v_floor", r),
                refractory_ticks(p.tau_refrac, dt)};
  f.threshold = {to_accum(p.v_thresh, "v_thresh", r)};
  return f;
}

fw::IfNonLeakyDelta::State initial_state(const IfNonLeakyParams& p, QuantizationReport* r) {
  fw::IfNonLeakyDelta::State s{};
  s.membrane.v = to_accum(p.v_init, "v_init", r);
  return s;
}

NeuronBlock uniform_block(const IfNonLeakyParams& p, uint32_t n, double dt, QuantizationReport* r) {
  return uniform_neurons<fw::IfNonLeakyDelta>(fw::ModelId::kIfNonLeakyDelta, p, n, dt, r);
}

namespace cells {
namespace {

using P = IfNonLeakyParams;
constexpr std::array<Field<P>, 7> kFields = {{
    Field<P>{"cm", "nF", &P::cm},
    Field<P>{"v_thresh", "mV", &P::v_thresh},
    Field<P>{"v_reset", "mV", &P::v_reset},
    Field<P>{"v_floor", "mV", &P::v_floor},
    Field<P>{"i_offset", "nA", &P::i_offset},
    Field<P>{"tau_refrac", "ms", &P::tau_refrac},
    Field<P>{"v", "mV", &P::v_init, true},
}};
constexpr auto kParameters = parameters_of(kFields);
constexpr ParameterRule kRules[] = {
    {Rule::kPositive, "cm"},
    {Rule::kNonNegative, "tau_refrac"},
    {Rule::kLess, "v_reset", "v_thresh"},
    {Rule::kLessOrEqual, "v_floor", "v_reset"},
};

NeuronBlock block(const CellValues& cells, uint32_t lo, uint32_t n, double dt, QuantizationReport* r) {
  return block_of<fw::IfNonLeakyDelta>(fw::ModelId::kIfNonLeakyDelta, kFields, cells, lo, n, dt, r);
}

}  // namespace

const CellType if_nonleaky_type = {
    .proto_case = spindle::v1::Population::kIfNonleaky,
    .name = "if_nonleaky",
    .pynn_name = "IF_nonleaky (no PyNN standard type)",
    .parameters = kParameters,
    .rules = kRules,
    .model = fw::ModelId::kIfNonLeakyDelta,
    .cycles_per_atom = 80,
    .dtcm_bytes_per_atom = block_bytes<fw::IfNonLeakyDelta>(),
    .receptors = fw::IfNonLeakyDelta::kReceptors,
    .conductance_synapses = false,
    .neuron_block = block,
};

}  // namespace cells
}  // namespace spindle::host
