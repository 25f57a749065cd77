// Network -> ApplicationGraph (mapping/from_network.h): synapse counts per
// connector, longest delays, one-to-one reach, per-vertex costs.
#include "mapping/from_network.h"

#include "cells/if_curr_exp.h"
#include "cells/spike_sources.h"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>

#include "network/load.h"
#include "network/run_settings.h"
#include "network/validate.h"
#include "neuron/models.h"

namespace spindle::host {
namespace {

// dt 0.1 ms. Populations: src (Poisson, 10), a (IF_curr_exp, 10),
// b (IF_cond_exp, 20), c (Izhikevich, 2), d (IF_curr_exp, 3).
constexpr const char* kNetwork = R"(
run { timestep_ms: 0.1 duration_ms: 100 seed: 3 }
populations { label: "src" size: 10 spike_source_poisson { rate { constant: 5 } } }
populations { label: "a" size: 10 if_curr_exp {} }
populations { label: "b" size: 20 if_cond_exp {} }
populations { label: "c" size: 2 izhikevich {} }
populations { label: "d" size: 3 if_curr_exp {} }
projections { label: "p0" pre: "a" post: "b" receptor: EXCITATORY connector { all_to_all {} }
              weight { constant: 0.01 } delay { constant: 1.5 } }
projections { label: "p1" pre: "a" post: "a" receptor: EXCITATORY
              connector { all_to_all { allow_self_connections: false } } weight { constant: 0.1 } }
projections { label: "p2" pre: "src" post: "a" receptor: EXCITATORY connector { one_to_one {} }
              weight { constant: 0.1 } delay { random { uniform { low: 1 high: 3 } } } }
projections { label: "p3" pre: "a" post: "b" receptor: INHIBITORY connector { fixed_probability { p: 0.1 } }
              weight { constant: 0.01 } }
projections { label: "p4" pre: "a" post: "a" receptor: INHIBITORY
              connector { fixed_probability { p: 0.5 allow_self_connections: false } } weight { constant: -0.1 } }
projections { label: "p5" pre: "src" post: "b" receptor: EXCITATORY connector { fixed_number_pre { n: 3 } }
              weight { constant: 0.01 } }
projections { label: "p6" pre: "a" post: "b" receptor: EXCITATORY connector { fixed_number_post { n: 4 } }
              weight { constant: 0.01 } }
projections { label: "p7" pre: "src" post: "d" receptor: EXCITATORY
              connector { from_list { connections { pre: 0 post: 1 weight: 0.1 delay: 0.2 }
                                      connections { pre: 1 post: 2 weight: 0.1 delay: 0.7 }
                                      connections { pre: 2 post: 0 weight: 0.1 } } }
              delay { constant: 0.4 } }
projections { label: "p8" pre: "c" post: "d" receptor: EXCITATORY
              connector { low_rank { rank: 1 u: [1, 0.1] v: [1, 0.2, 0.9] } } }
projections { label: "p9" pre: "c" post: "d" receptor: EXCITATORY
              connector { low_rank { rank: 1 u: [1, 0.1] v: [1, 0.2, 0.9] threshold: 0.5 } } }
)";

class FromNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    net_ = network::parse_network(kNetwork, network::NetworkFormat::kText, "test");
    ASSERT_EQ(network::format_errors(network::validate_network(net_)), "");
    graph_ = graph_from_network(net_);
  }
  spindle::v1::Network net_;
  ApplicationGraph graph_;
};

TEST_F(FromNetworkTest, OneVertexPerPopulationOneEdgePerProjection) {
  ASSERT_EQ(graph_.vertices.size(), 5u);
  ASSERT_EQ(graph_.edges.size(), 10u);
  EXPECT_NO_THROW(validate_graph(graph_));
  EXPECT_EQ(graph_.vertices[2].label, "b");
  EXPECT_EQ(graph_.vertices[2].n_atoms, 20u);
  EXPECT_EQ(graph_.edges[0].pre, 1u);
  EXPECT_EQ(graph_.edges[0].post, 2u);
}

TEST_F(FromNetworkTest, SynapseCountsPerConnector) {
  EXPECT_DOUBLE_EQ(graph_.edges[0].n_synapses, 10.0 * 20);       // all_to_all
  EXPECT_DOUBLE_EQ(graph_.edges[1].n_synapses, 10.0 * 10 - 10);  // all_to_all without self connections
  EXPECT_DOUBLE_EQ(graph_.edges[2].n_synapses, 10.0);             // one_to_one
  EXPECT_DOUBLE_EQ(graph_.edges[3].n_synapses, 0.1 * 10 * 20);    // fixed_probability
  EXPECT_DOUBLE_EQ(graph_.edges[4].n_synapses, 0.5 * (10 * 10 - 10));  // without self connections
  EXPECT_DOUBLE_EQ(graph_.edges[5].n_synapses, 3.0 * 20);         // fixed_number_pre: n x n_post
  EXPECT_DOUBLE_EQ(graph_.edges[6].n_synapses, 4.0 * 10);         // fixed_number_post: n x n_pre
  EXPECT_DOUBLE_EQ(graph_.edges[7].n_synapses, 3.0);              // from_list
  EXPECT_DOUBLE_EQ(graph_.edges[8].n_synapses, 2.0 * 3);          // low_rank, every pair
  EXPECT_DOUBLE_EQ(graph_.edges[9].n_synapses, 2.0);              // thresholded: |W| >= 0.5 at (0,0), (0,2)
}

