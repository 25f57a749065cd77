// Membrane: Izhikevich (2003), integrated with the explicit midpoint method
// (RK2) as sPyNNaker does, in ms and mV:
//   dv/dt = 0.04 v^2 + 5 v + 140 - u + I
//   du/dt = a (b v - u)
// Reset when v >= 30 mV: v <- c, u <- u + d. The input I (nA, synaptic plus
// i_offset) enters dv/dt directly, i.e. with a 1 MOhm input resistance.
// 0.04 is held in s0.31 (85899346 / 2^31 = 0.04 + 3.7e-11): in s16.15 it would
// be 1311 / 2^15 = 0.040008544921875, which adds 0.042 mV/ms to dv/dt at
// v = -70 mV and moved spikes by up to 6.7 ms against Brian2 (tests/models/).
#pragma once

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct MembraneIzhikevich {
  struct Params {
    Accum a, b, c, d;
    Accum i_offset;  // nA
    Accum h;         // dt in ms
  };
  struct State {
    Accum v;  // mV
    Accum u;
  };

  static constexpr SFract31 k004 = SFract31::from_raw(85899346);  // round(0.04 x 2^31)
  static constexpr Accum k5 = Accum::from_int(5);
  static constexpr Accum k140 = Accum::from_int(140);

  static Accum dv(Accum v, Accum u, Accum input) {
    // (0.04 v + 5) v + 140 - u + I
    const Accum poly = mul(add_sat(mul(v, k004), k5), v);
    return add_sat(sub_sat(add_sat(poly, k140), u), input);
  }
  static Accum du(const Params& p, Accum v, Accum u) { return mul(p.a, sub_sat(mul(p.b, v), u)); }

  static Accum voltage(const State& s) { return s.v; }
  static void integrate(const Params& p, State& s, Accum drive) {
    const Accum input = add_sat(drive, p.i_offset);
    const Accum half_h = Accum::from_raw(p.h.raw / 2);
    const Accum v_mid = add_sat(s.v, mul(half_h, dv(s.v, s.u, input)));
    const Accum u_mid = add_sat(s.u, mul(half_h, du(p, s.v, s.u)));
    s.v = add_sat(s.v, mul(p.h, dv(v_mid, u_mid, input)));
    s.u = add_sat(s.u, mul(p.h, du(p, v_mid, u_mid)));
  }
  static void reset(const Params& p, State& s) {
    s.v = p.c;
    s.u = add_sat(s.u, p.d);
  }
};

}  // namespace spindle::fw
