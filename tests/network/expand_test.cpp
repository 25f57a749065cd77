// Expansion: deterministic values and connectors, their statistics, and the
// generator's cross-library reproducibility.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <set>
#include <vector>

#include "network/cells.h"
#include "network/expand.h"
#include "network/load.h"
#include "network/random.h"
#include "network/validate.h"

using namespace spindle::host::network;
namespace v1 = spindle::v1;

namespace {

v1::Network text(const char* s) { return parse_network(s, NetworkFormat::kText, "test"); }

v1::ParameterValue uniform(double lo, double hi) {
  v1::ParameterValue v;
  v.mutable_random()->mutable_uniform()->set_low(lo);
  v.mutable_random()->mutable_uniform()->set_high(hi);
  return v;
}

v1::Network two_pops(uint32_t n_pre, uint32_t n_post, const char* connector, uint64_t seed = 1) {
  auto net = text(R"pb(
    run { timestep_ms: 0.1 duration_ms: 10 }
    populations { label: "pre" if_curr_exp {} }
    populations { label: "post" if_curr_exp {} }
    projections { pre: "pre" post: "post" receptor: EXCITATORY weight { constant: 0.5 } delay { constant: 0.2 } }
  )pb");
  net.mutable_run()->set_seed(seed);
  net.mutable_populations(0)->set_size(n_pre);
  net.mutable_populations(1)->set_size(n_post);
  *net.mutable_projections(0)->mutable_connector() =
      parse_network(std::string("projections { connector { ") + connector + " } }", NetworkFormat::kText, "c")
          .projections(0)
          .connector();
  return net;
}

}  // namespace

TEST(NetworkRandom, Mt19937_64IsTheStandardSequence) {
  // The C++ standard fixes the 10000th output of default-seeded mt19937_64.
  Rng rng(5489u);
  uint64_t x = 0;
  for (int i = 0; i < 10000; ++i) x = rng.next_u64();
  EXPECT_EQ(x, 9981545732273789042ull);
}

TEST(NetworkRandom, FixedValuesAcrossLibraries) {
  // Pinned outputs of the hand-written distributions: a change here changes
  // every expanded network.
  Rng rng(42);
  EXPECT_EQ(rng.uniform01(), static_cast<double>(13930160852258120406ull >> 11) * 0x1.0p-53);
  Rng a(7), b(7);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(a.standard_normal(), b.standard_normal());
}

TEST(NetworkRandom, BelowIsUnbiasedAndInRange) {
  Rng rng(3);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) {
    const auto x = rng.below(7);
    ASSERT_LT(x, 7u);
    ++counts[x];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
}

TEST(NetworkExpand, ValuesAreDeterministicAndSeeded) {
  const auto v = uniform(-60, -50);
  const auto a = expand_value(v, 1000, 11, 0), b = expand_value(v, 1000, 11, 0), c = expand_value(v, 1000, 12, 0);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  double sum = 0;
  for (double x : a) {
    EXPECT_GE(x, -60);
    EXPECT_LT(x, -50);
    sum += x;
  }
  EXPECT_NEAR(sum / 1000, -55, 0.5);
  auto seeded = v;
  seeded.mutable_random()->set_seed(99);
  EXPECT_EQ(expand_value(seeded, 10, 1, 0), expand_value(seeded, 10, 2, 0));  // own seed wins
}

TEST(NetworkExpand, NormalStatisticsAndClipping) {
  v1::ParameterValue v;
  auto* n = v.mutable_random()->mutable_normal();
  n->set_mean(2);
  n->set_sd(0.5);
  const auto x = expand_value(v, 20000, 5, 0);
  double m = 0, s = 0;
  for (double y : x) m += y;
  m /= static_cast<double>(x.size());
  for (double y : x) s += (y - m) * (y - m);
  s = std::sqrt(s / static_cast<double>(x.size() - 1));
  EXPECT_NEAR(m, 2, 0.02);
  EXPECT_NEAR(s, 0.5, 0.02);

  n->set_clip_low(1.5);
  n->set_clip_high(2.5);
  for (double y : expand_value(v, 5000, 5, 0)) {
    EXPECT_GE(y, 1.5);
    EXPECT_LE(y, 2.5);
  }
  n->set_clip_mode(v1::Normal::TO_BOUNDARY);
  int at_bounds = 0;
  for (double y : expand_value(v, 5000, 5, 0)) {
    EXPECT_GE(y, 1.5);
    EXPECT_LE(y, 2.5);
    at_bounds += (y == 1.5 || y == 2.5);
  }
  EXPECT_NEAR(at_bounds, 5000 * 0.3173, 150);  // P(|z| > 1)
}

