// Routing without congestion: table routing, default routing, drops of
// unroutable packets, multicast trees delivering to exactly the right cores,
// point-to-point and nearest-neighbour packets.
#include <gtest/gtest.h>

#include <random>

#include "test_rng.h"

#include "fabric_test_util.h"
#include "router/fabric.h"
#include "router/p2p_table.h"
#include "router/route_word.h"

namespace spindle::emu {
namespace {

using testing::add_tree;
using testing::collect;
using testing::Deliveries;
using testing::expect_balanced;

fw::Packet mc(uint32_t key) { return fw::Packet{key, 0, false}; }

TEST(Router, TableRoutingAndDefaultRouting) {
  Fabric f(machine_from_shape("torus:4x4"));
  const uint32_t key = 0x100;
  f.table({0, 0}).add_or_throw({key, 0xFFFFFFFF, route_link(Link::kEast)});
  // (1,0) has no entry: the packet arrives from W and leaves straight on by E.
  f.table({2, 0}).add_or_throw({key, 0xFFFFFFFF, route_core(3) | route_core(4)});
  f.inject({0, 0}, 1, fw::Packet{key, 77, true});
  Inboxes in;
  f.route_tick(in);
  const Deliveries d = collect(f, in);
  ASSERT_EQ(d.size(), 2u);
  const uint32_t chip = f.machine().mesh.index({2, 0});
  ASSERT_EQ(d.at({chip, 3}).size(), 1u);
  EXPECT_EQ(d.at({chip, 3})[0].key, key);
  EXPECT_EQ(d.at({chip, 3})[0].payload, 77u);
  EXPECT_TRUE(d.at({chip, 3})[0].has_payload);
  ASSERT_EQ(d.at({chip, 4}).size(), 1u);
  EXPECT_EQ(f.router({1, 0}).counters().default_routed, 1u);
  EXPECT_EQ(f.router({2, 0}).counters().table_hits, 1u);
  EXPECT_EQ(f.router({0, 0}).link(Link::kEast).counters.carried, 1u);
  EXPECT_EQ(f.router({1, 0}).link(Link::kEast).counters.carried, 1u);
  const FabricReport r = f.report();
  EXPECT_EQ(r.totals.injected, 1u);
  EXPECT_EQ(r.totals.copies, 1u);
  EXPECT_EQ(r.totals.delivered, 2u);
  expect_balanced(f);
}

TEST(Router, UnmatchedLocalPacketsAreDroppedAndCounted) {
  Fabric f(machine_from_shape("2x2"));
  f.table({0, 0}).add_or_throw({0x10, 0xFFFFFFF0, route_core(2)});
  f.inject({0, 0}, 1, mc(0x11));  // matches
  f.inject({0, 0}, 1, mc(0x21));  // matches nothing
  f.inject({1, 1}, 5, mc(0x11));  // (1,1) has an empty table
  Inboxes in;
  f.route_tick(in);
  const FabricReport r = f.report();
  EXPECT_EQ(r.totals.delivered, 1u);
  EXPECT_EQ(r.totals.dropped_by(DropReason::kUnroutedLocal), 2u);
  EXPECT_EQ(r.routers[f.machine().mesh.index({1, 1})].dropped_by(DropReason::kUnroutedLocal), 1u);
  EXPECT_EQ(r.totals.default_routed, 0u);
  expect_balanced(f);
}

TEST(Router, EmptyRouteAndDeadCoreDropsAreCounted) {
  MachineDescription m = machine_from_shape("torus:3x3");
  m.dead_cores.push_back({{0, 0}, 4});
  m.cores_per_chip = 8;
  Fabric f(m);
  f.table({0, 0}).add_or_throw({1, 0xFFFFFFFF, 0});                                       // goes nowhere
  f.table({0, 0}).add_or_throw({2, 0xFFFFFFFF, route_core(3) | route_core(4) | route_core(9)});  // 4 dead, 9 absent
  f.inject({0, 0}, 1, mc(1));
  f.inject({0, 0}, 1, mc(2));
  Inboxes in;
  f.route_tick(in);
  EXPECT_EQ(in.size(), 9u * 8u);
  const FabricReport r = f.report();
  EXPECT_EQ(r.totals.dropped_by(DropReason::kEmptyRoute), 1u);
  EXPECT_EQ(r.totals.dropped_by(DropReason::kDeadCore), 2u);
  EXPECT_EQ(r.totals.delivered, 1u);
  EXPECT_EQ(in[f.inbox_index({0, 0}, 3)].size(), 1u);
  expect_balanced(f);
}

TEST(Router, InjectionFromDeadCoresIsCountedAsDropped) {
  MachineDescription m = machine_from_shape("torus:3x3");
  m.dead_chips.push_back({1, 1});
  m.dead_cores.push_back({{0, 0}, 2});
  Fabric f(m);
  f.table({0, 0}).add_or_throw({0, 0, route_core(1)});
  f.inject({1, 1}, 1, mc(5));
  f.inject({0, 0}, 2, mc(5));
  f.inject({0, 0}, 3, mc(5));
  EXPECT_THROW(f.inject({3, 0}, 1, mc(5)), std::out_of_range);
  EXPECT_THROW(f.inject({0, 0}, 18, mc(5)), std::out_of_range);
  Inboxes in;
  f.route_tick(in);
  const FabricReport r = f.report();
  EXPECT_EQ(r.totals.injected, 3u);
  EXPECT_EQ(r.totals.dropped_by(DropReason::kBadSource), 2u);
  EXPECT_EQ(r.totals.delivered, 1u);
  expect_balanced(f);
}

// Multicast trees from several sources on a 4x4 torus reach exactly their
// target cores, once each, in the same tick.
TEST(Router, MulticastTreesOnA4x4TorusDeliverToExactlyTheRightCores) {
  Fabric f(machine_from_shape("torus:4x4"));
  const MeshShape& mesh = f.machine().mesh;
  testing::Rng rng(42);
  struct Tree {
    ChipCoord source;
    uint32_t key;
    std::map<uint32_t, uint32_t> targets;
  };
  std::vector<Tree> trees;
  for (uint32_t t = 0; t < 12; ++t) {
    Tree tree{mesh.coord(rng() % 16), (t + 1) << 8, {}};
    const uint32_t n = 1 + rng() % 8;
    for (uint32_t i = 0; i < n; ++i) tree.targets[rng() % 16] |= 1u << (1 + rng() % 17);
    add_tree(f, tree.source, tree.key, 0xFFFFFF00, tree.targets);
    trees.push_back(tree);
  }
  // Each source sends neurons 0..9 of its population.
  for (const Tree& t : trees)
    for (uint32_t neuron = 0; neuron < 10; ++neuron) f.inject(t.source, 1 + neuron % 3, mc(t.key | neuron));
  Inboxes in;
  const uint32_t rounds = f.route_tick(in);
  EXPECT_LE(rounds, 1u + 4u);  // diameter of a 4x4 triangular torus is 3 hops
  std::map<std::pair<uint32_t, uint32_t>, std::map<uint32_t, uint32_t>> got;  // (chip, core) -> key -> count
  for (uint32_t i = 0; i < in.size(); ++i)
    for (const fw::Packet& p : in[i]) ++got[{i / 18, i % 18}][p.key];
  std::map<std::pair<uint32_t, uint32_t>, std::map<uint32_t, uint32_t>> want;
  for (const Tree& t : trees)
    for (const auto& [chip, cores] : t.targets)
      for (uint32_t c = 0; c < 18; ++c)
        if (cores & (1u << c))
          for (uint32_t neuron = 0; neuron < 10; ++neuron) ++want[{chip, c}][t.key | neuron];
  EXPECT_EQ(got, want);
  const FabricReport r = f.report();
  EXPECT_EQ(r.totals.dropped_total(), 0u);
  EXPECT_EQ(r.totals.default_routed, 0u);
  EXPECT_EQ(r.pending, 0u);
  expect_balanced(f);
}

TEST(Router, InboxOrderIsDeterministic) {
  auto run = [](bool fast) {
    RouterConfig cfg;
    cfg.fast_lookup = fast;
    Fabric f(machine_from_shape("torus:4x4"), cfg);
    testing::Rng rng(9);
    for (uint32_t t = 0; t < 6; ++t) {
      std::map<uint32_t, uint32_t> targets;
      for (uint32_t i = 0; i < 5; ++i) targets[rng() % 16] |= 1u << (1 + rng() % 17);
      add_tree(f, f.machine().mesh.coord(t), t << 16, 0xFFFF0000, targets);
    }
    Inboxes in;
    for (uint32_t tick = 0; tick < 3; ++tick)
      for (uint32_t i = 0; i < 200; ++i) f.inject(f.machine().mesh.coord(rng() % 6), 1 + rng() % 17, mc((rng() % 6) << 16 | i));
    f.route_tick(in);
    return in;
  };
  const Inboxes a = run(true), b = run(true), c = run(false);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].size(), b[i].size());
    ASSERT_EQ(a[i].size(), c[i].size());
    for (size_t k = 0; k < a[i].size(); ++k) {
      EXPECT_EQ(a[i][k].key, b[i][k].key);
      EXPECT_EQ(a[i][k].key, c[i][k].key);
    }
  }
}

