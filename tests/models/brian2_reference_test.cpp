// The firmware neuron models against Brian2 reference simulations of the
// same single-neuron networks (tests/reference/make_references.py, data in
// tests/reference/data/). Each model core is driven by an array-source core
// through the synaptic matrix with delay 1, the alignment the script
// documents: Brian2 input at t_g <-> array tick t_g/dt, delay 1; both report
// the index of the step in which v crossed threshold; v is sampled every
// 1 ms before that step's update.
//
// Compared per model:
//   spikes  same count; the i-th Spindle spike within K steps of the i-th
//           Brian2 spike.
//   v       max |v_Spindle - v_Brian2| over the 1 ms samples. For the LIF
//           models the main v check is on a free-running twin (threshold out
//           of reach), free of spike-time effects. On spiking traces the
//           samples that only measure a spike-time difference are left out:
//           those within W ticks of a spike pair that does not coincide, and
//           for Izhikevich the upstroke (v_Brian2 >= -50 mV).
//   The non-leaky IF is checked through an exact identity instead (below).
// The tolerances and their reasons are with each test. Measured values are
// printed ("[ measured ]") and listed in docs/models.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "image/cell_params.h"
#include "quantize/quantize.h"
#include "reference_data.h"
#include "single_neuron.h"

namespace spindle::test {
namespace {

struct Reference {
  ParamFile params;
  std::string cell;  // the model type: if_curr_exp, if_cond_exp, izhikevich, if_nonleaky
  double dt = 0, duration = 0, record_every = 0;
  double w_exc = 0, w_inh = 0;
  std::vector<InputSpike> inputs;  // array-source ticks
  std::vector<uint32_t> v_ticks;
  std::vector<double> v;
  std::vector<uint32_t> spikes;    // step indices
};

uint32_t to_tick(double t_ms, double dt) { return static_cast<uint32_t>(std::lround(t_ms / dt)); }

Reference load_reference(const std::string& model) {
  const ReferenceFiles f = reference_files(model);
  Reference r;
  r.params = ParamFile::load(f.params);
  const ParamFile& p = r.params;
  if (p.text("model") != model) throw std::runtime_error(f.params + ": names another model");
  r.cell = p.text("cell");
  for (const char* info : {"brian2_method", "brian2_version", "seed", "rate_exc", "rate_inh"}) (void)p.text(info);
  r.dt = p.number("dt_ms");
  r.duration = p.number("duration_ms");
  r.record_every = p.number("record_every_ms");
  r.w_exc = p.number("w_exc");
  r.w_inh = p.number("w_inh");
  for (const auto& row : load_csv(f.input).rows)
    r.inputs.push_back({to_tick(row.at(0), r.dt), static_cast<uint32_t>(row.at(1))});
  for (const auto& row : load_csv(f.v).rows) {
    r.v_ticks.push_back(to_tick(row.at(0), r.dt));
    r.v.push_back(row.at(1));
  }
  for (double t : load_csv(f.spikes).column("t_ms")) r.spikes.push_back(to_tick(t, r.dt));
  return r;
}

// PyNN parameters from the file into the host's cell types; every parameter
// in the file must be read (ParamFile::unused), so none is silently ignored.
host::NeuronBlock neuron_block(const std::string& cell, const ParamFile& p, double dt) {
  auto lif = [&](auto& c) {
    c.cm = p.number("cm");
    c.tau_m = p.number("tau_m");
    c.tau_refrac = p.number("tau_refrac");
    c.tau_syn_E = p.number("tau_syn_E");
    c.tau_syn_I = p.number("tau_syn_I");
    c.v_rest = p.number("v_rest");
    c.v_reset = p.number("v_reset");
    c.v_thresh = p.number("v_thresh");
    c.i_offset = p.number("i_offset");
    c.v_init = p.number("v_init");
  };
  if (cell == "if_curr_exp") {
    host::IfCurrExpParams c;
    lif(c);
    return host::uniform_block(c, 1, dt);
  }
  if (cell == "if_cond_exp") {
    host::IfCondExpParams c;
    lif(c);
    c.e_rev_E = p.number("e_rev_E");
    c.e_rev_I = p.number("e_rev_I");
    return host::uniform_block(c, 1, dt);
  }
  // The adaptive threshold's parameters and state variables.
  auto adaptive = [&](auto& c) {
    lif(c);
    c.tau_theta = p.number("tau_theta");
    c.theta_plus = p.number("theta_plus");
    c.eta_h = p.number("eta_h");
    c.target_rate = p.number("target_rate");
    c.theta_init = p.number("theta_init");
    c.theta_h_init = p.number("theta_h_init");
  };
  if (cell == "if_curr_exp_adaptive") {
    host::IfCurrExpAdaptiveParams c;
    adaptive(c);
    return host::uniform_block(c, 1, dt);
  }
  if (cell == "if_cond_exp_adaptive") {
    host::IfCondExpAdaptiveParams c;
    adaptive(c);
    c.e_rev_E = p.number("e_rev_E");
    c.e_rev_I = p.number("e_rev_I");
    return host::uniform_block(c, 1, dt);
  }
  if (cell == "izhikevich") {
    host::IzhikevichParams c;
    c.a = p.number("a");
    c.b = p.number("b");
    c.c = p.number("c");
    c.d = p.number("d");
    c.i_offset = p.number("i_offset");
    c.tau_syn_E = p.number("tau_syn_E");
    c.tau_syn_I = p.number("tau_syn_I");
    c.v_init = p.number("v_init");
    c.u_init = p.number("u_init");
    return host::uniform_block(c, 1, dt);
  }
  if (cell == "if_nonleaky") {
    host::IfNonLeakyParams c;
    c.cm = p.number("cm");
    c.v_thresh = p.number("v_thresh");
    c.v_reset = p.number("v_reset");
    c.i_offset = p.number("i_offset");
    c.tau_refrac = p.number("tau_refrac");
    c.v_init = p.number("v_init");
    return host::uniform_block(c, 1, dt);
  }
  throw std::runtime_error("unknown cell type " + cell);
}

struct Comparison {
  Reference ref;
  SingleNeuronRun run;
};

Comparison run_model(const std::string& model) {
  Comparison c{load_reference(model), {}};
  const Reference& r = c.ref;
  SingleNeuronSetup s;
  s.neuron = neuron_block(r.cell, r.params, r.dt);
  s.inputs = r.inputs;
  s.w_exc = r.w_exc;
  s.w_inh = r.w_inh;
  s.delay_ticks = 1;  // Brian2 t_g <-> array tick t_g/dt with delay 1 (make_references.py)
  s.timestep_us = static_cast<uint32_t>(std::lround(r.dt * 1000.0));
  s.n_ticks = to_tick(r.duration, r.dt);
  s.sample_interval = to_tick(r.record_every, r.dt);
  const std::vector<std::string> unused = r.params.unused();
  EXPECT_TRUE(unused.empty()) << "parameter '" << unused.front() << "' in the reference is not used by the test";
  c.run = run_single_neuron(s);
  // The whole input reached the neuron, nothing was dropped or saturated.
  EXPECT_EQ(c.run.synaptic_events, r.inputs.size());
  EXPECT_EQ(c.run.packets_no_match, 0u);
  EXPECT_EQ(c.run.ring_saturations, 0u);
  EXPECT_EQ(c.run.records_dropped, 0u);
  EXPECT_EQ(c.run.v_ticks, r.v_ticks) << "v must be sampled at the reference's times";
  return c;
}

// Same count, and the largest |Spindle - Brian2| over spike pairs (steps).
uint32_t max_spike_shift(const Comparison& c) {
  EXPECT_EQ(c.run.spikes.size(), c.ref.spikes.size()) << "spike count";
  uint32_t worst = 0;
  for (size_t i = 0; i < std::min(c.run.spikes.size(), c.ref.spikes.size()); ++i) {
    const int64_t d = int64_t{c.run.spikes[i]} - c.ref.spikes[i];
    worst = std::max(worst, static_cast<uint32_t>(d < 0 ? -d : d));
  }
  return worst;
}

// Max |dv| over the samples described at the top of the file.
double max_v_error(const Comparison& c, uint32_t window_ticks, double v_ceiling) {
  double worst = 0;
  const size_t pairs = std::min(c.run.spikes.size(), c.ref.spikes.size());
  for (size_t k = 0; k < c.ref.v.size() && k < c.run.v.size(); ++k) {
    const uint32_t t = c.ref.v_ticks[k];
    if (c.ref.v[k] >= v_ceiling) continue;
    bool skip = false;
    for (size_t i = 0; i < pairs && !skip; ++i) {
      const uint32_t a = c.run.spikes[i], b = c.ref.spikes[i];
      if (a == b) continue;
      const uint32_t lo = std::min(a, b), hi = std::max(a, b);
      skip = t + window_ticks > lo && t <= hi + window_ticks;
    }
    if (!skip) worst = std::max(worst, std::fabs(c.run.v[k] - c.ref.v[k]));
  }
  return worst;
}

void report(const std::string& model, double v_err, double v_tol, uint32_t shift, uint32_t shift_tol,
            size_t n_spikes) {
  if (n_spikes == 0)
    std::printf("[ measured ] %s: max |dv| = %.4g mV (tolerance %.4g), no spikes\n", model.c_str(), v_err, v_tol);
  else
    std::printf("[ measured ] %s: max |dv| = %.4g mV (tolerance %.4g), %zu spikes, max shift %u steps (tolerance %u)\n",
                model.c_str(), v_err, v_tol, n_spikes, shift, shift_tol);
  ::testing::Test::RecordProperty("max_abs_v_error_mV", std::to_string(v_err));
  ::testing::Test::RecordProperty("max_spike_shift_steps", std::to_string(shift));
}

constexpr double kNoCeiling = std::numeric_limits<double>::infinity();

// --- IF_curr_exp -----------------------------------------------------------
// Spindle's scheme (exact exponential membrane step with the synaptic current
// held at its exact step mean; exact exponential synapse) differs from
// Brian2's exact solution of the linear system by ~R I dt^3 / (12 tau_m^2
// tau_syn) per step, ~1e-6 mV here. What is left is fixed point:
//   * rounding of the synaptic currents: every decay step rounds to 2^-16
//     nA; while input keeps a current far above its dead band (25 / 50 ulp
//     for tau 5 / 10 ms), the errors are a random walk of ~0.3 x 2^-15 x
//     sqrt(1 / (1 - d^2)) = 1.5 / 2 ulp rms, ~1e-3 mV through R = 20 MOhm
//     (the worst case, both currents stuck in their dead bands, is
//     R x 75 x 2^-15 = 0.05 mV; 300 / 100 Hz input never lets them decay
//     that far);
//   * the membrane's rounding (2^-16 mV a step, at most 3.1e-3 mV
//     accumulated, lif_closed_form_test.cpp) and the step-mean factor's
//     (R x 2^-16 = 3e-4 mV);
//   * quantization of the weights (0.6 nA -> 2^-15 grid, 1e-5 relative) and
//     of i_offset (R x 2^-16 = 3e-4 mV).
// Tolerance 0.005 mV for both runs (measured 0.0024 free-running, 0.0021
// spiking). Spikes: a v error e moves a crossing by one step only if v at a
// step end lies within e of threshold: tolerance 1 step (measured: all 16 in
// the same step).
TEST(Brian2Reference, IfCurrExpFreeRunning) {
  const Comparison c = run_model("if_curr_exp_free");
  constexpr double kVTol = 0.005;
  EXPECT_TRUE(c.run.spikes.empty());
  const double v_err = max_v_error(c, 0, kNoCeiling);
  report("if_curr_exp_free", v_err, kVTol, 0, 0, 0);
  EXPECT_LE(v_err, kVTol);
}

TEST(Brian2Reference, IfCurrExp) {
  const Comparison c = run_model("if_curr_exp");
  constexpr double kVTol = 0.005;
  constexpr uint32_t kShiftTol = 1;
  const uint32_t shift = max_spike_shift(c);
  const double v_err = max_v_error(c, 0, kNoCeiling);
  report("if_curr_exp", v_err, kVTol, shift, kShiftTol, c.run.spikes.size());
  EXPECT_GE(c.ref.spikes.size(), 10u);
  EXPECT_LE(shift, kShiftTol);
  EXPECT_LE(v_err, kVTol);
}

// --- IF_cond_exp -----------------------------------------------------------
// Brian2 integrates with RK4 (its error < 1e-6 mV: checked against RK4 with
// 10 substeps). Spindle (docs/models.md, "IF_cond_exp"): exact synaptic step
// mean, drive g (E - V) evaluated at the midpoint V of a trial step, exact
// LIF step with that drive; conductances held in units of 2^-10 uS.
//   * Scheme: the same scheme in double precision differs from Brian2 by
//     2.1e-4 mV on the free-running trace (second order; with the drive at
//     the start-of-step V, as before, it was 0.022 mV).
//   * Conductance rounding: state resolution 2^-25 uS. The decay's dead band
//     (25 / 50 ulp, tau 5 / 10 ms) is 7.5e-7 / 1.5e-6 uS; x driving force
//     (65 / 15 mV) x R = 20 MOhm: at most 1.0e-3 + 4.5e-4 mV, and only while
//     a conductance has decayed into its band. Weights (15 / 20 nS) are on a
//     2^-22 / 2^-21 uS grid: relative error < 1.2e-5, ~1e-5 mV.
//   * Membrane and drive rounding: 2^-16 mV a step (dead band at most
//     3.1e-3 mV, lif_closed_form_test.cpp), and the two rounded currents and
//     alpha, R x 3 x 2^-16 = 9e-4 mV, both random walks far below their
//     bounds in practice.
// Measured: 4.5e-4 mV free-running, 3.7e-4 mV spiking, every spike in the
// same step (before the fix: 0.285 mV, 0.79 mV and 4 steps). Tolerance
// 0.002 mV for both runs: 4x the measurement, above the scheme's own error,
// and a tenth of what either old approximation costs (0.022 mV for the
// start-of-step drive, 0.26 mV for conductances on the 2^-15 uS grid), so
// the test fails if either comes back. Spikes: as for IF_curr_exp, a v error
// e moves a crossing by one step only if v at a step end lies within e of
// threshold: tolerance 1 step.
TEST(Brian2Reference, IfCondExpFreeRunning) {
  const Comparison c = run_model("if_cond_exp_free");
  constexpr double kVTol = 0.002;
  EXPECT_TRUE(c.run.spikes.empty());
  const double v_err = max_v_error(c, 0, kNoCeiling);
  report("if_cond_exp_free", v_err, kVTol, 0, 0, 0);
  EXPECT_LE(v_err, kVTol);
}

TEST(Brian2Reference, IfCondExp) {
  const Comparison c = run_model("if_cond_exp");
  constexpr double kVTol = 0.002;
  constexpr uint32_t kShiftTol = 1;
  const uint32_t shift = max_spike_shift(c);
  const double v_err = max_v_error(c, 50, kNoCeiling);
  report("if_cond_exp", v_err, kVTol, shift, kShiftTol, c.run.spikes.size());
  EXPECT_GE(c.ref.spikes.size(), 10u);
  EXPECT_LE(shift, kShiftTol);
  EXPECT_LE(v_err, kVTol);
}

// --- IF_curr_exp_adaptive, IF_cond_exp_adaptive -----------------------------
// The membranes as above; the threshold adds little error of its own:
//   * theta decays by a rounded s16.15 product each step (2^-16 mV); with
//     exp(-dt / 50 ms) the accumulated error is at most 2^-16 / (1 - d) =
//     7.6e-3 mV, a random walk of ~2e-4 mV in practice;
//   * theta_h is s16.47 and its fall eta_h x target_rate dt is exact there;
//     eta_h = 0.4 mV is 13107 / 2^15 (6e-6 mV low a spike, ~1e-4 mV over
//     the run); v_thresh = -50 mV is exact.
// The same tolerances as the base types (v 0.005 / 0.002 mV, spikes 1 step):
// a threshold error e moves a crossing only if v at a step end lies within e
// of the threshold. Both traces start with theta = 1 mV and theta_h = -3 mV,
// so the initial values, the spike-triggered rise and decay, the
// homeostatic fall and rise and the refractory gate are all exercised.
TEST(Brian2Reference, IfCurrExpAdaptive) {
  const Comparison c = run_model("if_curr_exp_adaptive");
  constexpr double kVTol = 0.005;
  constexpr uint32_t kShiftTol = 1;
  const uint32_t shift = max_spike_shift(c);
  const double v_err = max_v_error(c, 0, kNoCeiling);
  report("if_curr_exp_adaptive", v_err, kVTol, shift, kShiftTol, c.run.spikes.size());
  EXPECT_GE(c.ref.spikes.size(), 10u);
  EXPECT_LE(shift, kShiftTol);
  EXPECT_LE(v_err, kVTol);
}

TEST(Brian2Reference, IfCondExpAdaptive) {
  const Comparison c = run_model("if_cond_exp_adaptive");
  constexpr double kVTol = 0.002;
  constexpr uint32_t kShiftTol = 1;
  const uint32_t shift = max_spike_shift(c);
  const double v_err = max_v_error(c, 50, kNoCeiling);
  report("if_cond_exp_adaptive", v_err, kVTol, shift, kShiftTol, c.run.spikes.size());
  EXPECT_GE(c.ref.spikes.size(), 10u);
  EXPECT_LE(shift, kShiftTol);
  EXPECT_LE(v_err, kVTol);
}

// --- Izhikevich ------------------------------------------------------------
// Brian2 uses the same explicit midpoint (RK2) scheme at the same dt. The
// synaptic current enters Spindle as its exact step mean and Brian2's RK2 as
// its start / midpoint values, an O((dt / tau_syn)^2) difference that alone
// moves v by < 0.25 mV and no spike (checked in double precision). What is
// left is fixed point:
//   * dt = 0.1 ms is 3277 / 2^15 = 0.10000610 ms in s16.15, so the model's
//     clock runs 6.1e-5 fast (0.03 ms over the run): alone, in double
//     precision, it moves one spike by 1 step;
//   * s16.15 rounding in the RK2 stages (2^-16 each, the v^2 term included);
//   * 0.04 is exact to 4e-11 (s0.31). As 1311 / 2^15 = 0.0400085 (before
//     this test) it added 0.04 mV/ms to dv/dt and moved spikes by up to 67
//     steps here.
// The v^2 dynamics amplify any difference near the saddle-node: this trace
// has a slow passage (a 67 ms pause before spike 6) where spikes move by 3
// steps; elsewhere they coincide. Tolerances: spikes 4 steps (measured 3);
// v below -50 mV (the upstroke moves tens of mV per step, where a sub-step
// time shift is a large v difference) and outside 5 ms of a shifted spike,
// 0.6 mV (measured 0.42, in the slow passage).
TEST(Brian2Reference, Izhikevich) {
  const Comparison c = run_model("izhikevich");
  constexpr double kVTol = 0.6;
  constexpr uint32_t kShiftTol = 4;
  const uint32_t shift = max_spike_shift(c);
  const double v_err = max_v_error(c, 50, -50.0);
  report("izhikevich", v_err, kVTol, shift, kShiftTol, c.run.spikes.size());
  EXPECT_GE(c.ref.spikes.size(), 8u);
  EXPECT_LE(shift, kShiftTol);
  EXPECT_LE(v_err, kVTol);
}

// --- Non-leaky IF, delta synapses --------------------------------------------
// Spindle adds in exact integer arithmetic (v += weights + bias; on a spike
// v -= v_thresh - v_reset), so its v is Brian2's v plus the accumulated
// quantization of bias and weights, exactly:
//   v_S(t) = v_B(t) - P(t) + t dbias + N_exc(t) dw_exc - N_inh(t) dw_inh
//            - (n_S(t) - n_B(t)) (v_thresh - v_reset)
// with dbias = bias_q - i_offset dt / cm, dw = w_q - w, N the inputs and n
// the spikes before sample t, and P(t) the weights that Brian2's sample at t
// already holds but Spindle's does not yet (inputs of step t - 1: Brian2
// adds them after step t - 1, Spindle at the start of step t; both threshold
// tests first see them in step t, so spike steps are aligned). The test
// checks this identity at every sample to 1e-6 mV (the file's 6 decimals),
// which also pins every Spindle spike to its 1 ms interval.
// Without a leak nothing is forgotten: the bias 0.002 mV/tick is 65.536 ulp,
// stored as 66 (+0.7 %, 1.4e-5 mV/tick, 0.07 mV after 5000 ticks); the
// weights add +6e-6 / -1.3e-5 mV per input. All three push v up, so
// Spindle's spikes can only come earlier, by drift / (dv/dt) at the
// crossing: up to 73 steps here, late in the run where inhibition nearly
// cancels the bias (dv/dt ~ 0.01 mV/ms). Tolerance: never later, at most 80
// steps earlier.
TEST(Brian2Reference, IfNonLeakyDelta) {
  const Comparison c = run_model("if_nonleaky");
  const Reference& r = c.ref;
  const double cm = r.params.number("cm"), i_offset = r.params.number("i_offset");
  const double step = r.params.number("v_thresh") - r.params.number("v_reset");
  host::IfNonLeakyParams q;
  q.cm = cm;
  q.i_offset = i_offset;
  const double dbias = host::to_double(host::to_fixed(q, r.dt).membrane.bias) - i_offset * r.dt / cm;
  const EffectiveWeights w = effective_weights(r.w_exc, r.w_inh, fw::ModelId::kIfNonLeakyDelta);
  const double dw_exc = w.exc - r.w_exc, dw_inh = w.inh - r.w_inh;
  constexpr double kIdentityTol = 1e-6;

  double worst = 0;
  for (size_t k = 0; k < r.v.size(); ++k) {
    const uint32_t t = r.v_ticks[k];  // sampled before update t: updates 0..t-1 are in
    // Inputs of array tick a are added in update a + 1, so they are in
    // Spindle's sample t if a + 2 <= t; Brian2's sample a + 1 already holds
    // them: take those out of Brian2's value.
    double n_exc = 0, n_inh = 0, pending = 0;
    for (const InputSpike& in : r.inputs) {
      if (in.tick + 2 <= t) (in.receptor == 0 ? n_exc : n_inh) += 1;
      if (in.tick + 1 == t) pending += in.receptor == 0 ? r.w_exc : -r.w_inh;
    }
    auto before = [t](const std::vector<uint32_t>& s) {
      return static_cast<double>(std::count_if(s.begin(), s.end(), [t](uint32_t x) { return x < t; }));
    };
    const double predicted = r.v[k] - pending + t * dbias + n_exc * dw_exc - n_inh * dw_inh -
                             (before(c.run.spikes) - before(r.spikes)) * step;
    worst = std::max(worst, std::fabs(c.run.v[k] - predicted));
  }
  std::printf("[ measured ] if_nonleaky: dbias %+.3g mV/tick, dw_exc %+.3g mV, dw_inh %+.3g mV, "
              "max |v_S - identity| = %.3g mV\n",
              dbias, dw_exc, dw_inh, worst);
  EXPECT_LE(worst, kIdentityTol);

  // The sign argument for "never later" needs all drifts to push v up.
  ASSERT_GT(dbias, 0);
  ASSERT_GE(dw_exc, 0);
  ASSERT_LE(dw_inh, 0);
  constexpr uint32_t kLeadTol = 80;
  EXPECT_EQ(c.run.spikes.size(), r.spikes.size());
  uint32_t lead = 0;
  for (size_t i = 0; i < std::min(c.run.spikes.size(), r.spikes.size()); ++i) {
    EXPECT_LE(c.run.spikes[i], r.spikes[i]) << "spike " << i << " later than Brian2's";
    lead = std::max(lead, r.spikes[i] - std::min(r.spikes[i], c.run.spikes[i]));
  }
  report("if_nonleaky", worst, kIdentityTol, lead, kLeadTol, c.run.spikes.size());
  EXPECT_GE(r.spikes.size(), 8u);
  EXPECT_LE(lead, kLeadTol);
}

}  // namespace
}  // namespace spindle::test
