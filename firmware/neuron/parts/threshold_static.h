// Threshold: a fixed per-neuron threshold; the neuron fires when V >= v_thresh.
// The members NeuronModel::step calls on every threshold part
// (threshold_adaptive.h has state); here they do nothing.
#pragma once

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct ThresholdStatic {
  // Not gated: a refractory LIF membrane is held at v_reset < v_thresh
  // (validation, in double: two values closer than 2^-16 mV round to the
  // same s16.15 value, the one case where it fires again), so it cannot
  // cross; the models keep their tested spikes.
  static constexpr bool kGatedByRefractoriness = false;
  struct Params {
    Accum v_thresh;  // mV
  };
  struct State {};
  static void advance(const Params&, State&) {}
  static bool crossed(const Params& p, const State&, Accum v) { return v >= p.v_thresh; }
  static void on_spike(const Params&, State&) {}
  // A neuron mode's threshold offset moves v_thresh by delta.
  static void shift(Params& p, State&, Accum delta) { p.v_thresh = add_sat(p.v_thresh, delta); }
  static Accum effective(const Params& p, const State&) { return p.v_thresh; }
};

}  // namespace spindle::fw
