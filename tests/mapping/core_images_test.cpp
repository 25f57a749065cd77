// The whole host path on the native engine: network -> graph -> mapping ->
// core images and router tables -> engine. Populations are split into
// several slices over several chips, so keys, routes, compressed tables and
// the per-slice filtering of synapses must all be right for the spikes to
// land where and when they should.
#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include "engine/engine.h"
#include "image/parser.h"
#include "mapping/core_images.h"
#include "mapping/from_network.h"
#include "mapping/pipeline.h"
#include "network/expand.h"
#include "network/validate.h"
#include "synapse/plasticity/dopamine_history.h"
#include "synapse/plasticity/plastic_row.h"
#include "synapse/plasticity/stdp_lut_builder.h"

namespace spindle::host {
namespace {

using network::expand_projection;
using network::Synapse;

v1::Network parse(const char* text) {
  v1::Network net;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &net));
  return net;
}

struct MappedRun {
  std::unique_ptr<emu::Engine> engine;
  MappingResult mapping;
  MachineLoad load;
  emu::RunReport report;
};

// Maps with at most max_atoms neurons per core, loads and runs.
MappedRun map_and_run(const v1::Network& net, const char* shape, uint32_t max_atoms, uint32_t ticks) {
  ApplicationGraph graph = graph_from_network(net);
  for (auto& v : graph.vertices) v.max_atoms_per_core = max_atoms;
  MappedRun r;
  const emu::MachineDescription machine = emu::machine_from_shape(shape);
  r.mapping = map_graph(graph, machine);
  r.load = build_machine_load(net, graph, r.mapping);
  r.engine = std::make_unique<emu::Engine>(machine, emu::EngineConfig{.threads = 2});
  load_into(*r.engine, r.load);
  r.report = r.engine->run(ticks);
  return r;
}

// (population neuron, tick) of every recorded spike of a population.
std::set<std::pair<uint32_t, uint32_t>> spikes_of(const MappedRun& r, uint32_t vertex) {
  std::set<std::pair<uint32_t, uint32_t>> out;
  for (const CoreLoad& c : r.load.cores) {
    const Slice& s = r.mapping.partition.slices[c.slice];
    if (s.vertex != vertex) continue;
    const emu::CoreSlot* slot = r.engine->find({c.chip, c.core});
    for (const auto& sp : slot->spikes) out.insert({s.lo_atom + sp.neuron, sp.tick});
  }
  return out;
}

TEST(CoreImages, OneToOneSpikesArriveAtTheRightNeuronAfterTheirDelay) {
  // Source neuron i fires at 5 + i ms; target i (non-leaky IF, threshold 1,
  // weight 1.5 mV) must fire exactly 3 ms later and no other neuron fires.
  const v1::Network net = parse(R"pb(
    run { timestep_ms: 1 duration_ms: 40 seed: 3 }
    populations {
      label: "src" size: 10
      spike_source_array {
        per_neuron { times: 5 } per_neuron { times: 6 } per_neuron { times: 7 } per_neuron { times: 8 }
        per_neuron { times: 9 } per_neuron { times: 10 } per_neuron { times: 11 } per_neuron { times: 12 }
        per_neuron { times: 13 } per_neuron { times: 14 }
      }
    }
    populations { label: "dst" size: 10 if_nonleaky { v_thresh { constant: 1 } } }
    projections {
      pre: "src" post: "dst" receptor: EXCITATORY
      connector { one_to_one {} }
      weight { constant: 1.5 } delay { constant: 3 }
    }
    recordings { population: "dst" variables: SPIKES }
    recordings { population: "src" variables: SPIKES }
  )pb");
  const MappedRun r = map_and_run(net, "torus:2x2", 3, 40);  // 4 slices per population
  EXPECT_GE(r.mapping.partition.slices.size(), 8u);
  std::set<std::pair<uint32_t, uint32_t>> expected_src, expected_dst;
  for (uint32_t i = 0; i < 10; ++i) {
    expected_src.insert({i, 5 + i});
    expected_dst.insert({i, 8 + i});
  }
  EXPECT_EQ(spikes_of(r, 0), expected_src);
  EXPECT_EQ(spikes_of(r, 1), expected_dst);
  EXPECT_TRUE(r.report.fabric.balanced());
  EXPECT_EQ(r.report.fabric.totals.dropped_total(), 0u);
}

