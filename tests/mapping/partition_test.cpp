#include "mapping/partition.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "mapping_test_util.h"
#include "config/limits.h"
#include "mapping/from_network.h"
#include "synapse/plasticity/plastic_row.h"

namespace spindle::host {
namespace {

using test::arm_machine;
using test::population;
using test::projection;

const emu::MachineDescription kMachine = emu::machine_from_shape("48");

void expect_covers(const ApplicationGraph& g, const Partition& p) {
  ASSERT_EQ(p.first_slice.size(), g.vertices.size() + 1);
  for (uint32_t v = 0; v < g.vertices.size(); ++v) {
    uint32_t at = 0, min_n = UINT32_MAX, max_n = 0;
    for (uint32_t s = p.first_slice[v]; s < p.first_slice[v + 1]; ++s) {
      EXPECT_EQ(p.slices[s].vertex, v);
      EXPECT_EQ(p.slices[s].index, s - p.first_slice[v]);
      EXPECT_EQ(p.slices[s].lo_atom, at);
      at += p.slices[s].n_atoms;
      min_n = std::min(min_n, p.slices[s].n_atoms);
      max_n = std::max(max_n, p.slices[s].n_atoms);
      EXPECT_LE(p.slices[s].n_atoms, p.atoms_per_core[v]);
    }
    EXPECT_EQ(at, g.vertices[v].n_atoms) << "vertex " << v;
    EXPECT_LE(max_n - min_n, 1u) << "slices are balanced";
  }
}

TEST(Partition, SmallPopulationIsOneSlice) {
  ApplicationGraph g;
  g.vertices.push_back(population("a", 100));
  const Partition p = partition(g, kMachine);
  ASSERT_EQ(p.slices.size(), 1u);
  EXPECT_EQ(p.slices[0].n_atoms, 100u);
  expect_covers(g, p);
}

void expect_maximal(const ApplicationGraph& g, const Partition& p, uint32_t v, const CostModel& cost);

TEST(Partition, NeuronLimitAndBalancedSlices) {
  ApplicationGraph g;
  g.vertices.push_back(population("a", 1000));
  g.vertices.push_back(population("b", 256));
  g.vertices.push_back(population("c", 257));
  const Partition p = partition(g, arm_machine("48"));
  EXPECT_EQ(p.n_slices(0), 4u);  // 250 each
  EXPECT_EQ(p.slices[0].n_atoms, 250u);
  EXPECT_EQ(p.n_slices(1), 1u);
  EXPECT_EQ(p.n_slices(2), 2u);  // 129 + 128
  EXPECT_EQ(p.slices[p.first_slice[2]].n_atoms, 129u);
  expect_covers(g, p);
  for (const Slice& s : p.slices) EXPECT_LE(s.n_atoms, fw::kArmMaxNeuronsPerCore);
  // Native cores hold more: the same graph then fits DTCM's limit instead.
  const Partition native = partition(g, kMachine);
  EXPECT_EQ(native.n_slices(1), 1u);
  EXPECT_EQ(native.n_slices(2), 1u);
  EXPECT_LT(native.n_slices(0), p.n_slices(0));
  for (const Slice& s : native.slices) {
    EXPECT_LE(s.n_atoms, fw::kNativeMaxNeuronsPerCore);
    EXPECT_LE(s.resources.dtcm_bytes, kMachine.dtcm_bytes_per_core);
  }
  expect_covers(g, native);
  expect_maximal(g, native, 0, CostModel{});
  // A machine's limit below the vertex's own wins, and the other way round.
  emu::MachineDescription tiny = kMachine;
  tiny.max_neurons_per_core = 100;
  EXPECT_EQ(partition(g, tiny).n_slices(0), 10u);
  g.vertices[0].max_atoms_per_core = 50;
  EXPECT_EQ(partition(g, tiny).n_slices(0), 20u);
}

TEST(Partition, PerVertexAtomLimit) {
  ApplicationGraph g;
  g.vertices.push_back(population("a", 100));
  g.vertices[0].max_atoms_per_core = 30;
  const Partition p = partition(g, kMachine);
  EXPECT_EQ(p.n_slices(0), 4u);
  EXPECT_EQ(p.atoms_per_core[0], 30u);
  expect_covers(g, p);
}

// The chosen size fits and one more neuron does not, for the named budget.
void expect_maximal(const ApplicationGraph& g, const Partition& p, uint32_t v, const CostModel& cost) {
  const auto in = incoming_edges(g);
  const uint32_t n = p.atoms_per_core[v];
  const SliceResources r = slice_resources(g, in, v, n, kMachine, cost);
  EXPECT_LE(r.dtcm_bytes, kMachine.dtcm_bytes_per_core);
  EXPECT_LE(r.ring_buffer_words, fw::kRingBufferWords);
  EXPECT_LE(r.ring_slots, fw::kMaxRingSlots);
  EXPECT_LE(r.sdram_bytes, cost.sdram_budget(kMachine));
  EXPECT_LE(r.cycles_per_tick, cost.cycles_per_tick_budget());
  const SliceResources more = slice_resources(g, in, v, n + 1, kMachine, cost);
  EXPECT_TRUE(more.dtcm_bytes > kMachine.dtcm_bytes_per_core || more.ring_buffer_words > fw::kRingBufferWords ||
              more.ring_slots > fw::kMaxRingSlots ||
              more.sdram_bytes > cost.sdram_budget(kMachine) || more.cycles_per_tick > cost.cycles_per_tick_budget())
      << "slice of " << n << " is not the largest that fits";
}

TEST(Partition, DtcmBudget) {
  ApplicationGraph g;
  g.vertices.push_back(population("big state", 1000));
  g.vertices[0].dtcm_bytes_per_atom = 1000;
  const Partition p = partition(g, kMachine);
  EXPECT_LT(p.atoms_per_core[0], 64u);
  EXPECT_GT(p.atoms_per_core[0], 10u);
  expect_maximal(g, p, 0, {});
  expect_covers(g, p);
}

TEST(Partition, RingBufferLimitsLongDelays) {
  ApplicationGraph g;
  g.vertices.push_back(population("src", 100));
  g.vertices.push_back(population("dst", 256));
  g.edges.push_back(projection(0, 1, 1000, /*delay=*/40));  // 64 slots x 2 types -> 64 neurons
  const Partition p = partition(g, kMachine);
  EXPECT_EQ(p.atoms_per_core[1], 64u);
  EXPECT_EQ(p.n_slices(1), 4u);
  expect_covers(g, p);
}

TEST(Partition, CycleBudgetFromIncomingEvents) {
  ApplicationGraph g;
  g.vertices.push_back(population("drive", 10000, /*rate_hz=*/40));
  g.vertices.push_back(population("target", 1000));
  g.edges.push_back(projection(0, 1, 10000.0 * 1000 * 0.1));  // p = 0.1: 1000 inputs per target neuron
  CostModel cost;
  const Partition p = partition(g, kMachine, cost);
  // 1000 inputs x 40 Hz x 1 ms = 40 events per neuron per tick x 20 cycles: ~800 cycles per neuron.
  EXPECT_LT(p.atoms_per_core[1], 256u);
  EXPECT_GT(p.atoms_per_core[1], 100u);
  expect_maximal(g, p, 1, cost);
  const Slice& s = p.slices[p.first_slice[1]];
  EXPECT_NEAR(s.resources.synaptic_events_per_tick, 40.0 * s.n_atoms, 1e-6 * s.n_atoms);
  // A slower-than-real-time run gets more cycles per tick, so bigger slices.
  CostModel slow = cost;
  slow.time_scale_factor = 4;
  const Partition q = partition(g, kMachine, slow);
  EXPECT_GT(q.atoms_per_core[1], 2 * p.atoms_per_core[1]);
  expect_maximal(g, q, 1, slow);
}

TEST(Partition, SdramBudgetForSynapticMatrix) {
  ApplicationGraph g;
  g.vertices.push_back(population("src", 20000));
  g.vertices.push_back(population("dst", 256));
  g.edges.push_back(projection(0, 1, 20000.0 * 256 * 0.5));
  CostModel cost;
  cost.sdram_bytes_per_core = 4 * 1024 * 1024;
  cost.time_scale_factor = 100;  // take cycles out of the picture
  const Partition p = partition(g, kMachine, cost);
  EXPECT_LT(p.atoms_per_core[1], 256u);
  expect_maximal(g, p, 1, cost);
  for (const Slice& s : p.slices) EXPECT_LE(s.resources.sdram_bytes, cost.sdram_bytes_per_core);
}

// A plastic row holds 4 header words (count, last pre tick, window start,
// pre trace) where a static row holds 1: 3 words more per row, per source.
TEST(Partition, PlasticRowsCountTheirHeaders) {
  ApplicationGraph g;
  g.vertices.push_back(population("src", 1000));
  g.vertices.push_back(population("dst", 100));
  g.edges.push_back(projection(0, 1, 1000.0 * 100));
  const auto in = incoming_edges(g);
  const CostModel cost;
  const SliceResources fixed = slice_resources(g, in, 1, 100, kMachine, cost);
  g.edges[0].row_header_words = 4;
  const SliceResources plastic = slice_resources(g, in, 1, 100, kMachine, cost);
  EXPECT_EQ(plastic.sdram_bytes - fixed.sdram_bytes, 1000u * 3 * 4);
  // From a network: STDP projections get the plastic row's header.
  v1::Network net;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"(
populations { label: "a" size: 4 spike_source_poisson { rate { constant: 10 } } }
populations { label: "b" size: 4 if_curr_exp {} }
projections { pre: "a" post: "b" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 0.1 } }
projections { pre: "a" post: "b" receptor: INHIBITORY connector { all_to_all {} } weight { constant: 0.1 }
  synapse_dynamics { stdp { additive { w_max: 1 } } } })", &net));
  const ApplicationGraph from = graph_from_network(net);
  EXPECT_EQ(from.edges[0].row_header_words, 1u);
  EXPECT_EQ(from.edges[1].row_header_words, fw::stdp::kPlasticRowHeaderWords);
}

