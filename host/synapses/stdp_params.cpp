#include "synapses/stdp_params.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "synapse/plasticity/dopamine_history.h"
#include "synapse/plasticity/stdp_lut_builder.h"

namespace spindle::host::synapses {

namespace v1 = spindle::v1;

static_assert(fw::image::kDecayTableEntries == fw::stdp::kDecayPowers, "the image's decay tables are the kernel's");

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
  if (m.has_neuromodulation()) {
    v.neuromodulated = true;
    if (m.neuromodulation().has_tau_c()) v.tau_c = m.neuromodulation().tau_c();
    if (m.neuromodulation().has_tau_d()) v.tau_d = m.neuromodulation().tau_d();
  }
  return v;
}

bool is_neuromodulated(const v1::Projection& projection) {
  return projection.synapse_dynamics().has_stdp() && projection.synapse_dynamics().stdp().has_neuromodulation();
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

// A decay table for tau_ticks and its largest error against the exponential.
double decay_table(double tau_ticks, std::array<uint32_t, fw::image::kDecayTableEntries>& powers) {
  fw::stdp::build_decay_powers(tau_ticks, powers.data());
  double worst = 0;
  for (uint32_t b = 0; b < powers.size(); ++b)
    worst = std::max(worst, std::fabs(powers[b] / double(fw::stdp::kDecayOne) - std::exp(-std::ldexp(1.0, int(b)) / tau_ticks)));
  return worst;
}

NeuromodulationKernelParams neuromodulation_params(const StdpValues& v, double dt_ms, uint16_t w_max,
                                                   QuantizationReport* report) {
  if (!(v.tau_c > 0) || !(v.tau_d > 0) || !std::isfinite(v.tau_c) || !std::isfinite(v.tau_d))
    throw std::invalid_argument("stdp: tau_c and tau_d must be finite and > 0");
  NeuromodulationKernelParams n;
  n.integral_scale = fw::stdp::integral_scale(v.tau_c, v.tau_d);
  if (n.integral_scale == 0)
    throw std::invalid_argument("stdp: tau_c tau_d / (tau_c + tau_d) must be below 65536 ms");
  const double tau_c_ticks = v.tau_c / dt_ms, tau_d_ticks = v.tau_d / dt_ms;
  n.max_decay_error = std::max(decay_table(tau_c_ticks, n.c_decay), decay_table(tau_d_ticks, n.d_decay));
  n.c_max = w_max;
  if (report) {
    // Entry 0 (one tick) stands for each table's rounding.
    report->entries.push_back({"stdp.tau_c decay, one tick", std::exp(-1.0 / tau_c_ticks),
                               n.c_decay[0] / double(fw::stdp::kDecayOne), false});
    report->entries.push_back({"stdp.tau_d decay, one tick", std::exp(-1.0 / tau_d_ticks),
                               n.d_decay[0] / double(fw::stdp::kDecayOne), false});
    report->entries.push_back({"stdp.neuromodulation integral scale (ms)", v.tau_c * v.tau_d / (v.tau_c + v.tau_d),
                               n.integral_scale / 65536.0, false});
  }
  return n;
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
  if (v.neuromodulated) k.neuromodulation = neuromodulation_params(v, dt_ms, k.w_max, report);
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

fw::image::NeuromodulationRegionHeader neuromodulation_region(const StdpKernelParams& k, uint32_t reward_type,
                                                              uint32_t punishment_type) {
  if (!k.neuromodulation) throw std::invalid_argument("neuromodulation_region: the rule is not neuromodulated");
  const NeuromodulationKernelParams& n = *k.neuromodulation;
  fw::image::NeuromodulationRegionHeader h{};
  h.reward_type = reward_type;
  h.punishment_type = punishment_type;
  h.c_max = n.c_max;
  h.integral_scale = n.integral_scale;
  h.history_size = fw::stdp::kDopamineHistorySize;
  for (uint32_t b = 0; b < fw::image::kDecayTableEntries; ++b) {
    h.c_decay[b] = n.c_decay[b];
    h.d_decay[b] = n.d_decay[b];
  }
  return h;
}

}  // namespace spindle::host::synapses