TEST(Router, PointToPointReachesTheTargetMonitor) {
  Fabric f(machine_from_shape("torus:8x8"));
  const MeshShape& mesh = f.machine().mesh;
  for (uint32_t t = 0; t < 64; ++t) f.inject_p2p({3, 4}, 1, mesh.coord(t), fw::Packet{t, t * 3, true});
  Inboxes in;
  f.route_tick(in);
  for (uint32_t t = 0; t < 64; ++t) {
    const auto& box = in[f.inbox_index(mesh.coord(t), kMonitorCore)];
    ASSERT_EQ(box.size(), 1u) << "chip " << t;
    EXPECT_EQ(box[0].key, t);
    EXPECT_EQ(box[0].payload, t * 3);
  }
  const FabricReport r = f.report();
  EXPECT_EQ(r.totals.delivered, 64u);
  // Along shortest paths: total hops = sum of hop distances.
  uint64_t hops = 0;
  for (uint32_t t = 0; t < 64; ++t) hops += mesh.hop_distance({3, 4}, mesh.coord(t));
  EXPECT_EQ(r.link_totals.carried, hops);
  expect_balanced(f);
}

TEST(Router, PointToPointAroundFailedLinksAndDeadChips) {
  MachineDescription m = machine_from_shape("mesh:6x6");
  m.dead_chips.push_back({3, 3});
  Fabric f(m);
  f.fail_link({0, 0}, Link::kNorthEast);
  f.fail_link({1, 1}, Link::kNorthEast);
  f.inject_p2p({0, 0}, 2, {5, 5}, fw::Packet{1, 0, false});  // diagonal through failures and the dead chip
  f.inject_p2p({0, 0}, 2, {3, 3}, fw::Packet{2, 0, false});  // to a dead chip
  f.inject_p2p({0, 0}, 2, {9, 9}, fw::Packet{3, 0, false});  // outside the machine
  Inboxes in;
  f.route_tick(in);
  ASSERT_EQ(in[f.inbox_index({5, 5}, 0)].size(), 1u);
  const FabricReport r = f.report();
  EXPECT_EQ(r.totals.dropped_by(DropReason::kBadSource), 2u);
  EXPECT_EQ(r.totals.delivered, 1u);
  expect_balanced(f);
}

