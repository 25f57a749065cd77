// Input type: current-based. The synaptic drive is exc - inh (nA, or mV for
// delta synapses); the membrane potential does not enter, so the membrane's
// prediction is not used. The synaptic state is in the model's units.
#pragma once

#include <cstdint>

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct InputCurrent {
  static constexpr int32_t kUnitShift = 0;
  struct Params {};
  template <class Predict>
  static Accum drive(const Params&, Accum exc, Accum inh, Accum /*v*/, Predict&& /*predict*/) {
    return sub_sat(exc, inh);
  }
  static constexpr Accum recorded(Accum x) { return x; }
};

}  // namespace spindle::fw
