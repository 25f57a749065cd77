#include "mapping/route.h"

#include <gtest/gtest.h>

#include "mapping/compress.h"
#include "mapping_test_util.h"

namespace spindle::host {
namespace {

using test::arm_machine;
using test::population;
using test::projection;

struct Mapped {
  Partition p;
  std::vector<Placement> pl;
  KeyAllocation k;
  Routes r;
};

Mapped map_it(const ApplicationGraph& g, const emu::MachineDescription& m) {
  Mapped x;
  x.p = partition(g, m);
  x.pl = place(g, x.p, m);
  x.k = allocate_keys(g, x.p);
  x.r = route(g, x.p, x.pl, x.k, m);
  return x;
}

std::map<uint32_t, std::vector<emu::RoutingEntry>> by_chip(const emu::MachineDescription& m, const Routes& r) {
  std::map<uint32_t, std::vector<emu::RoutingEntry>> t;
  for (const ChipTable& c : r.tables) t[m.mesh.index(c.chip)] = c.entries;
  return t;
}

// Every neuron key of every slice reaches exactly the cores of its target slices.
void expect_delivery(const ApplicationGraph& g, const emu::MachineDescription& m, const Mapped& x,
                     const std::map<uint32_t, std::vector<emu::RoutingEntry>>& tables) {
  const auto targets = slice_targets(g, x.p);
  for (uint32_t s = 0; s < x.p.slices.size(); ++s) {
    std::set<std::pair<uint32_t, uint32_t>> want;
    for (uint32_t t : targets[s]) want.insert({m.mesh.index(x.pl[t].chip), x.pl[t].core});
    for (uint32_t atom : {0u, x.p.slices[s].n_atoms - 1}) {
      const auto got = test::deliver(m, tables, x.pl[s].chip, x.k.keys[s].base | atom);
      EXPECT_EQ(got, want) << "slice " << s << " atom " << atom;
    }
  }
}

ApplicationGraph layered() {
  ApplicationGraph g;
  g.vertices.push_back(population("in", 2000));
  g.vertices.push_back(population("exc", 3000));
  g.vertices.push_back(population("inh", 800));
  g.vertices.push_back(population("out", 600));
  g.vertices.push_back(population("mirror", 600));
  g.edges.push_back(projection(0, 1, 2000 * 3000 * 0.02));
  g.edges.push_back(projection(1, 1, 3000 * 3000 * 0.02));
  g.edges.push_back(projection(1, 2, 3000 * 800 * 0.02));
  g.edges.push_back(projection(2, 1, 800 * 3000 * 0.02));
  g.edges.push_back(projection(1, 3, 3000 * 600 * 0.02));
  g.edges.push_back(projection(3, 4, 600, 1, EdgeReach::kSameIndices));
  return g;
}

TEST(Route, PacketsReachExactlyTheTargetCores) {
  const ApplicationGraph g = layered();
  const emu::MachineDescription m = emu::machine_from_shape("torus:2x2");
  const Mapped x = map_it(g, m);
  expect_delivery(g, m, x, by_chip(m, x.r));
  // Tables list an entry per slice routed through them, no more.
  for (const ChipTable& t : x.r.tables) {
    EXPECT_EQ(t.entries.size(), t.source_slice.size());
    for (size_t i = 1; i < t.entries.size(); ++i) EXPECT_LT(t.entries[i - 1].key, t.entries[i].key);
  }
}

TEST(Route, OneToOneTargetsOnlyOverlappingSlices) {
  ApplicationGraph g;
  g.vertices.push_back(population("a", 512));
  g.vertices.push_back(population("b", 512));
  g.edges.push_back(projection(0, 1, 512, 1, EdgeReach::kSameIndices));
  const emu::MachineDescription m = arm_machine("1");  // two slices of 256
  const Partition p = partition(g, m);
  const auto t = slice_targets(g, p);
  ASSERT_EQ(p.n_slices(0), 2u);
  EXPECT_EQ(t[0], std::vector<uint32_t>{2});
  EXPECT_EQ(t[1], std::vector<uint32_t>{3});
  EXPECT_TRUE(t[2].empty());
}

TEST(Route, IncomingSlicesMirrorTargets) {
  const ApplicationGraph g = layered();
  const emu::MachineDescription m = emu::machine_from_shape("48");
  const Mapped x = map_it(g, m);
  const auto targets = slice_targets(g, x.p);
  const auto incoming = incoming_slices(g, x.p, x.k);
  ASSERT_EQ(incoming.size(), x.p.slices.size());
  std::set<std::pair<uint32_t, uint32_t>> from_targets, from_incoming;
  for (uint32_t s = 0; s < targets.size(); ++s)
    for (uint32_t t : targets[s]) from_targets.insert({s, t});
  for (uint32_t t = 0; t < incoming.size(); ++t)
    for (const IncomingSlice& in : incoming[t]) {
      from_incoming.insert({in.source_slice, t});
      EXPECT_EQ(g.edges[in.edge].post, x.p.slices[t].vertex);
      EXPECT_EQ(g.edges[in.edge].pre, x.p.slices[in.source_slice].vertex);
      EXPECT_EQ(in.key, x.k.keys[in.source_slice].base);
      EXPECT_EQ(in.mask, x.k.keys[in.source_slice].mask);
      EXPECT_EQ(in.n_sources, x.p.slices[in.source_slice].n_atoms);
    }
  EXPECT_EQ(from_targets, from_incoming);
  // exc (vertex 1) slices receive from in, exc and inh: three edges.
  std::set<uint32_t> edges;
  for (const IncomingSlice& in : incoming[x.p.first_slice[1]]) edges.insert(in.edge);
  EXPECT_EQ(edges, (std::set<uint32_t>{0, 1, 3}));
}

TEST(Route, AvoidsDeadChipsAndLinks) {
  const ApplicationGraph g = layered();
  emu::MachineDescription m = emu::machine_from_shape("48");
  m.dead_chips.push_back({1, 1});
  m.dead_links.push_back({{0, 0}, emu::Link::kEast});
  const Mapped x = map_it(g, m);
  for (const ChipTable& t : x.r.tables) EXPECT_TRUE(m.chip_alive(t.chip));
  expect_delivery(g, m, x, by_chip(m, x.r));
}

TEST(Route, CompressedTablesDeliverTheSame) {
  const ApplicationGraph g = layered();
  const emu::MachineDescription m = emu::machine_from_shape("48");
  const Mapped x = map_it(g, m);
  uint32_t largest = 0;
  for (const ChipTable& t : x.r.tables) largest = std::max(largest, uint32_t(t.entries.size()));
  ASSERT_GT(largest, 8u);
  const auto compressed = compress_routes(x.r, x.p, x.k, 8);
  std::map<uint32_t, std::vector<emu::RoutingEntry>> tables;
  for (const CompressedTable& c : compressed) {
    EXPECT_LE(c.entries.size(), 8u);
    tables[m.mesh.index(c.chip)] = c.entries;
  }
  expect_delivery(g, m, x, tables);
}

}  // namespace
}  // namespace spindle::host
