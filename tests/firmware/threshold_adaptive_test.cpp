// The adaptive threshold with homeostasis (neuron/parts/threshold_adaptive.h)
// in the composed models IfCurrExpAdaptive and IfCondExpAdaptive, against
// closed forms and exact identities; the Brian2 traces are in
// tests/models/brian2_reference_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "cells/if_cond_exp_adaptive.h"
#include "cells/if_curr_exp_adaptive.h"
#include "neuron/models.h"
#include "quantize/quantize.h"

namespace spindle {
namespace {

using fw::Accum;
using fw::IfCurrExpAdaptive;

constexpr double kDt = 0.1;  // ms

struct Neuron {
  IfCurrExpAdaptive::Params p;
  IfCurrExpAdaptive::State s;
  const Accum zero[IfCurrExpAdaptive::kReceptors] = {};

  explicit Neuron(const host::IfCurrExpAdaptiveParams& c)
      : p(host::to_fixed(c, kDt)), s(host::initial_state(c)) {}
  bool step() { return IfCurrExpAdaptive::step(p, s, zero); }
  double theta() const { return host::to_double(s.threshold.theta); }
  // theta_h in mV: the state keeps v_thresh + theta_h.
  double theta_h(double v_thresh) const { return host::to_double(s.threshold.threshold_h) - v_thresh; }
};

// A neuron that cannot fire (v_thresh far above anything the membrane reaches).
host::IfCurrExpAdaptiveParams silent() {
  host::IfCurrExpAdaptiveParams c;
  c.v_thresh = 1000;
  return c;
}

// theta after a spike decays as theta_plus exp(-t / tau_theta): each step
// rounds one s16.15 product (2^-16 mV), so the error stays below
// 2^-16 / (1 - exp(-dt / tau)) plus the decay factor's own rounding.
TEST(ThresholdAdaptive, ThetaDecaysExponentially) {
  host::IfCurrExpAdaptiveParams c = silent();
  c.tau_theta = 30;
  c.theta_init = 5;
  Neuron n(c);
  const double bound = std::ldexp(1.0, -16) / (1 - std::exp(-kDt / c.tau_theta)) + 1e-6;
  double worst = 0;
  for (int k = 1; k <= 3000; ++k) {
    ASSERT_FALSE(n.step());
    worst = std::max(worst, std::fabs(n.theta() - 5 * std::exp(-k * kDt / c.tau_theta)));
  }
  std::printf("[ measured ] theta decay: max error %.3g mV (bound %.3g)\n", worst, bound);
  EXPECT_LE(worst, bound);
  EXPECT_GT(n.theta(), 0);  // 5 exp(-10) = 2.3e-4 mV, 7 ulp: not yet in the dead band
}

// theta_h falls by eta_h x target_rate x dt each step, exactly in s16.47:
// after k steps, threshold_h = v_thresh + theta_h(0) - k eta_h.raw rate_dt.raw.
TEST(ThresholdAdaptive, ThetaHFallsExactlyBetweenSpikes) {
  host::IfCurrExpAdaptiveParams c = silent();
  c.eta_h = 0.05;
  c.target_rate = 5;
  c.theta_h_init = 2;
  Neuron n(c);
  const int64_t start = n.s.threshold.threshold_h.value();
  const int64_t fall = int64_t{n.p.threshold.eta_h.raw} * n.p.threshold.rate_dt.raw;
  for (int k = 1; k <= 10000; ++k) ASSERT_FALSE(n.step());
  EXPECT_EQ(n.s.threshold.threshold_h.value(), start - 10000 * fall);
  // 0.05 mV x 5 Hz x 1 s = 0.25 mV, to the quantization of eta_h (1638 /
  // 2^15 mV, 2.4e-4 low) and of rate_dt (2^-33 a step).
  EXPECT_NEAR(n.theta_h(c.v_thresh), 2 - 0.25, 0.25 * 1e-3);
}

// Over any run, whatever the input: threshold_h(end) - threshold_h(0) =
// eta_h (spikes - rate_dt x steps) exactly, and theta is the sum of its
// spikes' decayed steps; both checked bit for bit against a plain replay.
TEST(ThresholdAdaptive, EveryStepAndSpikeIsAccountedForExactly) {
  host::IfCurrExpAdaptiveParams c;
  c.i_offset = 1.2;
  c.tau_refrac = 2;
  c.theta_plus = 1.5;
  c.tau_theta = 40;
  c.eta_h = 0.3;
  c.target_rate = 12;
  Neuron n(c);
  const int64_t start = n.s.threshold.threshold_h.value();
  const int64_t eta = int64_t{n.p.threshold.eta_h.raw} << 32;
  const int64_t fall = int64_t{n.p.threshold.eta_h.raw} * n.p.threshold.rate_dt.raw;
  Accum theta = n.s.threshold.theta;
  int64_t spikes = 0;
  constexpr int kSteps = 50000;
  for (int k = 0; k < kSteps; ++k) {
    const bool fired = n.step();
    theta = mul(theta, n.p.threshold.theta_decay);
    if (fired) {
      ++spikes;
      theta = add_sat(theta, n.p.threshold.theta_plus);
    }
    ASSERT_EQ(n.s.threshold.theta, theta) << "step " << k;
  }
  EXPECT_GT(spikes, 10);
  EXPECT_EQ(n.s.threshold.threshold_h.value() - start, spikes * eta - int64_t{kSteps} * fall);
}

// The homeostatic rule draws the rate to target_rate from above and from
// below: a drive that alone fires at ~70 Hz, and one that alone never fires
// (i_offset below rheobase), both end at 10 Hz. In steady state theta_h
// moves by less than its range over the window, so over W seconds
// |spikes - 10 W| <= (theta_h's range in the window) / eta_h + 1; with eta_h
// 0.2 mV and the window's range measured, the test bounds the rate within 5%.
TEST(ThresholdAdaptive, HomeostasisDrawsTheRateToItsTarget) {
  for (const double i_offset : {2.0, 0.6}) {
    host::IfCurrExpAdaptiveParams c;
    c.i_offset = i_offset;  // 2 nA: v_inf = -25 mV; 0.6 nA: v_inf = -53 mV < v_thresh -50
    c.tau_refrac = 2;
    c.eta_h = 0.2;
    c.target_rate = 10;
    Neuron n(c);
    constexpr int kStepsPerSecond = 10000;
    int spikes_first = 0, spikes_last = 0;
    for (int k = 0; k < 60 * kStepsPerSecond; ++k) {
      const bool fired = n.step();
      if (k < kStepsPerSecond) spikes_first += fired;
      if (k >= 40 * kStepsPerSecond) spikes_last += fired;
    }
    const double rate = spikes_last / 20.0;
    std::printf("[ measured ] i_offset %.1f nA: first second %d spikes, last 20 s %.2f Hz, theta_h %.3f mV\n",
                i_offset, spikes_first, rate, n.theta_h(c.v_thresh));
    if (i_offset > 1) {
      EXPECT_GT(spikes_first, 40) << "the drive alone fires fast";
      EXPECT_GT(n.theta_h(c.v_thresh), 0);
    } else {
      EXPECT_EQ(spikes_first, 0) << "the drive alone never fires";
      EXPECT_LT(n.theta_h(c.v_thresh), 0);
    }
    EXPECT_NEAR(rate, 10.0, 0.5);
  }
}

// A threshold below v_reset does not make a refractory neuron fire: at most
// one spike per 1 + refractory steps, as Brian2 and NEST.
TEST(ThresholdAdaptive, NoSpikeWhileRefractory) {
  host::IfCurrExpAdaptiveParams c;
  c.tau_refrac = 1;  // 10 steps
  c.theta_h_init = -40;  // threshold -90 mV, below v_reset -65
  Neuron n(c);
  std::vector<int> at;
  for (int k = 0; k < 200; ++k)
    if (n.step()) at.push_back(k);
  ASSERT_GE(at.size(), 10u);
  for (size_t i = 1; i < at.size(); ++i) EXPECT_EQ(at[i] - at[i - 1], 11) << "spike " << i;
}

// theta_plus 0 and eta_h 0 (the defaults): the same spikes and v as
// IF_curr_exp, bit for bit.
TEST(ThresholdAdaptive, DefaultsBehaveAsIfCurrExp) {
  host::IfCurrExpParams base;
  base.i_offset = 0.9;
  base.tau_refrac = 2;
  host::IfCurrExpAdaptiveParams c;
  static_cast<host::IfCurrExpParams&>(c) = base;
  Neuron n(c);
  fw::IfCurrExp::Params bp = host::to_fixed(base, kDt);
  fw::IfCurrExp::State bs = host::initial_state(base);
  const Accum zero[2] = {};
  int spikes = 0;
  for (int k = 0; k < 20000; ++k) {
    const bool a = n.step(), b = fw::IfCurrExp::step(bp, bs, zero);
    ASSERT_EQ(a, b) << "step " << k;
    ASSERT_EQ(IfCurrExpAdaptive::voltage(n.s), fw::IfCurrExp::voltage(bs)) << "step " << k;
    spikes += a;
  }
  EXPECT_GT(spikes, 10);
}

// The conductance variant: the same threshold part, so the same identity.
TEST(ThresholdAdaptive, CondExpVariantKeepsTheSameAccount) {
  host::IfCondExpAdaptiveParams c;
  c.i_offset = 1.5;
  c.theta_plus = 1;
  c.eta_h = 0.25;
  c.target_rate = 8;
  fw::IfCondExpAdaptive::Params p = host::to_fixed(c, kDt);
  fw::IfCondExpAdaptive::State s = host::initial_state(c);
  const Accum zero[2] = {};
  const int64_t start = s.threshold.threshold_h.value();
  int64_t spikes = 0;
  for (int k = 0; k < 30000; ++k) spikes += fw::IfCondExpAdaptive::step(p, s, zero);
  EXPECT_GT(spikes, 10);
  EXPECT_EQ(s.threshold.threshold_h.value() - start,
            spikes * (int64_t{p.threshold.eta_h.raw} << 32) - 30000 * int64_t{p.threshold.eta_h.raw} * p.threshold.rate_dt.raw);
}

}  // namespace
}  // namespace spindle
