// PyNN Izhikevich (regular-spiking defaults), with exponential current synapses.
// Its PyNN parameters (the struct's initialisers are the defaults the
// network format uses), their conversion to the core's fixed-point blocks,
// and its descriptor in the cell-type registry (cells/cell_type.h).
#pragma once

#include "cells/cell_type.h"

namespace spindle::host {

struct IzhikevichParams {
  double a = 0.02, b = 0.2, c = -65.0, d = 2.0, i_offset = 0.0;
  double tau_syn_E = 5.0, tau_syn_I = 5.0;  // exponential current synapses
  double v_init = -70.0, u_init = -14.0;
};

fw::Izhikevich::Params to_fixed(const IzhikevichParams& p, double dt, QuantizationReport* r = nullptr);
fw::Izhikevich::State initial_state(const IzhikevichParams& p, QuantizationReport* r = nullptr);
// A slice of n identical neurons.
NeuronBlock uniform_block(const IzhikevichParams& p, uint32_t n, double dt, QuantizationReport* r = nullptr);

namespace cells {
extern const CellType izhikevich_type;
}  // namespace cells

}  // namespace spindle::host
