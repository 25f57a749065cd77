// Threshold: a fixed per-neuron threshold; the neuron fires when V >= v_thresh.
#pragma once

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct ThresholdStatic {
  struct Params {
    Accum v_thresh;  // mV
  };
  static bool crossed(const Params& p, Accum v) { return v >= p.v_thresh; }
};

}  // namespace spindle::fw