// Spike times past the last tick a core reaches never fire: 2^32 + 5 ticks
// used to wrap round to tick 5, and 1e300 ms (past 2^63 ticks) was an
// undefined conversion (found while fuzzing; the daemon target's corpus
// holds the input).
TEST(CoreImages, SpikeTimesPastTheTickCounterNeverFire) {
  const v1::Network net = parse(R"pb(
    run { timestep_ms: 1 duration_ms: 10 seed: 3 }
    populations { label: "src" size: 1 spike_source_array { shared { times: [3, 4294967301, 1e300] } } }
    recordings { population: "src" variables: SPIKES }
  )pb");
  const MappedRun r = map_and_run(net, "1", 1, 10);
  EXPECT_EQ(spikes_of(r, 0), (std::set<std::pair<uint32_t, uint32_t>>{{0, 3}}));
}

TEST(CoreImages, EverySynapseOfARandomProjectionIsDeliveredOnce) {
  // 12 array sources fire once each; 9 non-leaky IF targets with weight 0.01
  // (no spikes) just count input: each target's final v must equal 0.01 x its
  // in-degree in the expanded projection, whatever the slicing.
  const v1::Network net = parse(R"pb(
    run { timestep_ms: 1 duration_ms: 30 seed: 11 }
    populations { label: "src" size: 12 spike_source_array { shared { times: 4 } } }
    populations { label: "dst" size: 9 if_nonleaky { v_thresh { constant: 100 } } }
    projections {
      pre: "src" post: "dst" receptor: EXCITATORY
      connector { fixed_probability { p: 0.5 } }
      weight { constant: 0.125 } delay { random { uniform { low: 1 high: 5 } } }
    }
    recordings { population: "dst" variables: V }
  )pb");
  std::vector<uint32_t> in_degree(9, 0);
  for (const Synapse& s : expand_projection(net, 0)) ++in_degree[s.post];
  for (uint32_t max_atoms : {2u, 5u, 256u}) {
    const MappedRun r = map_and_run(net, "torus:3x3", max_atoms, 20);
    std::map<uint32_t, int32_t> last_v;
    for (const CoreLoad& c : r.load.cores) {
      const Slice& s = r.mapping.partition.slices[c.slice];
      if (s.vertex != 1) continue;
      for (const auto& st : r.engine->find({c.chip, c.core})->states) last_v[s.lo_atom + st.neuron] = st.value;
    }
    ASSERT_EQ(last_v.size(), 9u) << "max_atoms " << max_atoms;
    for (uint32_t i = 0; i < 9; ++i)
      EXPECT_EQ(last_v[i], static_cast<int32_t>(in_degree[i]) * (1 << 12)) << "neuron " << i << ", max_atoms " << max_atoms;
  }
}

TEST(CoreImages, ImagesAndCountsDoNotDependOnThreadCount) {
  const v1::Network net = parse(R"pb(
    run { timestep_ms: 0.1 duration_ms: 10 seed: 3 }
    populations { label: "a" size: 300 if_curr_exp {} }
    populations { label: "b" size: 200 if_curr_exp {} }
    projections {
      pre: "a" post: "b" receptor: EXCITATORY connector { fixed_probability { p: 0.2 } }
      weight { random { normal { mean: 0.1 sd: 0.01 clip_low: 0 } } }
      delay { random { normal { mean: 1.5 sd: 0.75 clip_low: 0.1 clip_high: 3 } } }
    }
    projections {
      pre: "b" post: "a" receptor: INHIBITORY connector { fixed_number_post { n: 30 } }
      weight { constant: -0.4 } delay { constant: 0.8 }
    }
  )pb");
  ApplicationGraph graph = graph_from_network(net);
  for (auto& v : graph.vertices) v.max_atoms_per_core = 37;
  const MappingResult mapping = map_graph(graph, emu::machine_from_shape("2x2"));
  const MachineLoad one = build_machine_load(net, graph, mapping, nullptr, 1);
  const MachineLoad three = build_machine_load(net, graph, mapping, nullptr, 3);
  ASSERT_EQ(one.cores.size(), mapping.partition.slices.size());
  ASSERT_EQ(one.cores.size(), three.cores.size());
  EXPECT_EQ(one.synapses, three.synapses);
  uint64_t expanded = expand_projection(net, 0).size() + expand_projection(net, 1).size();
  EXPECT_EQ(one.synapses, expanded);
  for (size_t i = 0; i < one.cores.size(); ++i) {
    EXPECT_EQ(one.cores[i].slice, i);
    EXPECT_EQ(one.cores[i].image, three.cores[i].image) << "slice " << i;
    EXPECT_EQ(one.cores[i].synapses, three.cores[i].synapses);
  }
}

