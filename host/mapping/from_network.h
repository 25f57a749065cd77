// Network description -> mapping ApplicationGraph: one vertex per population
// (spike sources included), one edge per projection. The network must be
// valid (validate_network() returned no errors). docs/cli.md lists how each
// figure is estimated.
#pragma once

#include <cstdint>
#include <string>

#include "mapping/graph.h"
#include "mapping/partition.h"
#include "mapping/weight_scales.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host {

// Mean firing rate assumed for neuron populations (no better guess before a run).
inline constexpr double kGuessNeuronRateHz = 10.0;

// Expected total synapse count of a projection: the connector's exact count
// when it is known without drawing (all_to_all, one_to_one, fixed_number_*,
// from_list, low_rank without threshold), p x pairs for fixed_probability, and
// for a thresholded low_rank the count its draw found (`drawn`, or a draw
// made here: weights only, nothing collected).
double expected_synapses(const spindle::v1::Network& net, size_t projection, const DrawnWeights* drawn = nullptr);

// True when only a draw knows a projection's synapse count (a thresholded
// low_rank).
bool count_needs_draw(const spindle::v1::Network& net, size_t projection);

// Longest delay of a projection in ticks (>= 1): the upper end of its delay
// value (constant, list maximum, uniform high, normal clip_high) or of the
// from_list entries, rounded as the expansion rounds.
uint32_t max_delay_ticks(const spindle::v1::Network& net, size_t projection);

// What the cores cannot run although validation accepts it: plastic
// projections onto one population with different STDP mechanisms or
// receptors (a core runs one rule on one receptor). The refusal names the
// projection's field ("projections[2].synapse_dynamics.stdp: plastic
// projections onto one population must ..."), or "" when every projection
// can run. map_network (job/prepare.h) and graph_from_network refuse with it.
std::string unrunnable_synapses_problem(const spindle::v1::Network& net);

// Vertex i is population i; edge j is projection j. Throws
// std::invalid_argument with unrunnable_synapses_problem's message. The projections whose
// count only a draw knows are drawn (on `threads` threads, 0: one per
// hardware thread) into `drawn` when given, for the image builder to reuse.
ApplicationGraph graph_from_network(const spindle::v1::Network& net, DrawnWeights* drawn = nullptr,
                                    unsigned threads = 0);

// The cost model for the network's timestep (timestep_us = dt in whole us, >= 1).
CostModel cost_model_for(const spindle::v1::Network& net);

}  // namespace spindle::host
