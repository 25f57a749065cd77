#include "cells/neuron_block.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace spindle::host {

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

// exp(-dt/tau) and the step-mean factor tau/dt (1 - exp(-dt/tau)) of an
// exponential synapse (see firmware/neuron/parts/synapse_exp.h).
fw::SynapseExp::Params exp_synapse(double tau_e, double tau_i, double dt, QuantizationReport* r) {
  auto init = [dt](double tau) { return tau / dt * -std::expm1(-dt / tau); };
  return {to_ufract32(std::exp(-dt / tau_e), "tau_syn_E decay", r), to_ufract32(init(tau_e), "tau_syn_E init", r),
          to_ufract32(std::exp(-dt / tau_i), "tau_syn_I decay", r), to_ufract32(init(tau_i), "tau_syn_I init", r)};
}

fw::MembraneLif::Params lif_membrane(double cm, double tau_m, double v_rest, double v_reset, double i_offset,
                                     double tau_refrac, double dt, QuantizationReport* r) {
  return {to_accum(v_rest, "v_rest", r), to_accum(v_reset, "v_reset", r), to_accum(tau_m / cm, "R = tau_m/cm", r),
          to_ufract32(std::exp(-dt / tau_m), "tau_m decay", r), to_accum(i_offset, "i_offset", r),
          refractory_ticks(tau_refrac, dt)};
}

}  // namespace spindle::host
