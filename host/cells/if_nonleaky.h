// Non-leaky integrate-and-fire with delta synapses (weights in mV), reset by
// subtraction: the unit of converted ANNs.
// Its PyNN parameters (the struct's initialisers are the defaults the
// network format uses), their conversion to the core's fixed-point blocks,
// and its descriptor in the cell-type registry (cells/cell_type.h).
#pragma once

#include "cells/cell_type.h"

namespace spindle::host {

struct IfNonLeakyParams {
  double cm = 1.0, v_thresh = 1.0, v_reset = 0.0, v_floor = -1000.0, i_offset = 0.0, tau_refrac = 0.0;
  double v_init = 0.0;
};

fw::IfNonLeakyDelta::Params to_fixed(const IfNonLeakyParams& p, double dt, QuantizationReport* r = nullptr);
fw::IfNonLeakyDelta::State initial_state(const IfNonLeakyParams& p, QuantizationReport* r = nullptr);
// A slice of n identical neurons.
NeuronBlock uniform_block(const IfNonLeakyParams& p, uint32_t n, double dt, QuantizationReport* r = nullptr);

namespace cells {
extern const CellType if_nonleaky_type;
}  // namespace cells

}  // namespace spindle::host