// A neuromodulated row holds two more words per synapse (eligibility
// trace, weight state), and its population's cores two more synapse types
// (reward, punishment): twice the ring buffer.
TEST(Partition, NeuromodulatedRowsCountTheirSynapsesWordsAndTypes) {
  ApplicationGraph g;
  g.vertices.push_back(population("src", 1000));
  g.vertices.push_back(population("dst", 100));
  g.edges.push_back(projection(0, 1, 1000.0 * 100));  // all to all: rows of 100
  const auto in = incoming_edges(g);
  const CostModel cost;
  const SliceResources plain = slice_resources(g, in, 1, 100, kMachine, cost);
  g.edges[0].words_per_synapse = 3;
  g.vertices[1].n_synapse_types = 4;
  const SliceResources neuromodulated = slice_resources(g, in, 1, 100, kMachine, cost);
  EXPECT_EQ(neuromodulated.sdram_bytes - plain.sdram_bytes, 1000u * 100 * 2 * 4);
  EXPECT_EQ(neuromodulated.ring_buffer_words, 2 * plain.ring_buffer_words);
  EXPECT_EQ(neuromodulated.dtcm_bytes - plain.dtcm_bytes, 4 * plain.ring_buffer_words);
}

TEST(Partition, ErrorWhenOneNeuronDoesNotFit) {
  ApplicationGraph g;
  g.vertices.push_back(population("src", 10));
  g.vertices.push_back(population("far", 10));
  g.edges.push_back(projection(0, 1, 10, /*delay=*/100));
  try {
    partition(g, kMachine);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("population 1 (far)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ring buffer"), std::string::npos) << msg;
  }
}

