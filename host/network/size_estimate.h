// How big a network is, read off the file without expanding anything: the
// admission checks (daemon limits, the CLI's machine and memory checks) run
// on these before any per-neuron or per-synapse work. Tolerant of invalid
// networks (a projection naming an unknown population counts nothing), so
// it can run before validation.
#pragma once

#include <cstdint>
#include <vector>

#include "spindle/v1/network.pb.h"

namespace spindle::host::network {

struct SizeEstimate {
  uint64_t neurons = 0;         // all populations, spike sources included
  double synapses = 0;          // upper estimate: exact where the connector fixes the count,
                                // 1.5 x the mean for fixed_probability, n_pre x n_post for
                                // a thresholded low_rank
  std::vector<double> synapses_of;  // by projection, as above
};

SizeEstimate estimate_size(const spindle::v1::Network& net);

}  // namespace spindle::host::network
