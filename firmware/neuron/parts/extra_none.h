// Additional input: none. The slot where adaptation currents, dendritic
// plateaus or neuromodulated gain plug in.
#pragma once

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct ExtraNone {
  struct Params {};
  struct State {};
  static Accum current(const Params&, State&, Accum /*v*/) { return Accum::zero(); }
  static void on_spike(const Params&, State&) {}
};

}  // namespace spindle::fw
