// Per-population weight ranges: each projection's largest |weight| equals
// the largest of its expanded synapses (or bounds it, for a constant or a
// list), they combine per post population and receptor, and the result
// does not depend on threads or on what the caller already measured.
#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include <cmath>

#include "mapping/from_network.h"
#include "mapping/weight_scales.h"
#include "network/expand.h"
#include "network/validate.h"

namespace spindle::host {
namespace {

v1::Network parse(const char* text) {
  v1::Network net;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &net));
  return net;
}

const v1::Network kNet = parse(R"pb(
  run { timestep_ms: 0.1 duration_ms: 10 seed: 5 }
  populations { label: "a" size: 50 if_curr_exp {} }
  populations { label: "b" size: 40 if_cond_exp {} }
  populations { label: "c" size: 3 if_curr_exp {} }
  populations { label: "d" size: 2 if_curr_exp {} }
  projections {
    pre: "a" post: "b" receptor: EXCITATORY connector { fixed_probability { p: 0.3 } }
    weight { random { normal { mean: 0.01 sd: 0.004 clip_low: 0 } } }
  }
  projections {
    pre: "a" post: "b" receptor: EXCITATORY connector { fixed_number_post { n: 4 } }
    weight { random { uniform { low: 0.001 high: 0.002 } } }
  }
  projections {
    pre: "b" post: "a" receptor: INHIBITORY connector { all_to_all {} } weight { constant: -0.7 }
  }
  projections {
    pre: "a" post: "a" receptor: EXCITATORY
    connector { from_list { connections { pre: 1 post: 2 weight: -3.5 } connections { pre: 2 post: 3 } } }
    weight { constant: 0.2 }
  }
  projections {
    pre: "c" post: "d" receptor: INHIBITORY
    connector { low_rank { rank: 1 u: [1, 2, 0.5] v: [-3, -1] } }
  }
)pb");

double expanded_largest(const v1::Network& net, size_t e) {
  double m = 0;
  for (const network::Synapse& s : network::expand_projection(net, e)) m = std::max(m, std::fabs(s.weight));
  return m;
}

TEST(WeightScales, LargestWeightIsTheLargestExpandedOne) {
  for (size_t e = 0; e < 5; ++e) EXPECT_EQ(largest_weight(kNet, e), expanded_largest(kNet, e)) << "projection " << e;
  EXPECT_EQ(largest_weight(kNet, 3), 3.5);  // a list entry's own weight
  EXPECT_EQ(largest_weight(kNet, 4), 6.0);  // |U V^T|
}

TEST(WeightScales, BoundsWithoutExpanding) {
  EXPECT_EQ(weight_bound_unexpanded(kNet, 2), 0.7);
  EXPECT_FALSE(weight_bound_unexpanded(kNet, 0));  // random: drawn
  EXPECT_FALSE(weight_bound_unexpanded(kNet, 3));  // list entries carry weights
  EXPECT_FALSE(weight_bound_unexpanded(kNet, 4));  // low rank
  v1::Network net = kNet;
  auto* list = net.mutable_projections(1)->mutable_weight()->mutable_list();
  for (double w : {0.1, -0.9, 0.3}) list->add_values(w);
  EXPECT_EQ(weight_bound_unexpanded(net, 1), 0.9);
}

TEST(WeightScales, PerPopulationAndReceptor) {
  const auto r = population_weight_ranges(kNet, {}, 1);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0][0], 3.5);  // a, excitatory: the list
  EXPECT_EQ(r[0][1], 0.7);  // a, inhibitory
  EXPECT_EQ(r[1][0], std::max(expanded_largest(kNet, 0), expanded_largest(kNet, 1)));  // b, excitatory: both
  EXPECT_EQ(r[1][1], 0.0);
  EXPECT_EQ(r[2], ReceptorWeights{});  // nothing projects onto c
  EXPECT_EQ(r[3][1], 6.0);             // d, inhibitory: low rank
  for (unsigned threads : {2u, 3u, 8u}) EXPECT_EQ(population_weight_ranges(kNet, {}, threads), r) << threads;
  // A caller's measurement stands in for the expansion.
  std::vector<std::optional<double>> known(5);
  known[1] = 123.0;
  EXPECT_EQ(population_weight_ranges(kNet, known, 2)[1][0], 123.0);
}

