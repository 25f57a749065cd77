// Input type: current-based. The synaptic drive is exc - inh (nA, or mV for
// delta synapses); the membrane potential does not enter, so the membrane's
// prediction is not used.
//
// Units: the synaptic state may hold the current x 2^Shift (the host scales
// the weights to match: receptor_unit_shifts in host/cells/neuron_block.h).
// An exponentially decaying current in plain s16.15 nA has a rounding dead
// band: once decay x I changes I by less than half an ulp it stops decaying,
// so up to 0.5 / (1 - decay) ulp stays for ever (25 ulp = 0.76 pA at
// tau_syn = 5 ms, dt = 0.1 ms; 1.5 pA at 10 ms). Through R = 100 MOhm that
// is a standing 0.08-0.15 mV drive, which in the Vogels-Abbott network
// (v_rest 1 mV above threshold) lowered the rate by about 12 %. With
// Shift = 8 the dead band is 256 times smaller; the range is still +-256 nA.
#pragma once

#include <cstdint>

#include "fixed/fixed_point.h"

namespace spindle::fw {

template <int32_t Shift>
struct InputCurrentScaled {
  static_assert(Shift >= 0 && Shift <= 15);
  static constexpr int32_t kUnitShift = Shift;
  struct Params {};
  template <class Predict>
  static Accum drive(const Params&, Accum exc, Accum inh, Accum /*v*/, Predict&& /*predict*/) {
    if constexpr (Shift == 0) return sub_sat(exc, inh);
    else return scale_pow2(int64_t{exc.raw} - inh.raw, -Shift);
  }
  static constexpr Accum recorded(Accum x) {
    if constexpr (Shift == 0) return x;
    else return scale_pow2(x.raw, -Shift);
  }
};

// Synaptic state in the model's own units (delta synapses: mV per tick).
using InputCurrent = InputCurrentScaled<0>;

}  // namespace spindle::fw
