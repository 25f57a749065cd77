// Input type: conductance-based. I = g_e (E_rev_E - V) + g_i (E_rev_I - V),
// with g in uS and V, E_rev in mV, so I is in nA.
#pragma once

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct InputConductance {
  struct Params {
    Accum e_rev_exc, e_rev_inh;  // mV
  };
  static Accum drive(const Params& p, Accum g_exc, Accum g_inh, Accum v) {
    return add_sat(mul(g_exc, sub_sat(p.e_rev_exc, v)), mul(g_inh, sub_sat(p.e_rev_inh, v)));
  }
};

}  // namespace spindle::fw