// A cost past any integer (an absurd spike rate) is reported in e-notation;
// its conversion to uint64 for the message was undefined (found by the
// daemon fuzz target).
TEST(Partition, ErrorWithAnAbsurdCycleCount) {
  ApplicationGraph g;
  g.vertices.push_back(population("src", 10, /*rate_hz=*/1e38));
  g.vertices.push_back(population("flooded", 10));
  g.edges.push_back(projection(0, 1, 100));
  try {
    partition(g, kMachine);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("population 1 (flooded)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("e+"), std::string::npos) << msg;
  }
}

TEST(Partition, RejectsBadGraph) {
  ApplicationGraph g;
  g.vertices.push_back(population("a", 10));
  g.edges.push_back(projection(0, 3, 10));
  try {
    partition(g, kMachine);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("edges[0].post"), std::string::npos) << e.what();
  }
  g.edges.clear();
  g.vertices[0].n_atoms = 0;
  EXPECT_THROW(partition(g, kMachine), std::invalid_argument);
}

TEST(Partition, Deterministic) {
  ApplicationGraph g;
  for (uint32_t i = 0; i < 10; ++i) g.vertices.push_back(population("p" + std::to_string(i), 300 + 97 * i, 3 + i));
  for (uint32_t i = 0; i < 10; ++i)
    for (uint32_t j = 0; j < 10; ++j) g.edges.push_back(projection(i, j, 1e5 * (1 + (i * j) % 5), 1 + (i + j) % 8));
  const Partition a = partition(g, kMachine), b = partition(g, kMachine);
  ASSERT_EQ(a.slices.size(), b.slices.size());
  for (size_t i = 0; i < a.slices.size(); ++i) {
    EXPECT_EQ(a.slices[i].n_atoms, b.slices[i].n_atoms);
    EXPECT_EQ(a.slices[i].resources.cycles_per_tick, b.slices[i].resources.cycles_per_tick);
  }
  expect_covers(g, a);
}

}  // namespace
}  // namespace spindle::host