// The weight ranges read a draw made earlier (the graph's, for a
// thresholded low_rank; or any caller's) instead of drawing again: the
// images are the same whoever drew the weights.
TEST(CoreImages, ImagesDoNotDependOnWhoDrewTheWeights) {
  const v1::Network net = parse(R"pb(
    run { timestep_ms: 0.1 duration_ms: 10 seed: 8 }
    populations { label: "a" size: 300 if_curr_exp {} }
    populations { label: "b" size: 200 if_cond_exp {} }
    projections {
      pre: "a" post: "b" receptor: EXCITATORY connector { fixed_probability { p: 0.2 } }
      weight { random { normal { mean: 0.01 sd: 0.004 clip_low: 0 } } }
      delay { random { uniform { low: 0.1 high: 2 } } }
    }
    projections {
      pre: "b" post: "a" receptor: INHIBITORY connector { fixed_number_pre { n: 17 } }
      weight { random { uniform { low: -0.5 high: -0.1 } } }
    }
    projections {
      pre: "a" post: "a" receptor: EXCITATORY
      connector { low_rank { rank: 2 threshold: 0.05 u: [] v: [] } }
    }
  )pb");
  v1::Network n = net;
  auto* lr = n.mutable_projections(2)->mutable_connector()->mutable_low_rank();
  for (int i = 0; i < 600; ++i) lr->add_u(0.01 * ((i * 37) % 29) / 29.0 + 0.01 * (i % 3));
  for (int i = 0; i < 600; ++i) lr->add_v(((i * 53) % 31) / 31.0);
  DrawnWeights by_graph;
  ApplicationGraph graph = graph_from_network(n, &by_graph, 2);
  ASSERT_TRUE(by_graph[2]);  // the thresholded low_rank, drawn for its count
  for (auto& v : graph.vertices) v.max_atoms_per_core = 41;
  const MappingResult mapping = map_graph(graph, emu::machine_from_shape("2x2"));
  DrawnWeights all = by_graph;
  draw_weights(n, {true, true, true}, all, 2);  // every projection drawn beforehand
  const MachineLoad by_graph_load = build_machine_load(n, graph, mapping, nullptr, 2, &by_graph);
  const MachineLoad all_load = build_machine_load(n, graph, mapping, nullptr, 2, &all);
  const MachineLoad alone = build_machine_load(n, graph, mapping, nullptr, 1);  // draws what it needs itself
  ASSERT_EQ(by_graph_load.cores.size(), all_load.cores.size());
  EXPECT_GT(by_graph_load.synapses, 0u);
  EXPECT_EQ(by_graph_load.synapses, all_load.synapses);
  for (size_t i = 0; i < by_graph_load.cores.size(); ++i) {
    EXPECT_EQ(by_graph_load.cores[i].image, all_load.cores[i].image) << "slice " << i;
    EXPECT_EQ(by_graph_load.cores[i].image, alone.cores[i].image) << "slice " << i;
  }
  for (size_t e = 0; e < 3; ++e)
    EXPECT_EQ(by_graph_load.weight_quantization[e].synapses, all_load.weight_quantization[e].synapses) << e;
}