TEST(NetworkExpand, PopulationParametersDefaultsAndInitialValues) {
  const auto net = text(R"pb(
    run { timestep_ms: 0.1 seed: 4 }
    populations { label: "a" size: 3 if_curr_exp { v_rest { list { values: [-60, -61, -62] } } } }
    populations { label: "z" size: 2 izhikevich { a { constant: 0.1 } } initial_values { u { constant: -10 } } }
  )pb");
  EXPECT_EQ(population_parameter(net, 0, "tau_m"), (std::vector<double>{20, 20, 20}));
  EXPECT_EQ(population_parameter(net, 0, "v"), (std::vector<double>{-60, -61, -62}));  // v defaults to v_rest
  EXPECT_EQ(population_parameter(net, 1, "a"), (std::vector<double>{0.1, 0.1}));
  EXPECT_EQ(population_parameter(net, 1, "d"), (std::vector<double>{2, 2}));
  EXPECT_EQ(population_parameter(net, 1, "v"), (std::vector<double>{-70, -70}));
  EXPECT_EQ(population_parameter(net, 1, "u"), (std::vector<double>{-10, -10}));
  EXPECT_THROW(population_parameter(net, 0, "nonsense"), std::invalid_argument);
  EXPECT_EQ(parameter_names(net.populations(1)),
            (std::vector<std::string>{"a", "b", "c", "d", "i_offset", "tau_syn_E", "tau_syn_I"}));
}

TEST(NetworkExpand, PopulationRandomValuesFollowTheSeeds) {
  auto net = text(R"pb(
    run { timestep_ms: 0.1 seed: 4 }
    populations { label: "a" size: 100 if_curr_exp {} initial_values { v { random { uniform { low: -60 high: -50 } } } } }
  )pb");
  const auto v1s = population_parameter(net, 0, "v");
  EXPECT_EQ(v1s, population_parameter(net, 0, "v"));
  EXPECT_EQ(v1s, expand_value(net.populations(0).initial_values().v(), 100,
                              derive_seed(derive_seed(4, "population:a"), "initial_values.v"), 0));
  net.mutable_run()->set_seed(5);
  EXPECT_NE(v1s, population_parameter(net, 0, "v"));
  net.mutable_populations(0)->set_seed(77);
  const auto pinned = population_parameter(net, 0, "v");
  net.mutable_run()->set_seed(6);
  EXPECT_EQ(pinned, population_parameter(net, 0, "v"));  // a population seed overrides the run seed
}

TEST(NetworkExpand, DelayTicks) {
  EXPECT_EQ(delay_to_ticks(0.2, 0.1), 2);
  EXPECT_EQ(delay_to_ticks(0.3, 0.1), 3);
  EXPECT_EQ(delay_to_ticks(0.05, 0.1), 1);
  EXPECT_EQ(delay_to_ticks(0.04, 0.1), 0);
  EXPECT_EQ(delay_to_ticks(1.0, 1.0), 1);
  EXPECT_EQ(delay_to_ticks(1.5, 1.0), 2);
}

TEST(NetworkExpand, AllToAllAndOneToOne) {
  auto net = two_pops(4, 3, "all_to_all {}");
  auto syn = expand_projection(net, 0);
  ASSERT_EQ(syn.size(), 12u);
  EXPECT_EQ(syn[4], (Synapse{1, 1, 0.5, 0.2, 2}));  // pre-major order
  EXPECT_EQ(fixed_synapse_count(net, 0), 12);

  auto self = two_pops(4, 4, "all_to_all { allow_self_connections: false }");
  self.mutable_projections(0)->set_post("pre");
  syn = expand_projection(self, 0);
  EXPECT_EQ(syn.size(), 12u);
  for (const auto& s : syn) EXPECT_NE(s.pre, s.post);
  EXPECT_EQ(fixed_synapse_count(self, 0), 12);

  auto one = two_pops(5, 5, "one_to_one {}");
  syn = expand_projection(one, 0);
  ASSERT_EQ(syn.size(), 5u);
  for (uint32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(syn[i].pre, i);
    EXPECT_EQ(syn[i].post, i);
  }
}

