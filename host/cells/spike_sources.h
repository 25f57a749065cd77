// PyNN's spike sources: SpikeSourcePoisson (rate, start, duration) and
// SpikeSourceArray (spike times, no parameters). They run on source cores,
// not as a neuron model; their descriptors in the cell-type registry
// (cells/cell_type.h) carry their parameters, rules and costs.
#pragma once

#include "cells/cell_type.h"

namespace spindle::host {

struct PoissonSourceParams {  // PyNN SpikeSourcePoisson
  double rate = 1.0;       // Hz
  double start = 0.0;      // ms
  double duration = 1e10;  // ms
};

namespace cells {
extern const CellType spike_source_poisson_type;
extern const CellType spike_source_array_type;
}  // namespace cells

}  // namespace spindle::host
