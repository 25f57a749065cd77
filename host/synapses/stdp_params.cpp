#include "synapses/stdp_params.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "synapse/plasticity/stdp_lut_builder.h"

namespace spindle::host::synapses {

namespace v1 = spindle::v1;

StdpValues stdp_values(const v1::StdpMechanism& m) {
  StdpValues v;
  const auto& t = m.timing_dependence();
  if (t.has_tau_plus()) v.tau_plus = t.tau_plus();
  if (t.has_tau_minus()) v.tau_minus = t.tau_minus();
  if (t.has_a_plus()) v.a_plus = t.a_plus();
  if (t.has_a_minus()) v.a_minus = t.a_minus();
  v.nearest = t.nearest();
  if (m.has_multiplicative()) {
    v.multiplicative = true;
    if (m.multiplicative().has_w_min()) v.w_min = m.multiplicative().w_min();
    if (m.multiplicative().has_w_max()) v.w_max = m.multiplicative().w_max();
  } else if (m.has_additive()) {
    if (m.additive().has_w_min()) v.w_min = m.additive().w_min();
    if (m.additive().has_w_max()) v.w_max = m.additive().w_max();
  }
  if (m.has_dendritic_delay_fraction()) v.dendritic_delay_fraction = m.dendritic_delay_fraction();
  v.relative_to_w_max = m.amplitude_units() == v1::StdpMechanism::RELATIVE_TO_W_MAX;
  return v;
}

namespace {

// round(x x scale) into 0..65535 (ties away from zero, as the matrix's
// std::round), clamped and flagged beyond.
uint16_t to_weight_units(double x, double scale, const char* what, StdpKernelParams::Error& err,
                         QuantizationReport* report) {
  const double units = std::round(x * scale);
  const double clamped = std::clamp(units, 0.0, 65535.0);
  err.value = x;
  err.quantized = clamped / scale;
  err.clamped = clamped != units;
  if (report) report->entries.push_back({what, err.value, err.quantized, err.clamped});
  return static_cast<uint16_t>(clamped);
}

double lut_error(const fw::stdp::ExpLut& lut, double tau_ticks) {
  double worst = 0;
  for (uint32_t i = 0; i < fw::stdp::kStdpLutSize; ++i) {
    const double t = double(uint64_t{i} << lut.time_shift);
    worst = std::max(worst, std::fabs(lut.values[i] / double(fw::stdp::kTraceOne) - std::exp(-t / tau_ticks)));
  }
  return worst;
}

}  // namespace

StdpKernelParams stdp_kernel_params(const v1::StdpMechanism& m, double dt_ms, double weight_scale,
                                    QuantizationReport* report) {
  if (!(dt_ms > 0) || !std::isfinite(dt_ms)) throw std::invalid_argument("stdp: timestep must be > 0");
  if (!(weight_scale > 0) || !std::isfinite(weight_scale)) throw std::invalid_argument("stdp: weight scale must be > 0");
  const StdpValues v = stdp_values(m);
  if (!(v.tau_plus > 0) || !(v.tau_minus > 0)) throw std::invalid_argument("stdp: tau_plus and tau_minus must be > 0");
  StdpKernelParams k;
  const double tau_plus_ticks = v.tau_plus / dt_ms, tau_minus_ticks = v.tau_minus / dt_ms;
  k.plus = fw::stdp::build_exp_lut(tau_plus_ticks);
  k.minus = fw::stdp::build_exp_lut(tau_minus_ticks);
  k.max_lut_error = std::max(lut_error(k.plus, tau_plus_ticks), lut_error(k.minus, tau_minus_ticks));
  if (report) {
    // Entry 1 (one step of the table) stands for the whole window's rounding.
    const auto entry = [&](const char* what, const fw::stdp::ExpLut& lut, double tau) {
      const double t = double(uint64_t{1} << lut.time_shift);
      report->entries.push_back({what, std::exp(-t / tau), lut.values[1] / double(fw::stdp::kTraceOne), false});
    };
    entry("stdp.tau_plus window, first step", k.plus, tau_plus_ticks);
    entry("stdp.tau_minus window, first step", k.minus, tau_minus_ticks);
  }
  k.w_min = to_weight_units(v.w_min, weight_scale, "stdp.w_min", k.w_min_error, report);
  k.w_max = to_weight_units(v.w_max, weight_scale, "stdp.w_max", k.w_max_error, report);
  k.a_plus = to_weight_units(v.absolute_a_plus(), weight_scale, "stdp.A_plus", k.a_plus_error, report);
  k.a_minus = to_weight_units(v.absolute_a_minus(), weight_scale, "stdp.A_minus", k.a_minus_error, report);
  k.nearest = v.nearest;
  k.multiplicative = v.multiplicative;
  return k;
}

fw::image::StdpRegionHeader stdp_region(const StdpKernelParams& k) {
  namespace img = fw::image;
  img::StdpRegionHeader h{};
  h.pair_scheme = static_cast<uint32_t>(k.nearest ? img::PairSchemeId::kNearestPair : img::PairSchemeId::kAllToAll);
  h.weight_dependence = static_cast<uint32_t>(k.multiplicative ? img::WeightDependenceId::kMultiplicative
                                                               : img::WeightDependenceId::kAdditive);
  h.w_min = k.w_min;
  h.w_max = k.w_max;
  h.a_plus = k.a_plus;
  h.a_minus = k.a_minus;
  h.plus_time_shift = k.plus.time_shift;
  h.minus_time_shift = k.minus.time_shift;
  h.history_size = fw::stdp::kPostHistorySize;
  for (uint32_t i = 0; i < img::kStdpTableEntries; ++i) {
    h.plus[i] = k.plus.values[i];
    h.minus[i] = k.minus.values[i];
  }
  return h;
}

}  // namespace spindle::host::synapses
