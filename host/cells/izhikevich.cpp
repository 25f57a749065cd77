#include "cells/izhikevich.h"

namespace spindle::host {

fw::Izhikevich::Params to_fixed(const IzhikevichParams& p, double dt, QuantizationReport* r) {
  fw::Izhikevich::Params f{};
  f.synapse = exp_synapse(p.tau_syn_E, p.tau_syn_I, dt, r);
  f.membrane = {to_accum(p.a, "a", r), to_accum(p.b, "b", r), to_accum(p.c, "c", r), to_accum(p.d, "d", r),
                to_accum(p.i_offset, "i_offset", r), to_accum(dt, "dt", r)};
  f.threshold = {fw::Accum::from_int(30)};  // spike peak of the Izhikevich model
  return f;
}

fw::Izhikevich::State initial_state(const IzhikevichParams& p, QuantizationReport* r) {
  fw::Izhikevich::State s{};
  s.membrane.v = to_accum(p.v_init, "v_init", r);
  s.membrane.u = to_accum(p.u_init, "u_init", r);
  return s;
}

NeuronBlock uniform_block(const IzhikevichParams& p, uint32_t n, double dt, QuantizationReport* r) {
  return uniform_neurons<fw::Izhikevich>(fw::ModelId::kIzhikevich, p, n, dt, r);
}

namespace cells {
namespace {

using P = IzhikevichParams;
constexpr std::array<Field<P>, 9> kFields = {{
    Field<P>{"a", "1/ms", &P::a},
    Field<P>{"b", "1/ms", &P::b},
    Field<P>{"c", "mV", &P::c},
    Field<P>{"d", "mV/ms", &P::d},
    Field<P>{"i_offset", "nA", &P::i_offset},
    Field<P>{"tau_syn_E", "ms", &P::tau_syn_E},
    Field<P>{"tau_syn_I", "ms", &P::tau_syn_I},
    Field<P>{"v", "mV", &P::v_init, true},
    Field<P>{"u", "mV/ms", &P::u_init, true},
}};
constexpr auto kParameters = parameters_of(kFields);
constexpr ParameterRule kRules[] = {
    {Rule::kPositive, "tau_syn_E"},
    {Rule::kPositive, "tau_syn_I"},
};

NeuronBlock block(const CellValues& cells, uint32_t lo, uint32_t n, double dt, QuantizationReport* r) {
  return block_of<fw::Izhikevich>(fw::ModelId::kIzhikevich, kFields, cells, lo, n, dt, r);
}

}  // namespace

const CellType izhikevich_type = {
    .proto_case = spindle::v1::Population::kIzhikevich,
    .name = "izhikevich",
    .pynn_name = "Izhikevich",
    .parameters = kParameters,
    .rules = kRules,
    .model = fw::ModelId::kIzhikevich,
    .cycles_per_atom = 160,
    .dtcm_bytes_per_atom = block_bytes<fw::Izhikevich>(),
    .receptors = fw::Izhikevich::kReceptors,
    .conductance_synapses = false,
    .neuron_block = block,
};

}  // namespace cells
}  // namespace spindle::host