// One draw per build: what graph_from_network drew (a thresholded low_rank's
// count and weights) is what the weight ranges use, not drawn again.
TEST(WeightScales, AnEarlierDrawIsUsedNotRepeated) {
  v1::Network net = kNet;
  net.mutable_projections(4)->mutable_connector()->mutable_low_rank()->set_threshold(1.5);
  DrawnWeights drawn;
  std::vector<bool> which(5, false);
  which[0] = which[4] = true;
  draw_weights(net, which, drawn, 2);
  ASSERT_EQ(drawn.size(), 5u);
  EXPECT_FALSE(drawn[1]);
  ASSERT_TRUE(drawn[0] && drawn[4]);
  EXPECT_EQ(drawn[0]->synapses, network::expand_projection(net, 0).size());
  EXPECT_EQ(drawn[0]->largest_abs, expanded_largest(net, 0));
  // |U V^T| of 3 x 2: 3 1 6 2 1.5 0.5; the threshold keeps 3, 6, 2 and 1.5.
  EXPECT_EQ(drawn[4]->synapses, 4u);
  EXPECT_EQ(drawn[4]->synapses, network::expand_projection(net, 4).size());
  EXPECT_EQ(drawn[4]->lowest_nonzero, -6.0);
  EXPECT_EQ(population_weight_ranges(net, {}, 2, &drawn), population_weight_ranges(net, {}, 2));
  // A draw that says otherwise is believed: the ranges did not draw again.
  drawn[0]->largest_abs = 42.0;
  EXPECT_EQ(population_weight_ranges(net, {}, 2, &drawn)[1][0], 42.0);
  // The graph draws what only a draw counts, for the images to reuse.
  DrawnWeights by_graph;
  const ApplicationGraph g = graph_from_network(net, &by_graph, 2);
  EXPECT_EQ(g.edges[4].n_synapses, 4.0);
  ASSERT_EQ(by_graph.size(), 5u);
  EXPECT_TRUE(by_graph[4] && by_graph[4]->synapses == 4u);
  EXPECT_FALSE(by_graph[0]);  // fixed_probability: p x pairs, no draw
  // Thread counts do not change a draw.
  for (unsigned threads : {1u, 3u}) {
    DrawnWeights again;
    draw_weights(net, which, again, threads);
    EXPECT_EQ(again[0]->synapses, drawn[0]->synapses) << threads;
    EXPECT_EQ(again[4]->highest_nonzero, -1.5) << threads;
  }
}

TEST(WeightScales, LargeProjectionsAreDrawnInChunksWithTheSameResult) {
  // 3000 post neurons: drawn in chunks of posts on several threads.
  const v1::Network net = parse(R"pb(
    run { timestep_ms: 0.1 duration_ms: 10 seed: 9 }
    populations { label: "pre" size: 400 if_curr_exp {} }
    populations { label: "post" size: 3000 if_curr_exp {} }
    projections {
      pre: "pre" post: "post" receptor: INHIBITORY connector { fixed_probability { p: 0.05 } }
      weight { random { normal { mean: -0.5 sd: 0.3 } } }
    }
  )pb");
  const double expected = expanded_largest(net, 0);
  EXPECT_GT(expected, 1.0);  // a tail draw, not the mean
  for (unsigned threads : {1u, 2u, 5u}) EXPECT_EQ(population_weight_ranges(net, {}, threads)[1][1], expected) << threads;
  // Chunks are post ranges of the same streams.
  EXPECT_EQ(std::max(network::largest_abs_weight(net, 0, 0, 1234), network::largest_abs_weight(net, 0, 1234, 1766)),
            expected);
  EXPECT_THROW(network::largest_abs_weight(net, 0, 2000, 1001), std::invalid_argument);
}

}  // namespace
}  // namespace spindle::host

