// Per-population weight ranges: each projection's largest |weight| equals
// the largest of its expanded synapses (or bounds it, for a constant or a
// list), they combine per post population and receptor, and the result
// does not depend on threads or on what the caller already measured.
#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include <cmath>

#include "mapping/weight_scales.h"
#include "network/expand.h"

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
    connector { low_rank { rank: 1 u: [1, -2, 0.5] v: [3, 1] } }
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