TEST(NetworkExpand, FixedProbabilityLargeIsFastDeterministicAndWithinBounds) {
  const auto net = two_pops(4000, 4000, "fixed_probability { p: 0.02 }");
  const auto t0 = std::chrono::steady_clock::now();
  const auto syn = expand_projection(net, 0);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  RecordProperty("expand_seconds", std::to_string(secs));  // informational; not asserted (bench/ measures time)
  // Binomial(16e6, 0.02): mean 320000, sd 560; allow 6 sd.
  EXPECT_NEAR(static_cast<double>(syn.size()), 320000.0, 6 * 560.0);
  EXPECT_EQ(syn, expand_projection(net, 0));
  const auto other = expand_projection(two_pops(4000, 4000, "fixed_probability { p: 0.02 }", 2), 0);
  EXPECT_NE(syn, other);
  std::set<std::pair<uint32_t, uint32_t>> pairs;
  for (const auto& s : syn) pairs.insert({s.pre, s.post});
  EXPECT_EQ(pairs.size(), syn.size());  // no duplicates
}

TEST(NetworkExpand, FixedProbabilityExtremes) {
  EXPECT_TRUE(expand_projection(two_pops(50, 50, "fixed_probability { p: 0 }"), 0).empty());
  EXPECT_EQ(expand_projection(two_pops(50, 50, "fixed_probability { p: 1 }"), 0).size(), 2500u);
}

TEST(NetworkExpand, FixedNumberPreGivesExactInDegree) {
  auto net = two_pops(100, 300, "fixed_number_pre { n: 17 }");
  const auto syn = expand_projection(net, 0);
  ASSERT_EQ(syn.size(), 17u * 300);
  EXPECT_EQ(fixed_synapse_count(net, 0), 17 * 300);
  std::vector<std::set<uint32_t>> in(300);
  for (const auto& s : syn) {
    ASSERT_LT(s.pre, 100u);
    in[s.post].insert(s.pre);
  }
  for (const auto& set : in) EXPECT_EQ(set.size(), 17u);  // exactly n, all distinct
  EXPECT_EQ(syn, expand_projection(net, 0));

  // Recurrent without self connections, n = all others.
  auto rec = two_pops(30, 30, "fixed_number_pre { n: 29 allow_self_connections: false }");
  rec.mutable_projections(0)->set_post("pre");
  ASSERT_TRUE(validate_network(rec).empty()) << format_errors(validate_network(rec));
  const auto all = expand_projection(rec, 0);
  EXPECT_EQ(all.size(), 30u * 29);
  for (const auto& s : all) EXPECT_NE(s.pre, s.post);
}

TEST(NetworkExpand, FixedNumberPostGivesExactOutDegree) {
  auto net = two_pops(200, 50, "fixed_number_post { n: 50 }");
  const auto syn = expand_projection(net, 0);
  ASSERT_EQ(syn.size(), 200u * 50);
  std::vector<std::set<uint32_t>> out(200);
  for (const auto& s : syn) out[s.pre].insert(s.post);
  for (const auto& set : out) EXPECT_EQ(set.size(), 50u);

  auto repl = two_pops(20, 3, "fixed_number_post { n: 10 with_replacement: true }");
  const auto r = expand_projection(repl, 0);
  ASSERT_EQ(r.size(), 200u);
  for (const auto& s : r) EXPECT_LT(s.post, 3u);
}

TEST(NetworkExpand, FromListUsesEntryWeightsAndDelays) {
  auto net = two_pops(3, 3, R"(from_list {
      connections { pre: 0 post: 2 weight: 1.5 delay: 0.5 }
      connections { pre: 2 post: 1 } })");
  const auto syn = expand_projection(net, 0);
  ASSERT_EQ(syn.size(), 2u);
  EXPECT_EQ(syn[0], (Synapse{0, 2, 1.5, 0.5, 5}));
  EXPECT_EQ(syn[1], (Synapse{2, 1, 0.5, 0.2, 2}));  // the projection's weight and delay
}

