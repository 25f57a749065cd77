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

#include "cells/cell_type.h"
#include "config/limits.h"
#include "network/expand.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host {

using ReceptorWeights = std::array<double, fw::kMaxSynapseTypes>;

// Synapse types (ring-buffer planes) of a neuron core: its model's
// receptors (0 excitatory, 1 inhibitory) and dendrite types
// (cells::SynapseInputs, `receptors` below), then, when a neuromodulated
// STDP projection ends on its population, reward and punishment (dopamine,
// NeuromodulationRegionHeader::reward_type / punishment_type).
constexpr uint32_t reward_synapse_type(uint32_t receptors) { return receptors; }
constexpr uint32_t punishment_synapse_type(uint32_t receptors) { return receptors + 1; }
constexpr uint32_t synapse_type_count(uint32_t receptors, bool neuromodulated) {
  return neuromodulated ? punishment_synapse_type(receptors) + 1 : receptors;
}

// The synapse type of a projection's receptor (and segment) onto a
// population with these synapse inputs (cells/cell_type.h).
uint32_t synapse_type(const spindle::v1::Projection& projection, const cells::SynapseInputs& inputs);

// Per population (index as in the network): whether a neuromodulated STDP
// projection ends there (synapses/stdp_params.h is_neuromodulated).
std::vector<bool> neuromodulated_populations(const spindle::v1::Network& net);

// The largest |weight| of a projection's synapses when it is known without
// expanding the connector (a constant or a list of weights on a connector
// that takes them); nullopt otherwise. A bound: a constant counts even if
// the connector happens to make no synapse.
std::optional<double> weight_bound_unexpanded(const spindle::v1::Network& net, size_t projection);

// The largest |weight| of a projection's synapses (0 when it has none).
double largest_weight(const spindle::v1::Network& net, size_t projection);

// What drawing a projection's weights found (synapse count and weight
// extremes), per projection; nullopt for those not drawn. A build draws a
// connector's weights at most once before its images: the graph needs a
// thresholded low_rank's count, the weight ranges need the largest weight
// of every projection whose weights only a draw knows, and both read the
// same draw. (The images then expand each projection once more, onto each
// slice; holding every drawn synapse from the first pass instead would cost
// the memory that expanding per slice exists to save.)
using DrawnWeights = std::vector<std::optional<network::WeightExtremes>>;

// Draws the weights of the projections with `which[e]` set (weights only: no
// delays, nothing collected), on `threads` threads (0: one per hardware
// thread), into `drawn` (resized to the projection count; entries already
// set are kept). The result does not depend on the thread count.
void draw_weights(const spindle::v1::Network& net, const std::vector<bool>& which, DrawnWeights& drawn,
                  unsigned threads = 0);

// Per population (index as in the network), per synapse type: the largest
// largest_weight() of the projections onto it and the w_max of the plastic
// (STDP) ones, whose weights may grow to it while the network runs. `known[e]`, when set, is
// projection e's largest weight already measured by the caller, and
// `drawn[e]` what an earlier draw found (either skips drawing it again);
// the rest are drawn on `threads` threads (0: one per hardware thread).
std::vector<ReceptorWeights> population_weight_ranges(const spindle::v1::Network& net,
                                                      const std::vector<std::optional<double>>& known = {},
                                                      unsigned threads = 0, const DrawnWeights* drawn = nullptr);

}  // namespace spindle::host
