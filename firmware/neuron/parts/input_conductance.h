// Input type: conductance-based. I = g_e (E_rev_E - V) + g_i (E_rev_I - V),
// with g in uS and V, E_rev in mV, so I is in nA.
//
// Units: the synaptic state holds g x 2^kUnitShift (s16.15 in units of
// 2^-10 uS: a resolution of 2^-25 uS = 3e-5 nS and a range of +-64 uS). In
// plain s16.15 uS (2^-15 uS = 0.03 nS) weights lost up to 1.5 % and the
// synaptic decay's rounding dead band let g sit up to 0.76 nS (tau 5 ms) /
// 1.5 nS (tau 10 ms) from its exact value; x (E - V) that moved v by up to
// ~1 mV (docs/models.md). The host scales conductance weights by 2^kUnitShift
// (receptor_unit_shifts, host/cells/neuron_block.h); the product g (E - V) is
// formed in 64 bits and shifted back by 15 + kUnitShift bits, rounded.
// Recorded gsyn is scaled back to s16.15 uS (rounded).
//
// Evaluation within the step: the drive depends on V, and V moves during the
// step; held at the start-of-step V_0 it is first order in dt. Instead a
// trial step with the drive at V_0 predicts V_1*, the drive is evaluated at
// V_mid = (V_0 + V_1*) / 2 (rounded) and the membrane takes the real step
// with it: explicit midpoint around the membrane's own step, second order in
// dt. The prediction is the membrane's own update on a copy of its state
// (NeuronModel::step passes it in), so any membrane composes with it.
#pragma once

#include <cstdint>

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct InputConductance {
  static constexpr int32_t kUnitShift = 10;  // synaptic state = g (uS) x 2^10
  struct Params {
    Accum e_rev_exc, e_rev_inh;  // mV
  };

  // g (x 2^kUnitShift) times (E - v) -> nA in s16.15, rounded, saturated.
  static constexpr Accum current(Accum g_scaled, Accum e_rev, Accum v) {
    const int64_t prod = int64_t{g_scaled.raw} * sub_sat(e_rev, v).raw;
    return Accum::from_raw(saturate_i32(round_shift(prod, Accum::kFracBits + kUnitShift)));
  }
  static constexpr Accum drive_at(const Params& p, Accum g_exc, Accum g_inh, Accum v) {
    return add_sat(current(g_exc, p.e_rev_exc, v), current(g_inh, p.e_rev_inh, v));
  }

  // predict(drive): the v the membrane would reach at the end of the step
  // with this drive; changes no state.
  template <class Predict>
  static Accum drive(const Params& p, Accum g_exc, Accum g_inh, Accum v0, Predict&& predict) {
    const Accum v1 = predict(drive_at(p, g_exc, g_inh, v0));
    const Accum v_mid = Accum::from_raw(static_cast<int32_t>(round_shift(int64_t{v0.raw} + v1.raw, 1)));
    return drive_at(p, g_exc, g_inh, v_mid);
  }

  // Synaptic state -> recorded gsyn, s16.15 uS.
  static constexpr Accum recorded(Accum g_scaled) { return scale_pow2(g_scaled.raw, -kUnitShift); }
};

}  // namespace spindle::fw