TEST(NetworkExpand, LowRankWeightsAreUVt) {
  auto net = two_pops(3, 4, R"(low_rank { rank: 2 u: [1, 2, 3, 4, 5, 6] v: [1, 0, 0, 1, 1, 1, 0.5, -0.5] })");
  net.mutable_projections(0)->clear_weight();
  net.mutable_projections(0)->set_receptor(v1::INHIBITORY);
  const auto syn = expand_projection(net, 0);
  ASSERT_EQ(syn.size(), 12u);
  const double u[3][2] = {{1, 2}, {3, 4}, {5, 6}}, v[4][2] = {{1, 0}, {0, 1}, {1, 1}, {0.5, -0.5}};
  for (const auto& s : syn) {
    EXPECT_DOUBLE_EQ(s.weight, u[s.pre][0] * v[s.post][0] + u[s.pre][1] * v[s.post][1]) << s.pre << "," << s.post;
  }
  auto* lr = net.mutable_projections(0)->mutable_connector()->mutable_low_rank();
  lr->set_threshold(2.5);
  const auto kept = expand_projection(net, 0);
  for (const auto& s : kept) EXPECT_GE(std::fabs(s.weight), 2.5);
  EXPECT_EQ(kept.size(), 7u);  // |w| >= 2.5: (0,2)=3, (1,0)=3, (1,1)=4, (1,2)=7, (2,0)=5, (2,1)=6, (2,2)=11
}

TEST(NetworkExpand, RandomWeightsAndDelaysPerSynapse) {
  auto net = two_pops(20, 20, "all_to_all {}");
  *net.mutable_projections(0)->mutable_weight() = uniform(0.1, 0.2);
  *net.mutable_projections(0)->mutable_delay() = uniform(0.1, 1.0);
  const auto syn = expand_projection(net, 0);
  std::set<double> distinct;
  for (const auto& s : syn) {
    EXPECT_GE(s.weight, 0.1);
    EXPECT_LT(s.weight, 0.2);
    EXPECT_GE(s.delay_ticks, 1u);
    EXPECT_LE(s.delay_ticks, 10u);
    EXPECT_EQ(s.delay_ticks, static_cast<uint32_t>(delay_to_ticks(s.delay, 0.1)));
    distinct.insert(s.weight);
  }
  EXPECT_GT(distinct.size(), 390u);
  // The weight stream does not depend on the delay distribution.
  *net.mutable_projections(0)->mutable_delay() = uniform(0.5, 0.6);
  const auto again = expand_projection(net, 0);
  for (size_t k = 0; k < syn.size(); ++k) EXPECT_EQ(syn[k].weight, again[k].weight);
  // Weight lists follow the connector's order.
  auto listed = two_pops(2, 2, "all_to_all {}");
  for (double w : {1.0, 2.0, 3.0, 4.0}) listed.mutable_projections(0)->mutable_weight()->mutable_list()->add_values(w);
  const auto l = expand_projection(listed, 0);
  EXPECT_EQ(l[2], (Synapse{1, 0, 3.0, 0.2, 2}));
}

TEST(NetworkCells, ValuesByTheDescriptorsNames) {
  const auto net = text(R"pb(
    run { timestep_ms: 0.1 seed: 4 }
    populations {
      label: "a" size: 3
      if_curr_exp { cm { constant: 0.2 } v_thresh { list { values: [-50, -51, -52] } } }
      initial_values { v { constant: -60 } }
    }
    populations { label: "z" size: 2 izhikevich { d { constant: 8 } } }
    populations { label: "p" size: 2 spike_source_poisson { rate { constant: 20 } } }
    populations { label: "s" size: 2 spike_source_array { shared { times: [1, 2] } } }
    populations { label: "c" size: 1 if_cond_exp { e_rev_I { constant: -80 } } }
    populations { label: "n" size: 1 if_nonleaky { v_thresh { constant: 2 } } }
  )pb");
  // Every parameter and state variable of the type's descriptor, by name.
  const auto a = cell_values(net, 0);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_DOUBLE_EQ(a.at("cm")[1], 0.2);
  EXPECT_DOUBLE_EQ(a.at("v_thresh")[2], -52);
  EXPECT_DOUBLE_EQ(a.at("tau_m")[0], 20);  // PyNN default
  EXPECT_DOUBLE_EQ(a.at("v")[0], -60);
  const auto z = cell_values(net, 1);
  EXPECT_DOUBLE_EQ(z.at("d")[0], 8);
  EXPECT_DOUBLE_EQ(z.at("u")[0], -14);
  EXPECT_THROW(z.at("cm"), std::invalid_argument);
  const auto p = poisson_sources(net, 2);
  EXPECT_DOUBLE_EQ(p[1].rate, 20);
  EXPECT_DOUBLE_EQ(p[1].duration, 1e10);
  EXPECT_EQ(spike_array_times(net, 3), (std::vector<std::vector<double>>{{1, 2}, {1, 2}}));
  EXPECT_DOUBLE_EQ(cell_values(net, 4).at("e_rev_I")[0], -80);
  EXPECT_DOUBLE_EQ(cell_values(net, 4).at("v")[0], -65);  // v defaults to v_rest
  EXPECT_DOUBLE_EQ(cell_values(net, 5).at("v_thresh")[0], 2);
  EXPECT_THROW(poisson_sources(net, 1), std::invalid_argument);
}