// Low-rank signs: validation proves them from the factors' ranges, checks
// small projections product by product, and leaves a large one whose factors
// prove nothing to this pass (it never does n_pre x n_post x rank work).
namespace spindle::host {
namespace {

v1::Network low_rank(uint32_t n_pre, uint32_t n_post, double negative_u) {
  v1::Network net;
  net.mutable_run()->set_timestep_ms(0.1);
  auto* a = net.add_populations();
  a->set_label("a");
  a->set_size(n_pre);
  a->mutable_spike_source_poisson();
  auto* b = net.add_populations();
  b->set_label("b");
  b->set_size(n_post);
  b->mutable_if_curr_exp();
  auto* p = net.add_projections();
  p->set_pre("a");
  p->set_post("b");
  p->set_receptor(v1::EXCITATORY);
  auto* lr = p->mutable_connector()->mutable_low_rank();
  lr->set_rank(1);
  for (uint32_t i = 0; i < n_pre; ++i) lr->add_u(i == n_pre / 2 ? negative_u : 0.01);
  for (uint32_t j = 0; j < n_post; ++j) lr->add_v(1.0);
  return net;
}

TEST(WeightScales, LowRankSignsBeyondValidationsBudgetAreCheckedHere) {
  // 5000 x 4000: past validation's product budget (2^24).
  const v1::Network bad = low_rank(5000, 4000, -0.01);
  EXPECT_TRUE(network::validate_network(bad).empty());
  try {
    population_weight_ranges(bad, {}, 2);
    FAIL() << "expected the sign error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "projections[0].connector.low_rank: excitatory weights must be >= 0, got -0.01");
  }
  // Factors of one sign prove the signs without any product: fine at any size.
  const v1::Network good = low_rank(5000, 4000, 0.02);
  EXPECT_TRUE(network::validate_network(good).empty());
  EXPECT_NO_THROW(population_weight_ranges(good, {}, 2));
  // A small one is checked by validation itself.
  const auto errors = network::validate_network(low_rank(50, 40, -0.01));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "projections[0].connector.low_rank");
}

// A plastic projection's weights may grow to w_max while the network
// runs: its population's range covers w_max, not only the initial weights
// (and not a static projection's, nor another receptor's).
TEST(WeightScales, PlasticProjectionsCoverWMax) {
  const char* text = R"pb(
    run { timestep_ms: 0.1 duration_ms: 10 seed: 5 }
    populations { label: "src" size: 10 spike_source_poisson {} }
    populations { label: "a" size: 8 if_curr_exp {} }
    populations { label: "b" size: 8 if_cond_exp {} }
    projections {
      pre: "src" post: "a" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 0.2 }
      synapse_dynamics { stdp { timing_dependence {} additive { w_max: 1.5 } } }
    }
    projections {
      pre: "src" post: "a" receptor: INHIBITORY connector { all_to_all {} } weight { constant: 0.3 }
    }
    projections {
      pre: "src" post: "b" receptor: EXCITATORY connector { all_to_all {} }
      weight { random { uniform { low: 0.001 high: 0.002 } } }
      synapse_dynamics { stdp { timing_dependence {} multiplicative { w_max: 0.004 } } }
    }
    projections {
      pre: "src" post: "b" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 0.003 }
    }
  )pb";
  const v1::Network net = parse(text);
  ASSERT_TRUE(network::validate_network(net).empty()) << network::format_errors(network::validate_network(net));
  const auto r = population_weight_ranges(net, {}, 1);
  EXPECT_EQ(r[1][0], 1.5);    // w_max, not the initial 0.2
  EXPECT_EQ(r[1][1], 0.3);    // the inhibitory plane is the static projection's
  EXPECT_EQ(r[2][0], 0.004);  // w_max over the static 0.003 and the drawn weights
  EXPECT_EQ(r[0][0], 0.0);
  // Default w_max (1.0) when the weight dependence leaves it unset.
  v1::Network d = net;
  d.mutable_projections(0)->mutable_synapse_dynamics()->mutable_stdp()->mutable_additive()->clear_w_max();
  EXPECT_EQ(population_weight_ranges(d, {}, 1)[1][0], 1.0);
  // A static network's ranges are unchanged: the same network without the rules.
  v1::Network s = net;
  for (auto& p : *s.mutable_projections()) p.clear_synapse_dynamics();
  const auto rs = population_weight_ranges(s, {}, 1);
  EXPECT_EQ(rs[1][0], 0.2);
  EXPECT_EQ(rs[2][0], 0.003);
}

}  // namespace
}  // namespace spindle::host
