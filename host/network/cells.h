// A (validated) population's cells as its cell type's descriptor names
// them (cells/cell_type.h): every parameter and state variable, neuron by
// neuron, drawn as population_parameter() draws them (expand.h); and the
// spike sources' values. Each function throws std::invalid_argument when
// the population has another cell type.
#pragma once

#include <vector>

#include "cells/cell_type.h"
#include "cells/spike_sources.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host::network {

// Every parameter and state variable the population's type has.
cells::CellValues cell_values(const spindle::v1::Network& net, size_t population);

std::vector<PoissonSourceParams> poisson_sources(const spindle::v1::Network& net, size_t population);

// One spike train (ms, non-decreasing) per neuron of a SpikeSourceArray.
std::vector<std::vector<double>> spike_array_times(const spindle::v1::Network& net, size_t population);

}  // namespace spindle::host::network