TEST_F(FromNetworkTest, LongestDelayInTicks) {
  EXPECT_EQ(graph_.edges[0].max_delay_ticks, 15u);  // 1.5 ms / 0.1 ms
  EXPECT_EQ(graph_.edges[1].max_delay_ticks, 1u);   // unset: one timestep
  EXPECT_EQ(graph_.edges[2].max_delay_ticks, 30u);  // uniform [1, 3) ms: its upper end
  EXPECT_EQ(graph_.edges[7].max_delay_ticks, 7u);   // from_list: 0.7 ms beats the default 0.4 ms
}

TEST_F(FromNetworkTest, OneToOneReachesSameIndices) {
  for (size_t j = 0; j < graph_.edges.size(); ++j) {
    EXPECT_EQ(graph_.edges[j].reach, j == 2 ? EdgeReach::kSameIndices : EdgeReach::kAllSlices) << j;
  }
}

TEST_F(FromNetworkTest, VertexCostsFromCellType) {
  // The cost model of docs/mapping.md, read from each type's descriptor.
  EXPECT_EQ(graph_.vertices[0].cycles_per_atom, cells::spike_source_poisson_type.cycles_per_atom);
  EXPECT_EQ(graph_.vertices[0].cycles_per_atom, 60u);
  EXPECT_DOUBLE_EQ(graph_.vertices[0].rate_hz, 5.0);
  EXPECT_EQ(graph_.vertices[1].cycles_per_atom, cells::if_curr_exp_type.cycles_per_atom);
  EXPECT_EQ(graph_.vertices[1].cycles_per_atom, 120u);
  EXPECT_EQ(graph_.vertices[2].cycles_per_atom, 180u);
  EXPECT_EQ(graph_.vertices[3].cycles_per_atom, 160u);
  EXPECT_DOUBLE_EQ(graph_.vertices[1].rate_hz, kGuessNeuronRateHz);
  EXPECT_EQ(graph_.vertices[2].dtcm_bytes_per_atom, sizeof(fw::IfCondExp::Params) + sizeof(fw::IfCondExp::State));
  EXPECT_EQ(cost_model_for(net_).timestep_us, 100u);
}

// sPyNNaker's set_number_of_neurons_per_core, and sources' own cap.
TEST_F(FromNetworkTest, MaxNeuronsPerCore) {
  EXPECT_EQ(graph_from_network(net_).vertices[1].max_atoms_per_core, 0u);         // the machine's limit
  EXPECT_EQ(graph_from_network(net_).vertices[0].max_atoms_per_core, fw::kMaxSourcesPerCore);  // Poisson
  net_.mutable_populations(1)->set_max_neurons_per_core(64);
  net_.mutable_populations(0)->set_max_neurons_per_core(1000);
  const ApplicationGraph g = graph_from_network(net_);
  EXPECT_EQ(g.vertices[1].max_atoms_per_core, 64u);
  EXPECT_EQ(g.vertices[0].max_atoms_per_core, fw::kMaxSourcesPerCore);  // no more than a source core holds
  net_.mutable_populations(0)->set_max_neurons_per_core(10);
  EXPECT_EQ(graph_from_network(net_).vertices[0].max_atoms_per_core, 10u);
}

// sPyNNaker's default time scale factor, max(1, ceil(1 ms / timestep)), and
// an explicit one, in the cost model's cycle budget and the cores' timer period.
TEST_F(FromNetworkTest, TimeScaleFactor) {
  spindle::v1::RunSettings run;
  for (const auto& [dt, tsf] : {std::pair{0.1, 10.0}, {1.0, 1.0}, {0.25, 4.0}, {0.3, 4.0}, {2.0, 1.0}, {0.05, 20.0}}) {
    run.set_timestep_ms(dt);
    EXPECT_EQ(network::time_scale_factor(run), tsf) << dt;
    EXPECT_EQ(network::tick_period_us(run), static_cast<uint32_t>(std::lround(dt * 1000 * tsf))) << dt;
  }
  run.set_timestep_ms(0.1);
  run.set_time_scale_factor(2.5);
  EXPECT_EQ(network::time_scale_factor(run), 2.5);
  EXPECT_EQ(network::tick_period_us(run), 250u);
  EXPECT_EQ(network::timestep_us(run), 100u);

  const CostModel by_default = cost_model_for(net_);  // dt 0.1 ms
  EXPECT_EQ(by_default.time_scale_factor, 10.0);
  EXPECT_DOUBLE_EQ(by_default.cycles_per_tick_budget(), 200e6 * 100e-6 * 10 * 0.8);
  net_.mutable_run()->set_time_scale_factor(1);
  EXPECT_DOUBLE_EQ(cost_model_for(net_).cycles_per_tick_budget(), 200e6 * 100e-6 * 0.8);
}

TEST(FromNetwork, RecordingAddsSdram) {
  auto net = network::parse_network(kNetwork, network::NetworkFormat::kText, "test");
  const uint32_t before = graph_from_network(net).vertices[1].sdram_bytes_per_atom;
  auto* rec = net.add_recordings();
  rec->set_population("a");
  rec->add_variables(spindle::v1::V);  // 1000 ticks x one word
  const auto after = graph_from_network(net).vertices[1];
  EXPECT_EQ(after.sdram_bytes_per_atom, before + 4000u);
}

// A recording too large for any core (here ~170 GB a neuron over a long
// run) stays too large: the per-neuron SDRAM figure saturates instead of
// wrapping round to a small number (found by the network fuzz target: the
// conversion to uint32 was undefined).
TEST(FromNetwork, RecordingSdramSaturates) {
  auto net = network::parse_network(kNetwork, network::NetworkFormat::kText, "test");
  net.mutable_run()->set_duration_ms(1e12);
  auto* rec = net.add_recordings();
  rec->set_population("a");
  rec->add_variables(spindle::v1::V);
  EXPECT_EQ(graph_from_network(net).vertices[1].sdram_bytes_per_atom, UINT32_MAX);
}

}  // namespace
}  // namespace spindle::host
