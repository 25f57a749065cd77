// IF_curr_exp with a constant current (i_offset only) against its closed form.
//
// With a constant input the firmware's update (neuron/lif_curr_exp.h; the
// synaptic terms are zero, so alpha is the folded base v_rest + round(I R))
//   alpha = I R + v_rest,  V <- alpha - E (alpha - V),  E = exp(-dt/tau_m)
// is the exact solution sampled every dt, so every difference from
//   V(t) = v_rest + R I (1 - exp(-t/tau_m))                         (1)
//   T = tau_refrac + tau_m ln((R I + v_rest - v_reset) / (R I + v_rest - v_thresh))   (2)
// comes from two things only: fixed point, and detecting the threshold at the
// end of a step.
//
// Fixed-point bound (u = 2^-15, the s16.15 resolution; every narrowing rounds
// to nearest, so one rounding costs at most u/2 = 2^-16; u0.32 has 2^-32 and
// rounds to 2^-33). Write x_k = alpha_q - V_k. The core computes exactly
//   x_{k+1} = round(x_k E_q)      (the two subtractions are exact integers)
// where round is mul_rhu's half-up rounding: still to nearest, so the bound
// below is the same as with the earlier ties-away-from-zero products.
// with E_q = E + eta, |eta| <= 2^-33, one rounding r_k, |r_k| <= 2^-16. So
//   V_k - V*_k = (alpha_q - alpha)(1 - E_q^k) + (V0_q - V0) E_q^k
//                - x*_0 (E_q^k - E^k) - sum_{j<k} r_j E_q^(k-1-j)
// and
//   |V_k - V*_k| <= A + |alpha - V0| k 2^-33 + 2^-16 min(k, 1/(1 - E))   (3)
// where A bounds both the error of alpha_q = round(I_q R_q) + v_rest_q,
//   |alpha_q - alpha| <= 2^-16 (|I| + R + 2) + 2^-32  (I, R, v_rest each
//   quantized to 2^-16, the product's rounding, the dI dR cross term),
// and the quantization of the initial V (2^-16). The last term is the
// rounding dead band: once |x| (1 - E) < 2^-16 a step no longer moves V, so
// V can stall that far short of alpha: 3.1e-3 mV at dt = 0.1 ms, 3.1e-4 mV
// at dt = 1 ms (tau_m = 20 ms). The decay-factor term is tiny: 20 mV x 1000
// steps x 2^-33 = 2.3e-6 mV.
//
// Spike time: the core tests V >= v_thresh after each step, so a crossing
// inside step n is reported as tick n and v restarts from v_reset after
// R = round(tau_refrac/dt) held steps. The interval in ticks is exactly
// R + ceil(T_free/dt), T_free = T - tau_refrac, so ISI - T is in [0, dt)
// when tau_refrac = R dt. The fixed-point error eps of (3) can change the
// step of the crossing only where the exact V is within eps of v_thresh; V
// rises ever more slowly (V' = (alpha - V)/tau_m), so that band is crossed in
// at most delta = eps tau_m / (alpha - v_thresh - eps):
//   T - delta <= ISI <= T + dt + delta                                   (4)
// and, when [T_free - delta, T_free + delta] contains no step boundary, ISI
// is exactly R + ceil(T_free/dt) ticks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>

#include "image/cell_params.h"
#include "single_neuron.h"

namespace spindle::test {
namespace {

constexpr double kHalfUlpAccum = 1.0 / (1 << 16);     // 2^-16 mV
constexpr double kHalfUlpFract = 1.0 / 8589934592.0;  // 2^-33

host::IfCurrExpParams base_params(double i_offset) {
  host::IfCurrExpParams p;
  p.cm = 1.0;
  p.tau_m = 20.0;
  p.tau_refrac = 2.0;  // a whole number of steps at both timesteps
  p.v_rest = -65.0;
  p.v_reset = -70.0;
  p.v_thresh = -50.0;
  p.i_offset = i_offset;
  p.v_init = p.v_rest;
  return p;
}

// Bound (3) after k steps from V0 towards alpha.
double fixed_point_bound(const host::IfCurrExpParams& p, double dt, double v0, double k) {
  const double r = p.tau_m / p.cm;
  const double alpha = p.v_rest + r * p.i_offset;
  const double decay = std::exp(-dt / p.tau_m);
  const double a = kHalfUlpAccum * (std::fabs(p.i_offset) + r + 2.0) + kHalfUlpAccum * kHalfUlpAccum;
  return a + std::fabs(alpha - v0) * k * kHalfUlpFract + kHalfUlpAccum * std::min(k, 1.0 / (1.0 - decay));
}

SingleNeuronRun run_constant_current(const host::IfCurrExpParams& p, double dt, uint32_t n_ticks) {
  SingleNeuronSetup s;
  s.neuron = host::uniform_block(p, 1, dt);
  s.timestep_us = static_cast<uint32_t>(std::lround(dt * 1000.0));
  s.n_ticks = n_ticks;
  return run_single_neuron(s);
}

struct Case {
  double dt, i_offset;
};

void PrintTo(const Case& c, std::ostream* os) { *os << "dt=" << c.dt << "ms I=" << c.i_offset << "nA"; }

std::string case_name(const ::testing::TestParamInfo<Case>& param_info) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "dt%gms_I%gnA", param_info.param.dt, param_info.param.i_offset);
  std::string s = buf;
  std::replace(s.begin(), s.end(), '.', '_');
  std::replace(s.begin(), s.end(), '-', 'm');
  return s;
}