// Spikes and state records by population neuron, whatever the slicing:
// (population, neuron, tick) and (population, neuron, tick, variable, raw).
struct SlicedRun {
  size_t n_slices = 0;
  uint64_t state_records_dropped = 0;
  std::set<std::tuple<uint32_t, uint32_t, uint32_t>> spikes;
  std::set<std::tuple<uint32_t, uint32_t, uint32_t, uint32_t, int32_t>> states;
};

// Maps onto a 2x2 machine with neuron populations (not sources) cut into
// slices of at most max_neurons (0: the machine's limit), checks that every
// neuron core of a population carries the same weight shifts, and runs.
SlicedRun run_sliced(const v1::Network& net, uint32_t max_neurons, uint32_t ticks) {
  const emu::MachineDescription machine = emu::machine_from_shape("2x2");
  ApplicationGraph graph = graph_from_network(net);
  for (size_t v = 0; v < graph.vertices.size(); ++v)
    if (!network::is_spike_source(net.populations(static_cast<int>(v)))) graph.vertices[v].max_atoms_per_core = max_neurons;
  const MappingResult mapping = map_graph(graph, machine);
  SlicedRun r;
  r.n_slices = mapping.partition.slices.size();
  const MachineLoad load = build_machine_load(net, graph, mapping);
  std::map<uint32_t, std::vector<int32_t>> shifts;
  for (const CoreLoad& c : load.cores) {
    const uint32_t v = mapping.partition.slices[c.slice].vertex;
    if (network::is_spike_source(net.populations(static_cast<int>(v)))) continue;
    fw::image::ImageReader reader;
    EXPECT_TRUE(reader.open(c.image.data(), c.image.size()).ok());
    fw::image::SystemRegion sys{};
    std::memcpy(&sys, reader.region(fw::image::RegionId::kSystem).data, sizeof sys);
    std::vector<int32_t> w(sys.weight_shift, sys.weight_shift + fw::kMaxSynapseTypes);
    if (shifts.count(v)) {
      EXPECT_EQ(shifts[v], w) << "population " << v << ", slice " << c.slice;
    }
    shifts[v] = w;
  }
  emu::Engine engine(machine, emu::EngineConfig{.threads = 2});
  load_into(engine, load);
  engine.run(ticks);
  for (const CoreLoad& c : load.cores) {
    const Slice& s = mapping.partition.slices[c.slice];
    const emu::CoreSlot* slot = engine.find({c.chip, c.core});
    r.state_records_dropped += slot->provenance().state_records_dropped;
    for (const auto& sp : slot->spikes.to_vector()) r.spikes.insert({s.vertex, s.lo_atom + sp.neuron, sp.tick});
    for (const auto& st : slot->states.to_vector())
      r.states.insert({s.vertex, s.lo_atom + st.neuron, st.tick, st.variable, st.value});
  }
  return r;
}

TEST(CoreImages, SpikesDoNotDependOnHowNeuronPopulationsAreSliced) {
  // Random weights, and one strong synapse onto neuron 0: a weight scale per
  // core would quantize the slices without neuron 0 more finely. With one
  // per population every slicing gives the same spikes and traces.
  const v1::Network net = parse(R"pb(
    run { timestep_ms: 0.5 duration_ms: 200 seed: 21 }
    populations { label: "noise" size: 100 spike_source_poisson { rate { constant: 30 } } }
    populations { label: "exc" size: 300 if_curr_exp { v_thresh { constant: -55 } } }
    populations { label: "inh" size: 60 if_cond_exp {} }
    projections {
      pre: "noise" post: "exc" receptor: EXCITATORY connector { fixed_probability { p: 0.15 } }
      weight { random { normal { mean: 0.4 sd: 0.15 clip_low: 0 } } } delay { constant: 1 }
    }
    projections {
      pre: "noise" post: "exc" receptor: EXCITATORY
      connector { from_list { connections { pre: 0 post: 0 weight: 5 } } }
    }
    projections {
      pre: "exc" post: "inh" receptor: EXCITATORY connector { fixed_probability { p: 0.1 } }
      weight { random { uniform { low: 0.001 high: 0.01 } } } delay { random { uniform { low: 0.5 high: 2 } } }
    }
    projections {
      pre: "inh" post: "exc" receptor: INHIBITORY connector { fixed_probability { p: 0.3 } }
      weight { random { uniform { low: -2 high: -0.5 } } } delay { constant: 0.5 }
    }
    recordings { population: "exc" variables: SPIKES }
    recordings { population: "inh" variables: SPIKES }
    recordings { population: "exc" variables: [V, GSYN_EXC, GSYN_INH] neurons: [0, 1, 150, 299] }
    recordings { population: "inh" variables: [V, GSYN_EXC] neurons: [0, 59] }
  )pb");
  const SlicedRun whole = run_sliced(net, 0, 400), small = run_sliced(net, 37, 400);
  EXPECT_EQ(whole.n_slices, 3u);
  EXPECT_EQ(small.n_slices, 1u + 9 + 2);
  EXPECT_GT(whole.spikes.size(), 300u) << "the network should be active";
  EXPECT_EQ(whole.states.size(), 400u * (4 * 3 + 2 * 2));
  EXPECT_TRUE(whole.spikes == small.spikes) << whole.spikes.size() << " vs " << small.spikes.size() << " spikes";
  EXPECT_TRUE(whole.states == small.states) << "state traces differ";
}

