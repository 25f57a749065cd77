// Threshold: adaptive, with intrinsic homeostasis. The neuron fires when
//   V >= v_thresh + theta + theta_h
// and is not refractory (as Brian2's and NEST's refractory neurons), where
//   theta    the spike-triggered part: += theta_plus at each spike, decays
//            back to 0 with tau_theta (theta <- theta exp(-dt/tau_theta) each
//            step);
//   theta_h  the homeostatic offset: += eta_h at each spike, and falls by
//            eta_h x target_rate per unit time, so it stays put only when the
//            neuron fires at target_rate. Above that rate the threshold
//            rises, below it falls: the firing rate is drawn to target_rate.
// Each step both parts move first (the state update), then the threshold is
// tested, then a spike adds its steps (the reset): Brian2's order.
//
// theta is s16.15 like V. The state keeps v_thresh + theta_h (the offset
// moves the threshold and nothing else, so one sum holds both and the
// parameter block stays within kMaxNeuronParamWords), in s16.47 (Accum47):
// the per-step fall eta_h x target_rate x dt is often far below 2^-15 mV
// (0.05 mV x 5 Hz x 0.1 ms = 2.5e-5 mV). It is computed exactly, eta_h
// (s16.15) x target_rate dt (u0.32) = s16.47, so the rate the rule settles
// at is target_rate to within 2^-32 spikes per step. The sum saturates at
// s16.47's limits, [-65536, 65536) mV, as every Accum.
#pragma once

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct ThresholdAdaptive {
  // No spike while the membrane is refractory (NeuronModel::step asks the
  // Membrane): the threshold may fall below v_reset.
  static constexpr bool kGatedByRefractoriness = true;
  struct Params {
    UFract32 theta_decay;  // exp(-dt / tau_theta)
    Accum theta_plus;      // mV, >= 0
    Accum eta_h;           // mV, >= 0
    UFract32 rate_dt;      // target_rate x dt: spikes per step, < 1
  };
  struct State {
    Accum theta;          // mV
    Accum47 threshold_h;  // v_thresh + theta_h, mV
  };

  // eta_h x rate_dt, s16.15 x u0.32 = s16.47 exactly (|product| < 2^63).
  static constexpr int64_t drift(const Params& p) { return int64_t{p.eta_h.raw} * int64_t{p.rate_dt.raw}; }
  // threshold_h rounded up to s16.15: floor(x / 2^32), plus 1 when bits are
  // left below (no addition that could overflow).
  static constexpr int64_t ceiling(Accum47 x) {
    const int64_t v = x.value();
    return (v >> 32) + ((v & 0xFFFFFFFF) != 0 ? 1 : 0);
  }

  static void advance(const Params& p, State& s) {
    s.theta = mul(s.theta, p.theta_decay);
    s.threshold_h = Accum47::of(add_sat64(s.threshold_h.value(), -drift(p)));
  }
  // Exact: V and theta are multiples of 2^-15 mV, so V >= theta +
  // threshold_h holds exactly when it holds for threshold_h's ceiling in
  // s16.15; the sum is taken in 64 bits (no saturation).
  static bool crossed(const Params&, const State& s, Accum v) {
    return int64_t{v.raw} >= int64_t{s.theta.raw} + ceiling(s.threshold_h);
  }
  static void on_spike(const Params& p, State& s) {
    s.theta = add_sat(s.theta, p.theta_plus);
    s.threshold_h = Accum47::of(add_sat64(s.threshold_h.value(), int64_t{p.eta_h.raw} * (int64_t{1} << 32)));
  }
  // A neuron mode's threshold offset moves the whole threshold by delta.
  static void shift(Params&, State& s, Accum delta) {
    s.threshold_h = Accum47::of(add_sat64(s.threshold_h.value(), int64_t{delta.raw} * (int64_t{1} << 32)));
  }
  // The threshold V must reach now, saturated to s16.15.
  static Accum effective(const Params&, const State& s) {
    return Accum{saturate_i32(int64_t{s.theta.raw} + ceiling(s.threshold_h))};
  }
};

}  // namespace spindle::fw
