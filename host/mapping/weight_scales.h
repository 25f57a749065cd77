// Per population and receptor, the largest |weight| of the synapses onto it:
// the range every one of its cores' 16-bit weights must cover. One scale per
// population, as sPyNNaker's ring-buffer shifts are per application vertex,
// not per core: a core scaled by its own largest weight would quantize
// random weights differently when the population is sliced differently
// (native cores hold more neurons than ARM images), and so fire differently.
// Pure: a function of the network alone.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "config/limits.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host {

using ReceptorWeights = std::array<double, fw::kMaxSynapseTypes>;

// The synapse type (ring-buffer plane) of a projection's receptor:
// 0 excitatory, 1 inhibitory.
uint32_t synapse_type(const spindle::v1::Projection& projection);

// The largest |weight| of a projection's synapses when it is known without
// expanding the connector (a constant or a list of weights on a connector
// that takes them); nullopt otherwise. A bound: a constant counts even if
// the connector happens to make no synapse.
std::optional<double> weight_bound_unexpanded(const spindle::v1::Network& net, size_t projection);

// The largest |weight| of a projection's synapses (0 when it has none).
double largest_weight(const spindle::v1::Network& net, size_t projection);

// Per population (index as in the network), per synapse type: the largest
// largest_weight() of the projections onto it. `known[e]`, when set, is
// projection e's largest weight already measured by the caller (it skips
// the expansion). Projections are expanded on `threads` threads (0: one per
// hardware thread); the result does not depend on the thread count.
std::vector<ReceptorWeights> population_weight_ranges(const spindle::v1::Network& net,
                                                      const std::vector<std::optional<double>>& known = {},
                                                      unsigned threads = 0);

}  // namespace spindle::host
