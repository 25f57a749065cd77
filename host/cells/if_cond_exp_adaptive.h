// IF_cond_exp with an adaptive threshold and intrinsic homeostasis
// (cells/adaptive_threshold.h; docs/models.md): PyNN's IF_cond_exp
// parameters plus tau_theta, theta_plus, eta_h and target_rate, and the state
// variables theta and theta_h. Its conversion to the core's fixed-point
// blocks and its descriptor in the cell-type registry.
#pragma once

#include "cells/adaptive_threshold.h"
#include "cells/cell_type.h"
#include "cells/if_cond_exp.h"

namespace spindle::host {

struct IfCondExpAdaptiveParams : IfCondExpParams, AdaptiveThresholdParams {};

fw::IfCondExpAdaptive::Params to_fixed(const IfCondExpAdaptiveParams& p, double dt, QuantizationReport* r = nullptr);
fw::IfCondExpAdaptive::State initial_state(const IfCondExpAdaptiveParams& p, QuantizationReport* r = nullptr);
// A slice of n identical neurons.
NeuronBlock uniform_block(const IfCondExpAdaptiveParams& p, uint32_t n, double dt, QuantizationReport* r = nullptr);

namespace cells {
extern const CellType if_cond_exp_adaptive_type;
}  // namespace cells

}  // namespace spindle::host
