// Expansion of a (validated) network into concrete numbers: per-neuron
// parameter values and per-synapse (pre, post, weight, delay) lists. Every
// result is a deterministic function of the network (its seeds included):
// see docs/network-format.md, "Random values", for how each stream is seeded
// and drawn. Call validate_network first; these functions assume a valid
// network and throw std::invalid_argument on what they cannot expand.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "spindle/v1/network.pb.h"

namespace spindle::host::network {

// Index of the population with this label, or -1.
int find_population(const spindle::v1::Network& net, std::string_view label);

// Seeds: the explicit seed when set, otherwise derived from the run seed and
// the population's label / the projection's label (or "#index" when empty).
uint64_t population_seed(const spindle::v1::Network& net, size_t population);
uint64_t projection_seed(const spindle::v1::Network& net, size_t projection);

// n values of a ParameterValue. A random value uses its own seed when set,
// otherwise `default_seed`. A value with nothing set yields `default_value`.
std::vector<double> expand_value(const spindle::v1::ParameterValue& value, size_t n, uint64_t default_seed,
                                 double default_value);

// The cell-type field name of a population ("if_curr_exp", ...; "" if unset).
std::string cell_type_name(const spindle::v1::Population& pop);

// True for spike sources (SpikeSourcePoisson, SpikeSourceArray).
bool is_spike_source(const spindle::v1::Population& pop);

// PyNN parameter names of a cell type, in declaration order.
std::vector<std::string> parameter_names(const spindle::v1::Population& pop);

// PyNN's default for a parameter of this population's cell type. Throws
// std::invalid_argument for an unknown name.
double parameter_default(const spindle::v1::Population& pop, std::string_view name);

// Per-neuron values of a cell parameter (PyNN name) or of an initial value
// ("v", "u"), defaults applied. Random values of a parameter are drawn from
// derive_seed(population_seed, name) unless the value has its own seed; the
// initial values use the names "initial_values.v" and "initial_values.u".
std::vector<double> population_parameter(const spindle::v1::Network& net, size_t population,
                                         std::string_view name);

// Delay in whole timesteps: round-half-up of delay / timestep (with a
// tolerance of 1e-9 ticks for decimal inputs such as 0.3 / 0.1).
int64_t delay_to_ticks(double delay_ms, double timestep_ms);

struct Synapse {
  uint32_t pre = 0, post = 0;
  double weight = 0.0;     // as given (sign included), nA / uS / mV
  double delay = 0.0;      // ms, as given
  uint32_t delay_ticks = 0;
  bool operator==(const Synapse&) const = default;
};

// The synapses of a projection, in the connector's order (docs). Weights and
// delays come from the projection's ParameterValues (random ones drawn from
// one stream per post neuron, index_seed(derive_seed(projection_seed,
// "weight"/"delay"), post), unless they carry a seed), from the list
// entries, or from U V^T.
std::vector<Synapse> expand_projection(const spindle::v1::Network& net, size_t projection);

// The synapses of a projection onto post neurons [post_lo, post_lo + post_n):
// exactly those of expand_projection() with a post in the range, in the same
// order and with the same values, whatever the range. Throws
// std::invalid_argument when the range leaves the post population.
std::vector<Synapse> expand_projection_onto(const spindle::v1::Network& net, size_t projection, uint32_t post_lo,
                                            uint32_t post_n);

// The same synapses, handed to `sink` in order, in batches of up to
// kSynapseBatch, instead of collected (the caller's memory does not grow
// with the range).
inline constexpr size_t kSynapseBatch = 1024;
void for_each_synapse_onto(const spindle::v1::Network& net, size_t projection, uint32_t post_lo, uint32_t post_n,
                           const std::function<void(std::span<const Synapse>)>& sink);

// The largest |weight| of a projection's synapses onto post neurons
// [post_lo, post_lo + post_n) (0 when it makes none): exactly the largest
// of for_each_synapse_onto()'s, without drawing delays or handing synapses
// on. Throws std::invalid_argument when the range leaves the population.
double largest_abs_weight(const spindle::v1::Network& net, size_t projection, uint32_t post_lo, uint32_t post_n);

// The same pass, also giving the lowest and highest non-zero weight (for the
// sign rules of weights only the expansion knows: low_rank's U V^T) and the
// number of synapses (what only a draw knows of a thresholded low_rank).
struct WeightExtremes {
  uint64_t synapses = 0;
  double largest_abs = 0.0;
  double lowest_nonzero = std::numeric_limits<double>::infinity();
  double highest_nonzero = -std::numeric_limits<double>::infinity();
};
WeightExtremes weight_extremes(const spindle::v1::Network& net, size_t projection, uint32_t post_lo,
                               uint32_t post_n);

// True when expand_projection_onto() draws only what the range needs (its
// cost follows the synapses it returns): every connector but
// fixed_number_post and from_list, which it expands whole and filters.
bool expands_per_post(const spindle::v1::Network& net, size_t projection);

// The number of synapses a projection's connector makes when that is known
// without drawing random numbers (all_to_all, one_to_one, fixed_number_*,
// from_list, low_rank without threshold); -1 otherwise.
int64_t fixed_synapse_count(const spindle::v1::Network& net, size_t projection);
// The same, with the pre and post populations' indices already looked up.
int64_t fixed_synapse_count(const spindle::v1::Network& net, size_t projection, int pre, int post);

}  // namespace spindle::host::network