TEST(Router, PointToPointOnThe48ChipBoardTakesShortestPathsInsideTheHexagon) {
  Fabric f(machine_from_shape("48"));
  const MachineDescription& m = f.machine();
  const std::vector<ChipCoord> chips = m.alive_chips();
  ASSERT_EQ(chips.size(), 48u);
  P2PTable p2p(m);
  uint64_t hops = 0;
  for (ChipCoord from : chips)
    for (ChipCoord to : chips) {
      f.inject_p2p(from, 1, to, fw::Packet{m.mesh.index(to), 0, false});
      hops += p2p.distance(m.mesh.index(from), m.mesh.index(to));
      // The hexagon is convex in the triangular lattice: its shortest paths
      // are as short as on the full grid.
      EXPECT_EQ(p2p.distance(m.mesh.index(from), m.mesh.index(to)), m.mesh.hop_distance(from, to));
    }
  Inboxes in;
  f.route_tick(in);
  for (ChipCoord to : chips) {
    const auto& box = in[f.inbox_index(to, kMonitorCore)];
    ASSERT_EQ(box.size(), 48u);
    for (const fw::Packet& p : box) EXPECT_EQ(p.key, m.mesh.index(to));
  }
  const FabricReport r = f.report();
  EXPECT_EQ(r.link_totals.carried, hops);
  EXPECT_EQ(r.totals.dropped_total(), 0u);
  expect_balanced(f);
}

TEST(Router, NearestNeighbourGoesToTheMonitorAcrossTheLink) {
  Fabric f(machine_from_shape("mesh:3x3"));
  for (Link l : kAllLinks) f.inject_nn({1, 1}, 1, l, fw::Packet{static_cast<uint32_t>(l), 0, false});
  f.inject_nn({0, 0}, 1, Link::kWest, fw::Packet{99, 0, false});  // off the mesh
  Inboxes in;
  f.route_tick(in);
  const MeshShape& mesh = f.machine().mesh;
  for (Link l : kAllLinks) {
    const ChipCoord n = *mesh.neighbour({1, 1}, l);
    ASSERT_EQ(in[f.inbox_index(n, kMonitorCore)].size(), 1u) << link_name(l);
    EXPECT_EQ(in[f.inbox_index(n, kMonitorCore)][0].key, static_cast<uint32_t>(l));
  }
  EXPECT_EQ(f.report().totals.dropped_by(DropReason::kNoLink), 1u);
  expect_balanced(f);
}

TEST(Router, TableChangesBetweenTicksAreSeen) {
  Fabric f(machine_from_shape("2x2"));
  f.table({0, 0}).add_or_throw({7, 0xFFFFFFFF, route_core(1)});
  Inboxes in;
  f.inject({0, 0}, 2, mc(7));
  f.route_tick(in);
  EXPECT_EQ(in[f.inbox_index({0, 0}, 1)].size(), 1u);
  f.table({0, 0}).clear();
  f.table({0, 0}).add_or_throw({7, 0xFFFFFFFF, route_core(5)});
  f.inject({0, 0}, 2, mc(7));
  f.route_tick(in);
  EXPECT_EQ(in[f.inbox_index({0, 0}, 1)].size(), 1u);
  EXPECT_EQ(in[f.inbox_index({0, 0}, 5)].size(), 1u);
}

}  // namespace
}  // namespace spindle::emu
