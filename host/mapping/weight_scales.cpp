#include "mapping/weight_scales.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "cells/cell_type.h"
#include "mapping/parallel_indices.h"
#include "network/expand.h"
#include "network/value_rules.h"
#include "synapses/stdp_params.h"

namespace spindle::host {

namespace v1 = spindle::v1;

uint32_t synapse_type(const v1::Projection& projection, const cells::SynapseInputs& inputs) {
  uint32_t type = 0;
  switch (projection.receptor()) {
    case v1::INHIBITORY: type = 1; break;
    case v1::REWARD: type = reward_synapse_type(inputs.count()); break;
    case v1::PUNISHMENT: type = punishment_synapse_type(inputs.count()); break;
    case v1::DENDRITE_SEGMENT:
      // Validation keeps segment below the population's n_segments.
      if (projection.segment() >= inputs.dendrites)
        throw std::invalid_argument("a DENDRITE_SEGMENT projection onto segment " +
                                    std::to_string(projection.segment()) + " of a population with " +
                                    std::to_string(inputs.dendrites) + " segments");
      type = inputs.receptors + projection.segment();
      break;
    default: break;
  }
  if (type >= fw::kMaxSynapseTypes)
    throw std::invalid_argument("a " + v1::Receptor_Name(projection.receptor()) + " projection onto a model with " +
                                std::to_string(inputs.count()) + " synapse inputs needs synapse type " +
                                std::to_string(type) + ", a core has " + std::to_string(fw::kMaxSynapseTypes));
  return type;
}

std::vector<bool> neuromodulated_populations(const v1::Network& net) {
  std::vector<bool> out(static_cast<size_t>(net.populations_size()), false);
  for (const v1::Projection& proj : net.projections())
    if (synapses::is_neuromodulated(proj))
      if (const int post = network::find_population(net, proj.post()); post >= 0) out[static_cast<size_t>(post)] = true;
  return out;
}

std::optional<double> weight_bound_unexpanded(const v1::Network& net, size_t projection) {
  const v1::Projection& proj = net.projections(static_cast<int>(projection));
  const auto kind = proj.connector().kind_case();
  // Low-rank weights are U V^T; a list's entries may carry their own weights.
  if (kind == v1::Connector::kLowRank || kind == v1::Connector::kFromList) return std::nullopt;
  const v1::ParameterValue& w = proj.weight();
  switch (w.value_case()) {
    case v1::ParameterValue::kConstant: return std::fabs(w.constant());
    case v1::ParameterValue::kList: {
      double m = 0;
      for (double x : w.list().values()) m = std::max(m, std::fabs(x));
      return m;
    }
    case v1::ParameterValue::VALUE_NOT_SET: return 0.0;  // PyNN's default weight, 0
    default: return std::nullopt;
  }
}

double largest_weight(const v1::Network& net, size_t projection) {
  if (const auto bound = weight_bound_unexpanded(net, projection)) return *bound;
  const int post = network::find_population(net, net.projections(static_cast<int>(projection)).post());
  if (post < 0) return 0;
  return network::largest_abs_weight(net, projection, 0, net.populations(post).size());
}

void draw_weights(const v1::Network& net, const std::vector<bool>& which, DrawnWeights& drawn, unsigned threads) {
  const size_t n_proj = static_cast<size_t>(net.projections_size());
  drawn.resize(n_proj);
  const unsigned hw = worker_count(threads, SIZE_MAX);
  // Work items: a projection's post neurons [lo, lo + n). Connectors drawn
  // per post neuron are split into chunks, so one large projection keeps
  // every thread busy; the others are drawn whole.
  struct Item {
    size_t projection;
    uint32_t lo, n;
  };
  std::vector<Item> items;
  for (size_t e = 0; e < n_proj && e < which.size(); ++e) {
    if (!which[e] || drawn[e]) continue;
    const int post = network::find_population(net, net.projections(static_cast<int>(e)).post());
    if (post < 0) continue;
    const uint32_t n_post = net.populations(post).size();
    drawn[e] = network::WeightExtremes{};
    const uint32_t chunk = network::expands_per_post(net, e) ? std::max<uint32_t>(256, n_post / (4 * hw) + 1) : n_post;
    for (uint32_t lo = 0; lo < n_post; lo += chunk) items.push_back({e, lo, std::min(chunk, n_post - lo)});
  }
  std::vector<network::WeightExtremes> item_extremes(items.size());
  ParallelIndices work(items.size());  // the first item's error, whatever the thread timing
  work.run(threads, [&] {
    work.each([&](size_t i) {
      item_extremes[i] = network::weight_extremes(net, items[i].projection, items[i].lo, items[i].n);
    });
  });
  for (size_t i = 0; i < items.size(); ++i) {
    network::WeightExtremes& e = *drawn[items[i].projection];
    const network::WeightExtremes& x = item_extremes[i];
    e.synapses += x.synapses;
    e.largest_abs = std::max(e.largest_abs, x.largest_abs);
    e.lowest_nonzero = std::min(e.lowest_nonzero, x.lowest_nonzero);
    e.highest_nonzero = std::max(e.highest_nonzero, x.highest_nonzero);
  }
}

std::vector<ReceptorWeights> population_weight_ranges(const v1::Network& net,
                                                      const std::vector<std::optional<double>>& known,
                                                      unsigned threads, const DrawnWeights* drawn) {
  const size_t n_proj = static_cast<size_t>(net.projections_size());
  std::vector<double> largest(n_proj, 0.0);
  std::vector<bool> from_draw(n_proj, false);
  DrawnWeights extremes = drawn ? *drawn : DrawnWeights{};
  extremes.resize(n_proj);
  for (size_t e = 0; e < n_proj; ++e) {
    if (e < known.size() && known[e]) {
      largest[e] = *known[e];
    } else if (const auto bound = weight_bound_unexpanded(net, e)) {
      largest[e] = *bound;
    } else {
      from_draw[e] = true;
    }
  }
  draw_weights(net, from_draw, extremes, threads);  // skips what `drawn` holds
  for (size_t e = 0; e < n_proj; ++e)
    if (from_draw[e] && extremes[e]) largest[e] = extremes[e]->largest_abs;
  // Low-rank weights exist only now: validation leaves their signs to this
  // pass when the factors alone do not prove them (network/validate.cpp).
  for (size_t e = 0; e < n_proj; ++e) {
    const v1::Projection& proj = net.projections(static_cast<int>(e));
    if (!proj.connector().has_low_rank() || !extremes[e] ||
        !(extremes[e]->lowest_nonzero <= extremes[e]->highest_nonzero))
      continue;
    const int post = network::find_population(net, proj.post());
    const bool cond = post >= 0 && cells::has_conductance_synapses(net.populations(post));
    if (const auto problem = network::weight_sign_problem(proj.receptor(), cond, extremes[e]->lowest_nonzero,
                                                          extremes[e]->highest_nonzero))
      throw std::invalid_argument("projections[" + std::to_string(e) + "].connector.low_rank: " + *problem);
  }

  std::vector<ReceptorWeights> ranges(static_cast<size_t>(net.populations_size()), ReceptorWeights{});
  for (size_t e = 0; e < n_proj; ++e) {
    const v1::Projection& proj = net.projections(static_cast<int>(e));
    const int post = network::find_population(net, proj.post());
    if (post < 0) continue;
    double& r = ranges[static_cast<size_t>(post)][synapse_type(proj, cells::synapse_inputs(net.populations(post)))];
    r = std::max(r, largest[e]);
    // A plastic weight may grow to w_max while the network runs: the
    // population's 16-bit weights must cover it, not only the initial ones.
    if (proj.synapse_dynamics().has_stdp()) r = std::max(r, synapses::stdp_values(proj.synapse_dynamics().stdp()).w_max);
  }
  return ranges;
}

}  // namespace spindle::host
