// Membrane: leaky integrate-and-fire, integrated exactly for an input current
// held constant over the step (as sPyNNaker does):
//   alpha = (I_syn + i_offset) R + v_rest,   R = tau_m / cm
//   V <- alpha - exp(-dt/tau_m) (alpha - V)
// While refractory, V stays at v_reset and the step only counts down.
#pragma once

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct MembraneLif {
  struct Params {
    Accum v_rest, v_reset;   // mV
    Accum r_membrane;        // MOhm = tau_m / cm
    UFract32 exp_tc;         // exp(-dt / tau_m)
    Accum i_offset;          // nA
    int32_t refract_ticks;   // round(tau_refrac / dt)
  };
  struct State {
    Accum v;                 // mV
    int32_t refract_count;   // ticks of refractoriness left
  };

  static Accum voltage(const State& s) { return s.v; }
  // Whether the next step is one of the refractory ones (V held).
  static bool refractory(const State& s) { return s.refract_count > 0; }
  static void integrate(const Params& p, State& s, Accum drive) {
    if (s.refract_count > 0) {
      --s.refract_count;
      return;
    }
    const Accum alpha = add_sat(mul(add_sat(drive, p.i_offset), p.r_membrane), p.v_rest);
    s.v = sub_sat(alpha, mul(sub_sat(alpha, s.v), p.exp_tc));
  }
  static void reset(const Params& p, State& s) {
    s.v = p.v_reset;
    s.refract_count = p.refract_ticks;
  }
};

}  // namespace spindle::fw