TEST(CoreImages, ALargeNativeCoreRecordsEveryStateVariableOfEveryNeuron) {
  // v, gsyn_exc and gsyn_inh of all 450 neurons of one native core: 1350
  // samples a tick, more than an ARM image's 1024-sample buffer.
  const v1::Network net = parse(R"pb(
    run { timestep_ms: 0.1 duration_ms: 20 seed: 4 }
    populations { label: "noise" size: 100 spike_source_poisson { rate { constant: 200 } } }
    populations { label: "exc" size: 450 if_curr_exp {} }
    projections {
      pre: "noise" post: "exc" receptor: EXCITATORY connector { fixed_probability { p: 0.2 } }
      weight { random { uniform { low: 0.1 high: 0.5 } } }
    }
    projections {
      pre: "noise" post: "exc" receptor: INHIBITORY connector { fixed_probability { p: 0.1 } }
      weight { constant: -0.3 }
    }
    recordings { population: "exc" variables: [SPIKES, V, GSYN_EXC, GSYN_INH] }
  )pb");
  const SlicedRun whole = run_sliced(net, 0, 200), small = run_sliced(net, 100, 200);
  EXPECT_EQ(whole.n_slices, 2u) << "the sources and one core of 450";
  EXPECT_EQ(whole.state_records_dropped, 0u);
  EXPECT_EQ(whole.states.size(), 450u * 3 * 200);
  EXPECT_TRUE(whole.states == small.states) << "state traces differ";
  EXPECT_TRUE(whole.spikes == small.spikes);
}

// A core image's regions by id: (offset, size), read from its region table
// without the parser's checks.
std::map<uint32_t, std::pair<uint32_t, uint32_t>> raw_regions(const std::vector<uint8_t>& image) {
  fw::image::ImageHeader h;
  std::memcpy(&h, image.data(), sizeof h);
  std::map<uint32_t, std::pair<uint32_t, uint32_t>> out;
  for (uint32_t i = 0; i < h.region_count; ++i) {
    fw::image::RegionEntry e;
    std::memcpy(&e, image.data() + sizeof h + i * sizeof e, sizeof e);
    out[e.id] = {e.offset, e.size};
  }
  return out;
}

template <class T>
T read_at(const std::vector<uint8_t>& image, uint32_t offset) {
  T v;
  std::memcpy(&v, image.data() + offset, sizeof v);
  return v;
}

