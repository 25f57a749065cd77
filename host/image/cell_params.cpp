#include "image/cell_params.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace spindle::host {
namespace {

// exp(-dt/tau) and the step-mean factor tau/dt (1 - exp(-dt/tau)) of an
// exponential synapse (see firmware/neuron/parts/synapse_exp.h).
fw::SynapseExp::Params exp_synapse(double tau_e, double tau_i, double dt, QuantizationReport* r) {
  auto init = [dt](double tau) { return tau / dt * -std::expm1(-dt / tau); };
  return {to_ufract32(std::exp(-dt / tau_e), "tau_syn_E decay", r), to_ufract32(init(tau_e), "tau_syn_E init", r),
          to_ufract32(std::exp(-dt / tau_i), "tau_syn_I decay", r), to_ufract32(init(tau_i), "tau_syn_I init", r)};
}

fw::MembraneLif::Params lif(double cm, double tau_m, double v_rest, double v_reset, double i_offset,
                            double tau_refrac, double dt, QuantizationReport* r) {
  return {to_accum(v_rest, "v_rest", r), to_accum(v_reset, "v_reset", r), to_accum(tau_m / cm, "R = tau_m/cm", r),
          to_ufract32(std::exp(-dt / tau_m), "tau_m decay", r), to_accum(i_offset, "i_offset", r),
          refractory_ticks(tau_refrac, dt)};
}

template <class Model, class P>
NeuronBlock uniform(fw::ModelId id, const P& p, uint32_t n, double dt, QuantizationReport* r) {
  const typename Model::Params fixed = to_fixed(p, dt, r);
  const typename Model::State s = initial_state(p, r);
  return make_neuron_block<Model>(id, std::vector<typename Model::Params>(n, fixed),
                                  std::vector<typename Model::State>(n, s));
}

}  // namespace

std::array<int32_t, fw::kMaxSynapseTypes> receptor_unit_shifts(fw::ModelId model) {
  std::array<int32_t, fw::kMaxSynapseTypes> shifts{};
  const bool known = fw::visit_model(model, [&]<class Model>() {
    for (uint32_t t = 0; t < Model::kReceptors; ++t) shifts[t] = Model::kReceptorUnitShift;
  });
  if (!known)
    throw std::invalid_argument("receptor_unit_shifts: unknown model id " +
                                std::to_string(static_cast<uint32_t>(model)));
  return shifts;
}

int32_t refractory_ticks(double tau_refrac, double dt) {
  // Saturated at the counter's range (validation warns about it), never a
  // conversion out of range.
  const double ticks = std::round(tau_refrac / dt);
  if (!(ticks < double(INT32_MAX))) return INT32_MAX;
  return ticks > 0 ? static_cast<int32_t>(ticks) : 0;
}

fw::IfCurrExp::Params to_fixed(const IfCurrExpParams& p, double dt, QuantizationReport* r) {
  fw::IfCurrExp::Params f{};
  f.synapse = exp_synapse(p.tau_syn_E, p.tau_syn_I, dt, r);
  f.membrane = lif(p.cm, p.tau_m, p.v_rest, p.v_reset, p.i_offset, p.tau_refrac, dt, r);
  f.threshold = {to_accum(p.v_thresh, "v_thresh", r)};
  return f;
}

fw::IfCondExp::Params to_fixed(const IfCondExpParams& p, double dt, QuantizationReport* r) {
  fw::IfCondExp::Params f{};
  f.synapse = exp_synapse(p.tau_syn_E, p.tau_syn_I, dt, r);
  f.input = {to_accum(p.e_rev_E, "e_rev_E", r), to_accum(p.e_rev_I, "e_rev_I", r)};
  f.membrane = lif(p.cm, p.tau_m, p.v_rest, p.v_reset, p.i_offset, p.tau_refrac, dt, r);
  f.threshold = {to_accum(p.v_thresh, "v_thresh", r)};
  return f;
}

fw::Izhikevich::Params to_fixed(const IzhikevichParams& p, double dt, QuantizationReport* r) {
  fw::Izhikevich::Params f{};
  f.synapse = exp_synapse(p.tau_syn_E, p.tau_syn_I, dt, r);
  f.membrane = {to_accum(p.a, "a", r), to_accum(p.b, "b", r), to_accum(p.c, "c", r), to_accum(p.d, "d", r),
                to_accum(p.i_offset, "i_offset", r), to_accum(dt, "dt", r)};
  f.threshold = {fw::Accum::from_int(30)};  // spike peak of the Izhikevich model
  return f;
}

fw::IfNonLeakyDelta::Params to_fixed(const IfNonLeakyParams& p, double dt, QuantizationReport* r) {
  fw::IfNonLeakyDelta::Params f{};
  f.membrane = {to_accum(p.i_offset * dt / p.cm, "bias = i_offset dt/cm", r),
                to_accum(p.v_thresh - p.v_reset, "v_thresh - v_reset", r), to_accum(p.v_floor, "v_floor", r),
                refractory_ticks(p.tau_refrac, dt)};
  f.threshold = {to_accum(p.v_thresh, "v_thresh", r)};
  return f;
}

fw::IfCurrExp::State initial_state(const IfCurrExpParams& p, QuantizationReport* r) {
  fw::IfCurrExp::State s{};
  s.membrane.v = to_accum(p.v_init, "v_init", r);
  return s;
}
fw::IfCondExp::State initial_state(const IfCondExpParams& p, QuantizationReport* r) {
  fw::IfCondExp::State s{};
  s.membrane.v = to_accum(p.v_init, "v_init", r);
  return s;
}
fw::Izhikevich::State initial_state(const IzhikevichParams& p, QuantizationReport* r) {
  fw::Izhikevich::State s{};
  s.membrane.v = to_accum(p.v_init, "v_init", r);
  s.membrane.u = to_accum(p.u_init, "u_init", r);
  return s;
}
fw::IfNonLeakyDelta::State initial_state(const IfNonLeakyParams& p, QuantizationReport* r) {
  fw::IfNonLeakyDelta::State s{};
  s.membrane.v = to_accum(p.v_init, "v_init", r);
  return s;
}

NeuronBlock uniform_block(const IfCurrExpParams& p, uint32_t n, double dt, QuantizationReport* r) {
  return uniform<fw::IfCurrExp>(fw::ModelId::kIfCurrExp, p, n, dt, r);
}
NeuronBlock uniform_block(const IfCondExpParams& p, uint32_t n, double dt, QuantizationReport* r) {
  return uniform<fw::IfCondExp>(fw::ModelId::kIfCondExp, p, n, dt, r);
}
NeuronBlock uniform_block(const IzhikevichParams& p, uint32_t n, double dt, QuantizationReport* r) {
  return uniform<fw::Izhikevich>(fw::ModelId::kIzhikevich, p, n, dt, r);
}
NeuronBlock uniform_block(const IfNonLeakyParams& p, uint32_t n, double dt, QuantizationReport* r) {
  return uniform<fw::IfNonLeakyDelta>(fw::ModelId::kIfNonLeakyDelta, p, n, dt, r);
}

}  // namespace spindle::host
