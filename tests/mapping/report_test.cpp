#include "mapping/report.h"

#include <gtest/gtest.h>

#include "mapping_test_util.h"

namespace spindle::host {
namespace {

using test::population;
using test::projection;

TEST(Report, SmallNetworkJson) {
  ApplicationGraph g;
  g.vertices.push_back(population("exc", 3200, 5));
  g.vertices.push_back(population("inh", 800, 5));
  for (uint32_t a = 0; a < 2; ++a)
    for (uint32_t b = 0; b < 2; ++b)
      g.edges.push_back(projection(a, b, 0.02 * g.vertices[a].n_atoms * g.vertices[b].n_atoms, 2));
  const emu::MachineDescription m = emu::machine_from_shape("2x2");
  const MappingResult r = map_graph(g, m);
  const nlohmann::json j = to_json(make_report(g, m, r));
  EXPECT_EQ(j["machine"]["name"], "2x2");
  EXPECT_EQ(j["machine"]["application_cores"], 68);
  EXPECT_EQ(j["populations"].size(), 2u);
  EXPECT_EQ(j["populations"][0]["label"], "exc");
  EXPECT_EQ(j["slices"].size(), r.partition.slices.size());
  EXPECT_EQ(j["summary"]["slices"], r.partition.slices.size());
  const auto& s0 = j["slices"][0];
  for (const char* field : {"population", "slice", "atoms", "chip", "core", "key", "mask", "dtcm_bytes",
                            "sdram_bytes", "cycles_per_tick", "synaptic_events_per_tick"})
    EXPECT_TRUE(s0.contains(field)) << field;
  EXPECT_EQ(s0["key"], "0x00000000");
  uint32_t cores = 0;
  for (const auto& c : j["chips"]) {
    cores += c["cores_used"].get<uint32_t>();
    EXPECT_LE(c["table_entries_after"].get<uint32_t>(), c["table_entries_before"].get<uint32_t>());
  }
  EXPECT_EQ(cores, r.partition.slices.size());
  EXPECT_FALSE(j.dump().empty());
}

TEST(Report, CompressionShowsInTableSizes) {
  ApplicationGraph g;
  for (uint32_t i = 0; i < 6; ++i) g.vertices.push_back(population("p" + std::to_string(i), 2000));
  for (uint32_t i = 0; i < 6; ++i) g.edges.push_back(projection(i, (i + 1) % 6, 2000 * 2000 * 0.01));
  const emu::MachineDescription m = emu::machine_from_shape("48");
  MappingOptions opt;
  opt.table_capacity = 8;
  const MappingResult r = map_graph(g, m, opt);
  const MappingReport rep = make_report(g, m, r, opt);
  uint32_t compressed = 0;
  for (const ChipReport& c : rep.chips) {
    EXPECT_LE(c.entries_after, 8u);
    if (c.merges) {
      ++compressed;
      EXPECT_LT(c.entries_after, c.entries_before);
      EXPECT_GT(c.keys_verified, 0u);
    }
  }
  EXPECT_GT(compressed, 0u);
  EXPECT_EQ(to_json(rep)["machine"]["router_table_capacity"], 8);
}

// The sizes of the Potjans-Diesmann microcircuit (77,169 neurons, ~0.3e9
// synapses), each layer population split in ten: 80 populations, every pair
// connected. Maps in seconds; no timing assertion (bench/ measures).
TEST(Report, MicrocircuitSizedGraphMaps) {
  const uint32_t sizes[8] = {20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948};
  const double rates[8] = {0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523};
  ApplicationGraph g;
  for (uint32_t p = 0; p < 8; ++p)
    for (uint32_t part = 0; part < 10; ++part) {
      const uint32_t n = sizes[p] / 10 + (part < sizes[p] % 10 ? 1 : 0);
      g.vertices.push_back(population("pop" + std::to_string(p) + "." + std::to_string(part), n, rates[p]));
    }
  uint64_t total = 0;
  for (const auto& v : g.vertices) total += v.n_atoms;
  ASSERT_EQ(total, 77169u);
  const double synapses = 0.3e9;
  for (uint32_t a = 0; a < 80; ++a)
    for (uint32_t b = 0; b < 80; ++b) {
      const double share = double(g.vertices[a].n_atoms) * g.vertices[b].n_atoms / (double(total) * double(total));
      g.edges.push_back(projection(a, b, synapses * share, a / 10 % 2 ? 8 : 15));
    }
  const emu::MachineDescription m = emu::machine_from_shape("boards:1x1");
  MappingOptions opt;
  opt.cost.timestep_us = 1000;
  const MappingResult r = map_graph(g, m, opt);
  EXPECT_GT(r.partition.slices.size(), 300u);
  const MappingReport rep = make_report(g, m, r, opt);
  for (const SliceReport& s : rep.slices) EXPECT_LE(s.resources.cycles_per_tick, rep.cycles_per_tick_budget);
  for (const ChipReport& c : rep.chips) EXPECT_LE(c.entries_after, m.router_table_capacity);
  const nlohmann::json j = to_json(rep);
  EXPECT_EQ(j["summary"]["populations"], 80);
  EXPECT_EQ(j["summary"]["projections"], 6400);
}

}  // namespace
}  // namespace spindle::host