TEST(NetworkExpand, AnyPostRangeGivesExactlyThoseSynapsesOfTheWhole) {
  // Random weights and delays (drawn per post neuron) and every connector:
  // a range's expansion is the whole expansion restricted to the range.
  const char* connectors[] = {"all_to_all { allow_self_connections: false }",
                              "one_to_one {}",
                              "fixed_probability { p: 0.3 allow_self_connections: false }",
                              "fixed_number_pre { n: 7 }",
                              "fixed_number_pre { n: 9 with_replacement: true }",
                              "fixed_number_post { n: 5 }",
                              R"(from_list { connections { pre: 3 post: 30 } connections { pre: 0 post: 2 weight: 2 }
                                             connections { pre: 39 post: 0 } })"};
  for (const char* c : connectors) {
    auto net = two_pops(40, 40, c, 7);
    net.mutable_projections(0)->set_post("pre");
    *net.mutable_projections(0)->mutable_weight() = uniform(0.1, 0.2);
    *net.mutable_projections(0)->mutable_delay() = uniform(0.1, 1.0);
    const auto whole = expand_projection(net, 0);
    ASSERT_FALSE(whole.empty()) << c;
    for (auto [lo, n] : {std::pair{0u, 40u}, {0u, 1u}, {13u, 7u}, {39u, 1u}, {20u, 20u}, {5u, 0u}}) {
      std::vector<Synapse> expected;
      for (const auto& s : whole)
        if (s.post >= lo && s.post < lo + n) expected.push_back(s);
      EXPECT_EQ(expand_projection_onto(net, 0, lo, n), expected) << c << " posts " << lo << "+" << n;
    }
    EXPECT_THROW(expand_projection_onto(net, 0, 30, 11), std::invalid_argument) << c;
  }
  EXPECT_TRUE(expands_per_post(two_pops(2, 2, "fixed_probability { p: 0.5 }"), 0));
  EXPECT_FALSE(expands_per_post(two_pops(2, 2, "fixed_number_post { n: 1 }"), 0));
}

TEST(NetworkExpand, FixedProbabilityInDegreesAreBinomial) {
  // Geometric gaps per post neuron: in-degree Binomial(n_pre, p) for every
  // post, and each pre equally likely.
  const auto syn = expand_projection(two_pops(1000, 400, "fixed_probability { p: 0.05 }"), 0);
  std::vector<int> in(400, 0), out(1000, 0);
  for (const auto& s : syn) ++in[s.post], ++out[s.pre];
  double m = 0, v = 0;
  for (int k : in) m += k;
  m /= 400;
  for (int k : in) v += (k - m) * (k - m);
  v /= 399;
  EXPECT_NEAR(m, 50.0, 1.0);           // sd of the mean: sqrt(47.5 / 400) = 0.34
  EXPECT_NEAR(v, 47.5, 47.5 * 0.25);   // n p (1 - p)
  int first_half = 0;
  for (int i = 0; i < 500; ++i) first_half += out[i];
  EXPECT_NEAR(first_half, static_cast<double>(syn.size()) / 2, 4 * std::sqrt(static_cast<double>(syn.size()) / 4));
}

TEST(NetworkRandom, SplitMix64IsTheReferenceSequence) {
  // Vigna's splitmix64.c from seed 1234567.
  SplitMix64 g(1234567);
  EXPECT_EQ(g(), 6457827717110365317ull);
  EXPECT_EQ(g(), 3203168211198807973ull);
  EXPECT_EQ(g(), 9817491932198370423ull);
  StreamRng a(index_seed(5, 0)), b(index_seed(5, 1));
  EXPECT_NE(a.next_u64(), b.next_u64());
}
