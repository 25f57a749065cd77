// Shared by the QEMU backend tests: map a network file onto a machine, run
// it natively or with chosen slices on QEMU, and compare every record (and
// the weights of plastic networks).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "engine/engine.h"
#include "job/plastic_weights.h"
#include "mapping/core_images.h"
#include "mapping/from_network.h"
#include "mapping/pipeline.h"
#include "network/load.h"
#include "network/validate.h"

namespace spindle::test {

struct Mapped {
  v1::Network net;
  emu::MachineDescription machine;
  host::MappingResult mapping;
  host::MachineLoad load;
};

// Maps for cores that run as ARM images (host::with_arm_cores) unless
// `native_slices`: then for native cores, which hold larger slices.
inline Mapped map_file(const std::string& file, emu::MachineDescription machine, bool native_slices = false) {
  if (!native_slices) machine = host::with_arm_cores(std::move(machine));
  Mapped m{host::network::load_network(file), std::move(machine), {}, {}};
  EXPECT_TRUE(host::network::validate_network(m.net).empty()) << file;
  const host::ApplicationGraph graph = host::graph_from_network(m.net);
  host::MappingOptions options;
  options.cost = host::cost_model_for(m.net);
  m.mapping = host::map_graph(graph, m.machine, options);
  m.load = host::build_machine_load(m.net, graph, m.mapping);
  return m;
}

struct CoreResult {
  std::vector<fw::SpikeRecord> spikes;
  std::vector<fw::StateRecord> states;
  fw::Provenance provenance;
  fw::CoreState state;
};

struct RunResult {
  std::vector<CoreResult> cores;  // by load.cores index
  emu::FabricReport fabric;
  uint64_t spikes = 0;
};

inline host::BackendOptions qemu_options(std::optional<std::set<uint32_t>> slices = std::nullopt,
                                             const std::string& board = "mps2-an386") {
  host::BackendOptions o;
  o.name = "qemu";
  o.board = board;
  o.qemu = SPINDLE_QEMU_SYSTEM_ARM;
  o.kernel = board == "mps2-an386" ? SPINDLE_CORE_ELF_MPS2 : SPINDLE_CORE_ELF_NETDUINO;
  o.slices = std::move(slices);
  return o;
}

inline RunResult collect(const Mapped& m, const emu::Engine& engine, const emu::RunReport& report) {
  RunResult r;
  for (const host::CoreLoad& c : m.load.cores) {
    const emu::CoreSlot* s = engine.find({c.chip, c.core});
    r.cores.push_back({s->spikes.to_vector(), s->states.to_vector(), s->provenance(), s->state()});
  }
  r.fabric = report.fabric;
  r.spikes = report.spikes;
  return r;
}

inline RunResult run(const Mapped& m, uint32_t ticks, const std::optional<host::BackendOptions>& qemu) {
  emu::Engine engine(m.machine, emu::EngineConfig{.threads = 2});
  if (qemu) host::make_backend(*qemu)->load(engine, m.load);
  else host::load_into(engine, m.load);
  const emu::RunReport report = engine.run(ticks);
  return collect(m, engine, report);
}

// Every spike and state record, every provenance counter but the
// wall-clock one (tick_overruns), and the routers' counters are equal.
inline void expect_identical(const RunResult& native, const RunResult& other) {
  ASSERT_EQ(native.cores.size(), other.cores.size());
  for (size_t i = 0; i < native.cores.size(); ++i) {
    const CoreResult& a = native.cores[i];
    const CoreResult& b = other.cores[i];
    ASSERT_EQ(a.spikes.size(), b.spikes.size()) << "core " << i;
    for (size_t k = 0; k < a.spikes.size(); ++k) {
      ASSERT_EQ(a.spikes[k].tick, b.spikes[k].tick) << "core " << i << " spike " << k;
      ASSERT_EQ(a.spikes[k].neuron, b.spikes[k].neuron) << "core " << i << " spike " << k;
    }
    ASSERT_EQ(a.states.size(), b.states.size()) << "core " << i;
    for (size_t k = 0; k < a.states.size(); ++k)
      ASSERT_EQ(std::memcmp(&a.states[k], &b.states[k], sizeof(fw::StateRecord)), 0)
          << "core " << i << " state record " << k << " (tick " << a.states[k].tick << ")";
    fw::Provenance pa = a.provenance, pb = b.provenance;
    pa.tick_overruns = pb.tick_overruns = 0;
    EXPECT_EQ(std::memcmp(&pa, &pb, sizeof pa), 0) << "core " << i << " provenance";
    EXPECT_EQ(a.state, b.state);
  }
  EXPECT_EQ(native.fabric.totals.dropped_total(), other.fabric.totals.dropped_total());
  EXPECT_EQ(native.spikes, other.spikes);
}

// A plastic network run in two parts, its weights read after each (reading
// between runs must change nothing), on the native engine or a backend.
struct PlasticRun {
  RunResult result;
  std::vector<host::ProjectionWeights> middle, end;
  size_t remote_plastic_cores = 0;
};

inline PlasticRun run_plastic(const Mapped& m, const std::optional<host::BackendOptions>& backend) {
  emu::Engine engine(m.machine, emu::EngineConfig{.threads = 2});
  if (backend) host::make_backend(*backend)->load(engine, m.load);
  else host::load_into(engine, m.load);
  PlasticRun r;
  engine.run(200);
  r.middle = host::read_plastic_weights(engine, m.load);
  const emu::RunReport report = engine.run(300);
  r.end = host::read_plastic_weights(engine, m.load);
  r.result = collect(m, engine, report);
  for (const host::CoreLoad& c : m.load.cores)
    r.remote_plastic_cores += !c.plastic.empty() && engine.find({c.chip, c.core})->remote != nullptr;
  return r;
}

inline void expect_same_weights(const std::vector<host::ProjectionWeights>& a, const std::vector<host::ProjectionWeights>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].projection, b[i].projection);
    EXPECT_EQ(a[i].pre, b[i].pre);
    EXPECT_EQ(a[i].post, b[i].post);
    ASSERT_EQ(a[i].weight.size(), b[i].weight.size());
    for (size_t k = 0; k < a[i].weight.size(); ++k)
      ASSERT_EQ(std::memcmp(&a[i].weight[k], &b[i].weight[k], sizeof(double)), 0)
          << "projection " << a[i].projection << " synapse " << k << ": " << a[i].weight[k] << " vs " << b[i].weight[k];
  }
}

