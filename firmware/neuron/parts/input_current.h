// Input type: current-based. The synaptic drive is exc - inh (nA, or mV for
// delta synapses); the membrane potential does not enter.
#pragma once

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct InputCurrent {
  struct Params {};
  static Accum drive(const Params&, Accum exc, Accum inh, Accum /*v*/) { return sub_sat(exc, inh); }
};

}  // namespace spindle::fw