class LifSubthreshold : public ::testing::TestWithParam<Case> {};

TEST_P(LifSubthreshold, TraceMatchesClosedFormWithinFixedPointBound) {
  const auto [dt, current] = GetParam();
  const host::IfCurrExpParams p = base_params(current);
  const double r = p.tau_m / p.cm;
  ASSERT_LT(p.v_rest + r * current, p.v_thresh) << "must stay below threshold";
  const uint32_t n = static_cast<uint32_t>(std::lround(200.0 / dt));  // 10 tau_m
  const SingleNeuronRun run = run_constant_current(p, dt, n);
  ASSERT_TRUE(run.spikes.empty());
  ASSERT_EQ(run.v.size(), n);

  double max_err = 0, max_bound = 0;
  for (size_t i = 0; i < run.v.size(); ++i) {
    const double k = run.v_ticks[i];
    const double exact = p.v_rest + r * current * (1.0 - std::exp(-k * dt / p.tau_m));  // (1)
    const double bound = fixed_point_bound(p, dt, p.v_init, k);
    const double err = std::fabs(run.v[i] - exact);
    ASSERT_LE(err, bound) << "tick " << k;
    max_err = std::max(max_err, err);
    max_bound = std::max(max_bound, bound);
  }
  std::printf("[ measured ] dt=%.1f ms I=%.2f nA: max |V - V(t)| = %.3g mV, bound (3) = %.3g mV\n", dt, current,
              max_err, max_bound);
  RecordProperty("max_abs_error_mV", std::to_string(max_err));
  RecordProperty("bound_mV", std::to_string(max_bound));
}

INSTANTIATE_TEST_SUITE_P(Currents, LifSubthreshold,
                         ::testing::Values(Case{0.1, 0.3}, Case{0.1, 0.7}, Case{0.1, -0.5}, Case{1.0, 0.3},
                                           Case{1.0, 0.7}, Case{1.0, -0.5}),
                         case_name);

class LifInterval : public ::testing::TestWithParam<Case> {};

TEST_P(LifInterval, InterSpikeIntervalMatchesClosedForm) {
  const auto [dt, current] = GetParam();
  const host::IfCurrExpParams p = base_params(current);
  const double r = p.tau_m / p.cm;
  const double alpha = p.v_rest + r * current;
  ASSERT_GT(alpha, p.v_thresh) << "must fire";
  const double t_free = p.tau_m * std::log((alpha - p.v_reset) / (alpha - p.v_thresh));
  const double t_closed = p.tau_refrac + t_free;  // (2)
  const int32_t refract = host::refractory_ticks(p.tau_refrac, dt);
  ASSERT_DOUBLE_EQ(refract * dt, p.tau_refrac);

  // Time jitter the fixed-point error allows at the crossing, (4).
  const double steps = std::ceil(t_free / dt) + 1;
  const double eps = fixed_point_bound(p, dt, p.v_reset, steps);
  ASSERT_GT(alpha - p.v_thresh, eps);
  const double slope = (alpha - p.v_thresh - eps) / p.tau_m;  // slowest V' in the band v_thresh +- eps
  const double delta = eps / slope;

  const uint32_t n_ticks = static_cast<uint32_t>(std::ceil(7 * (t_closed + dt) / dt)) + 10;
  const SingleNeuronRun run = run_constant_current(p, dt, n_ticks);
  ASSERT_GE(run.spikes.size(), 6u);

  // After the first spike every interval starts from the same state
  // (v_reset, refractory counter, no synaptic input), so all are identical.
  const uint32_t isi_ticks = run.spikes[2] - run.spikes[1];
  for (size_t i = 2; i < run.spikes.size(); ++i) EXPECT_EQ(run.spikes[i] - run.spikes[i - 1], isi_ticks);

  const double isi = isi_ticks * dt;
  EXPECT_GE(isi, t_closed - delta);
  EXPECT_LE(isi, t_closed + dt + delta);
  const bool unambiguous = std::ceil((t_free - delta) / dt) == std::ceil((t_free + delta) / dt);
  if (unambiguous) {
    EXPECT_EQ(isi_ticks, refract + static_cast<uint32_t>(std::ceil(t_free / dt)));
  }
  std::printf("[ measured ] dt=%.1f ms I=%.2f nA: ISI %.1f ms, closed form T %.4f ms, ISI - T = %+.4f ms, "
              "allowed [%+.4f, %+.4f] ms%s\n",
              dt, current, isi, t_closed, isi - t_closed, -delta, dt + delta,
              unambiguous ? ", = R + ceil(T_free/dt) exactly" : "");
  RecordProperty("isi_minus_T_ms", std::to_string(isi - t_closed));
}

INSTANTIATE_TEST_SUITE_P(Currents, LifInterval,
                         ::testing::Values(Case{0.1, 0.76}, Case{0.1, 0.8}, Case{0.1, 1.0}, Case{0.1, 1.5},
                                           Case{0.1, 2.0}, Case{0.1, 3.0}, Case{0.1, 5.0}, Case{1.0, 0.76},
                                           Case{1.0, 0.8}, Case{1.0, 1.0}, Case{1.0, 1.5}, Case{1.0, 2.0},
                                           Case{1.0, 3.0}, Case{1.0, 5.0}),
                         case_name);

}  // namespace
}  // namespace spindle::test