inline void expect_plastic_equal(const PlasticRun& native, const PlasticRun& other) {
  expect_identical(native.result, other.result);
  expect_same_weights(native.middle, other.middle);
  expect_same_weights(native.end, other.end);
  // The rule did something: weights moved between the two read-outs.
  ASSERT_EQ(native.end.size(), 1u);
  ASSERT_EQ(native.end[0].weight.size(), 400u);
  EXPECT_NE(native.middle[0].weight, native.end[0].weight);
  EXPECT_GT(other.remote_plastic_cores, 0u);
}

// Every spike and state record by population neuron, whatever the slicing:
// (population, neuron, tick) and (population, neuron, tick, variable, raw).
struct PopulationRecords {
  std::set<std::tuple<uint32_t, uint32_t, uint32_t>> spikes;
  std::set<std::tuple<uint32_t, uint32_t, uint32_t, uint32_t, int32_t>> states;
};

inline PopulationRecords by_population(const Mapped& m, const RunResult& r) {
  PopulationRecords out;
  for (size_t i = 0; i < m.load.cores.size(); ++i) {
    const host::Slice& s = m.mapping.partition.slices[m.load.cores[i].slice];
    for (const fw::SpikeRecord& sp : r.cores[i].spikes) out.spikes.insert({s.vertex, s.lo_atom + sp.neuron, sp.tick});
    for (const fw::StateRecord& st : r.cores[i].states)
      out.states.insert({s.vertex, s.lo_atom + st.neuron, st.tick, st.variable, st.value});
  }
  return out;
}

}  // namespace spindle::test
