// Membrane: non-leaky integrate-and-fire with reset by subtraction, the unit
// of ANNs converted to spike form (Rueckauer et al. 2017):
//   V <- V + drive + bias          (drive in mV from delta synapses)
//   on spike: V <- V - (v_thresh - v_reset)
// Subtracting instead of resetting keeps the residual charge, so the rate
// tracks the ReLU activation. bias = i_offset dt / cm, precomputed (mV/tick).
#pragma once

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct MembraneNonLeaky {
  struct Params {
    Accum bias;            // mV per tick
    Accum reset_step;      // v_thresh - v_reset, mV
    Accum v_floor;         // V never goes below this (mV); stops unbounded negative drift
    int32_t refract_ticks;
  };
  struct State {
    Accum v;
    int32_t refract_count;
  };

  static Accum voltage(const State& s) { return s.v; }
  static void integrate(const Params& p, State& s, Accum drive) {
    if (s.refract_count > 0) {
      --s.refract_count;
      return;
    }
    s.v = add_sat(add_sat(s.v, drive), p.bias);
    if (s.v < p.v_floor) s.v = p.v_floor;
  }
  static void reset(const Params& p, State& s) {
    s.v = sub_sat(s.v, p.reset_step);
    s.refract_count = p.refract_ticks;
  }
};

}  // namespace spindle::fw