// Dopamine-modulated STDP through the mapping: the population with
// neuromodulated synapses gets reward and punishment synapse types (2 and
// 3 after if_curr_exp's two receptors) with their own weight scales, region
// 10, neuromodulated rows, and the partition counts their memory and
// cycles. Its slice that no plastic synapse reaches has neither (its
// dopamine synapses would act on nothing); a population with plain STDP
// is as before.
TEST(CoreImages, NeuromodulatedStdpImages) {
  const v1::Network net = parse(R"pb(
    run { timestep_ms: 1 duration_ms: 100 seed: 2 }
    populations { label: "src" size: 10 spike_source_poisson { rate { constant: 20 } } }
    populations { label: "da" size: 2 spike_source_poisson { rate { constant: 5 } } }
    populations { label: "a" size: 8 if_curr_exp {} }
    populations { label: "b" size: 6 if_curr_exp {} }
    projections {
      pre: "src" post: "a" receptor: EXCITATORY
      connector { from_list {
        connections { pre: 0 post: 0 weight: 0.2 } connections { pre: 1 post: 1 weight: 0.3 }
        connections { pre: 1 post: 2 weight: 0.4 } connections { pre: 9 post: 3 weight: 0.1 }
      } }
      synapse_dynamics { stdp {
        timing_dependence {} additive { w_max: 0.5 } neuromodulation { tau_c: 500 tau_d: 100 }
      } }
    }
    projections { pre: "da" post: "a" receptor: REWARD connector { all_to_all {} } weight { constant: 0.5 } }
    projections { pre: "da" post: "a" receptor: PUNISHMENT connector { all_to_all {} } weight { constant: 2 } }
    projections {
      pre: "src" post: "b" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 0.1 }
      synapse_dynamics { stdp { timing_dependence {} additive {} } }
    }
  )pb");
  ASSERT_EQ(network::format_errors(network::validate_network(net)), "");
  EXPECT_EQ(neuromodulated_populations(net), (std::vector<bool>{false, false, true, false}));

  ApplicationGraph graph = graph_from_network(net);
  EXPECT_EQ(graph.vertices[2].n_synapse_types, 4u);
  EXPECT_EQ(graph.vertices[3].n_synapse_types, 2u);
  EXPECT_EQ(graph.edges[0].words_per_synapse, 3u);
  EXPECT_EQ(graph.edges[1].words_per_synapse, 1u);
  EXPECT_EQ(graph.edges[3].words_per_synapse, 1u);
  // Both keep a post-spike history per neuron; "a" a dopamine history too.
  EXPECT_EQ(graph.vertices[2].sdram_bytes_per_atom - graph.vertices[3].sdram_bytes_per_atom,
            4 * fw::stdp::DopamineHistoryView<>::kWordsPerNeuron);
  EXPECT_EQ(cost_model_for(net).cycles_per_synaptic_event, 1344u);
  graph.vertices[2].max_atoms_per_core = 4;  // slice 1 (neurons 4..7): no plastic synapse
  const MappingResult mapping = map_graph(graph, emu::machine_from_shape("1"));
  const MachineLoad load = build_machine_load(net, graph, mapping);
  EXPECT_EQ(load.synapses, 4u + 2 * 4 * 2 + 10 * 6);  // slice 1's 16 dopamine synapses dropped

  int checked = 0;
  for (const CoreLoad& c : load.cores) {
    const Slice& slice = mapping.partition.slices[c.slice];
    if (slice.vertex < 2) continue;
    const auto regions = raw_regions(c.image);
    const auto sys = read_at<fw::image::SystemRegion>(c.image, regions.at(1).first);
    const bool neuromodulated = slice.vertex == 2 && slice.lo_atom == 0;
    SCOPED_TRACE("population " + std::to_string(slice.vertex) + " slice " + std::to_string(slice.index));
    EXPECT_EQ(sys.n_synapse_types, neuromodulated ? 4u : 2u);
    EXPECT_EQ(regions.count(static_cast<uint32_t>(fw::image::RegionId::kNeuromodulation)), neuromodulated ? 1u : 0u);
    if (slice.vertex == 2 && !neuromodulated) {
      EXPECT_EQ(c.synapses, 0u);
      EXPECT_EQ(regions.count(static_cast<uint32_t>(fw::image::RegionId::kPlasticMatrix)), 0u);
      ++checked;
      continue;
    }
    if (!neuromodulated) {
      ASSERT_EQ(regions.count(static_cast<uint32_t>(fw::image::RegionId::kStdp)), 1u);
      EXPECT_EQ(c.plastic.size(), 60u);
      ++checked;
      continue;
    }
    // Reward and punishment: 16-bit concentrations scaled like a receptor's
    // weights (0.5 x 2^16 and 2 x 2^14 = 32768), shifted back to s16.15.
    EXPECT_EQ(sys.type_bits, 2u);
    EXPECT_EQ(sys.weight_shift[2], -1);
    EXPECT_EQ(sys.weight_shift[3], 1);
    EXPECT_EQ(c.synapses, 4u + 16u);
    const auto [nm_at, nm_size] = regions.at(static_cast<uint32_t>(fw::image::RegionId::kNeuromodulation));
    EXPECT_EQ(nm_size, sizeof(fw::image::NeuromodulationRegionHeader) + 4 * fw::stdp::DopamineHistoryView<>::words(4));
    const auto nm = read_at<fw::image::NeuromodulationRegionHeader>(c.image, nm_at);
    const auto stdp = read_at<fw::image::StdpRegionHeader>(
        c.image, regions.at(static_cast<uint32_t>(fw::image::RegionId::kStdp)).first);
    EXPECT_EQ(nm.reward_type, 2u);
    EXPECT_EQ(nm.punishment_type, 3u);
    EXPECT_EQ(nm.c_max, stdp.w_max);
    EXPECT_EQ(stdp.w_max, 32768u);  // w_max 0.5 is the excitatory range: 2^16 units per nA
    EXPECT_EQ(stdp.weight_dependence, static_cast<uint32_t>(fw::image::WeightDependenceId::kAdditive));
    EXPECT_EQ(nm.integral_scale, fw::stdp::integral_scale(500, 100));
    EXPECT_EQ(nm.history_size, fw::stdp::kDopamineHistorySize);
    uint32_t c_decay[32], d_decay[32];
    fw::stdp::build_decay_powers(500, c_decay);
    fw::stdp::build_decay_powers(100, d_decay);
    EXPECT_TRUE(std::equal(c_decay, c_decay + 32, nm.c_decay));
    EXPECT_TRUE(std::equal(d_decay, d_decay + 32, nm.d_decay));
    // Every plastic row is a neuromodulated row; the weights read back are
    // the 16-bit weights in their plain place.
    ASSERT_EQ(c.plastic.size(), 4u);
    const auto [pm_at, pm_size] = regions.at(static_cast<uint32_t>(fw::image::RegionId::kPlasticMatrix));
    const auto [pt_at, pt_size] = regions.at(static_cast<uint32_t>(fw::image::RegionId::kPlasticTable));
    ASSERT_EQ(pt_size, sizeof(fw::image::PopulationTableHeader) + sizeof(fw::image::PopulationTableEntry));
    const auto e = read_at<fw::image::PopulationTableEntry>(c.image, pt_at + sizeof(fw::image::PopulationTableHeader));
    uint32_t rows = 0;
    for (uint32_t r = 0; r < e.n_rows; ++r) {
      const uint32_t at = read_at<uint32_t>(c.image, pm_at + 4 * (e.row_offsets + r));
      const uint32_t end = read_at<uint32_t>(c.image, pm_at + 4 * (e.row_offsets + r + 1));
      if (at == end) continue;
      const uint32_t count = read_at<uint32_t>(c.image, pm_at + 4 * at + 12);
      EXPECT_EQ(end - at, fw::stdp::neuromodulated_row_words(count)) << "row " << r;
      const uint16_t w0 = read_at<uint16_t>(c.image, pm_at + 4 * (at + fw::stdp::kPlasticRowHeaderWords));
      EXPECT_EQ(read_at<uint32_t>(c.image, pm_at + 4 * (at + fw::stdp::plastic_row_words(count) + count)),
                uint32_t{w0} << fw::stdp::kWeightStateFracBits);
      ++rows;
    }
    EXPECT_EQ(rows, 3u);  // sources 0, 1 and 9
    EXPECT_EQ(pm_size, 4 * (e.n_rows + 1 + fw::stdp::neuromodulated_row_words(1) * 2 +
                            fw::stdp::neuromodulated_row_words(2)));
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

}  // namespace
}  // namespace spindle::host
