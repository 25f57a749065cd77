// Per-neuron parameter structs of a (validated) population, in the host's
// PyNN-named structs (image/cell_params.h), ready for to_fixed() and
// initial_state(). Random values are drawn as population_parameter() draws
// them (expand.h). Each function throws std::invalid_argument when the
// population has another cell type.
#pragma once

#include <vector>

#include "image/cell_params.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host::network {

std::vector<IfCurrExpParams> if_curr_exp_cells(const spindle::v1::Network& net, size_t population);
std::vector<IfCondExpParams> if_cond_exp_cells(const spindle::v1::Network& net, size_t population);
std::vector<IzhikevichParams> izhikevich_cells(const spindle::v1::Network& net, size_t population);
std::vector<IfNonLeakyParams> if_nonleaky_cells(const spindle::v1::Network& net, size_t population);

struct PoissonSourceParams {
  double rate = 1.0;       // Hz
  double start = 0.0;      // ms
  double duration = 1e10;  // ms
};
std::vector<PoissonSourceParams> poisson_sources(const spindle::v1::Network& net, size_t population);

// One spike train (ms, non-decreasing) per neuron of a SpikeSourceArray.
std::vector<std::vector<double>> spike_array_times(const spindle::v1::Network& net, size_t population);

}  // namespace spindle::host::network
