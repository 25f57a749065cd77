// Congestion and failures: link budgets, waiting, emergency routing round the
// triangle, the dump queue and reinjection, failed links, and the invariant
// injected + copies == delivered + dropped + pending under random traffic.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "test_rng.h"

#include "fabric_test_util.h"
#include "router/fabric.h"
#include "router/route_word.h"

namespace spindle::emu {
namespace {

using testing::add_tree;
using testing::collect;
using testing::expect_balanced;
using testing::inbox_total;

fw::Packet mc(uint32_t key) { return fw::Packet{key, 0, false}; }

// (0,0) sends key 1 east; (1,0) delivers it to core 1. Emergency detours go
// (0,0) -NE-> (1,1) -S-> (1,0).
Fabric& east_pair(Fabric& f) {
  f.table({0, 0}).add_or_throw({1, 0xFFFFFFFF, route_link(Link::kEast)});
  f.table({1, 0}).add_or_throw({1, 0xFFFFFFFF, route_core(1)});
  return f;
}

TEST(Congestion, WaitThenEmergencyThenDumpThenReinject) {
  RouterConfig cfg;
  cfg.link_buffer = 1;  // one packet per link per round
  cfg.link_budget = 2;  // two packets per link per tick
  cfg.wait_rounds = 1;
  cfg.emergency_wait_rounds = 0;
  Fabric f(machine_from_shape("torus:4x4"), cfg);
  east_pair(f);
  for (uint32_t i = 0; i < 10; ++i) f.inject({0, 0}, 2, fw::Packet{1, i, true});
  Inboxes in;
  f.route_tick(in);
  // Round 1: p0 takes E. Round 2: p1 takes E (E's budget now spent), p2
  // waited its round and detours by NE, p3..p9 find NE full too: dumped.
  FabricReport r = f.report();
  EXPECT_EQ(r.totals.delivered, 3u);
  EXPECT_EQ(r.totals.emergency_routed, 1u);
  EXPECT_EQ(r.totals.dumped, 7u);
  EXPECT_EQ(r.pending, 7u);
  EXPECT_EQ(r.totals.blocked, 9u);
  expect_balanced(f);
  const auto& box = in[f.inbox_index({1, 0}, 1)];
  ASSERT_EQ(box.size(), 3u);
  EXPECT_EQ(box[0].payload, 0u);
  EXPECT_EQ(box[1].payload, 1u);
  EXPECT_EQ(box[2].payload, 2u);

  // The monitor reinjects 7, then 4, then 1: three more ticks, all late.
  EXPECT_EQ(f.drain(in), 3u);
  r = f.report();
  EXPECT_EQ(r.totals.delivered, 10u);
  EXPECT_EQ(r.totals.delivered_late, 7u);
  EXPECT_EQ(r.totals.reinjected, 7u + 4u + 1u);
  EXPECT_EQ(r.totals.dropped_total(), 0u);
  EXPECT_EQ(r.pending, 0u);
  EXPECT_EQ(f.router({1, 1}).counters().emergency_forwarded, 3u);
  EXPECT_EQ(f.router({0, 0}).link(Link::kEast).counters.carried, 7u);
  EXPECT_EQ(f.router({0, 0}).link(Link::kNorthEast).counters.carried_emergency, 3u);
  EXPECT_EQ(f.router({1, 1}).link(Link::kSouth).counters.carried_emergency, 3u);
  EXPECT_EQ(f.router({1, 1}).counters().table_hits, 0u);  // no lookup on the detour
  expect_balanced(f);
  std::vector<uint32_t> payloads;
  for (const fw::Packet& p : in[f.inbox_index({1, 0}, 1)]) payloads.push_back(p.payload);
  std::sort(payloads.begin(), payloads.end());
  EXPECT_EQ(payloads, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));  // each exactly once
}

TEST(Congestion, FailedLinkIsDetouredWithinTheTick) {
  Fabric f(machine_from_shape("torus:4x4"));
  east_pair(f);
  f.fail_link({0, 0}, Link::kEast);
  EXPECT_TRUE(f.link_failed({0, 0}, Link::kEast));
  EXPECT_TRUE(f.link_failed({1, 0}, Link::kWest));  // both directions
  for (uint32_t i = 0; i < 5; ++i) f.inject({0, 0}, 1, mc(1));
  Inboxes in;
  f.route_tick(in);
  EXPECT_EQ(in[f.inbox_index({1, 0}, 1)].size(), 5u);
  const FabricReport r = f.report();
  EXPECT_EQ(r.totals.emergency_routed, 5u);
  EXPECT_EQ(r.totals.delivered_late, 0u);
  // Each packet tries E once and during its wait_rounds rounds, then detours.
  EXPECT_EQ(f.router({0, 0}).link(Link::kEast).counters.refused_dead, 5u * (1u + RouterConfig{}.wait_rounds));
  EXPECT_EQ(f.router({0, 0}).link(Link::kEast).counters.carried, 0u);
  expect_balanced(f);
}

TEST(Congestion, DeclaredDeadLinksStartFailed) {
  MachineDescription m = machine_from_shape("torus:4x4");
  m.dead_links.push_back({{1, 0}, Link::kWest});
  Fabric f(m);
  EXPECT_TRUE(f.link_failed({0, 0}, Link::kEast));
  east_pair(f);
  f.inject({0, 0}, 1, mc(1));
  Inboxes in;
  f.route_tick(in);
  EXPECT_EQ(in[f.inbox_index({1, 0}, 1)].size(), 1u);
  EXPECT_EQ(f.report().totals.emergency_routed, 1u);
  f.restore_link({0, 0}, Link::kEast);
  f.inject({0, 0}, 1, mc(1));
  f.route_tick(in);
  EXPECT_EQ(in[f.inbox_index({1, 0}, 1)].size(), 2u);
  EXPECT_EQ(f.report().totals.emergency_routed, 1u);
}

TEST(Congestion, BrokenTriangleDumpsThenDropsAtTheReinjectionLimit) {
  RouterConfig cfg;
  cfg.max_reinjections = 2;
  Fabric f(machine_from_shape("torus:4x4"), cfg);
  east_pair(f);
  f.fail_link({0, 0}, Link::kEast);
  f.fail_link({0, 0}, Link::kNorthEast);
  for (uint32_t i = 0; i < 5; ++i) f.inject({0, 0}, 1, mc(1));
  Inboxes in;
  f.route_tick(in);
  EXPECT_EQ(f.pending(), 5u);
  expect_balanced(f);
  EXPECT_EQ(f.drain(in), 2u);  // reinjected twice, then dropped
  const FabricReport r = f.report();
  EXPECT_EQ(r.totals.dropped_by(DropReason::kReinjectLimit), 5u);
  EXPECT_EQ(r.totals.reinjected, 10u);
  EXPECT_EQ(r.totals.delivered, 0u);
  EXPECT_EQ(inbox_total(in), 0u);
  expect_balanced(f);
}

TEST(Congestion, RestoredLinkDeliversDumpedPacketsLate) {
  Fabric f(machine_from_shape("torus:4x4"));
  east_pair(f);
  f.fail_link({0, 0}, Link::kEast);
  f.fail_link({0, 0}, Link::kNorthEast);
  for (uint32_t i = 0; i < 5; ++i) f.inject({0, 0}, 1, mc(1));
  Inboxes in;
  f.route_tick(in);
  EXPECT_EQ(inbox_total(in), 0u);
  f.restore_link({0, 0}, Link::kNorthEast);  // the detour works again
  f.route_tick(in);
  EXPECT_EQ(in[f.inbox_index({1, 0}, 1)].size(), 5u);
  const FabricReport r = f.report();
  EXPECT_EQ(r.totals.delivered_late, 5u);
  EXPECT_EQ(r.pending, 0u);
  expect_balanced(f);
}

TEST(Congestion, FullDumpQueueDropsAndCounts) {
  RouterConfig cfg;
  cfg.dump_capacity = 2;
  Fabric f(machine_from_shape("torus:4x4"), cfg);
  east_pair(f);
  f.fail_link({0, 0}, Link::kEast);
  f.fail_link({0, 0}, Link::kNorthEast);
  for (uint32_t i = 0; i < 5; ++i) f.inject({0, 0}, 1, mc(1));
  Inboxes in;
  f.route_tick(in);
  FabricReport r = f.report();
  EXPECT_EQ(r.pending, 2u);
  EXPECT_EQ(r.totals.dropped_by(DropReason::kDumpFull), 3u);
  expect_balanced(f);
  f.discard_pending();
  r = f.report();
  EXPECT_EQ(r.pending, 0u);
  EXPECT_EQ(r.totals.dropped_by(DropReason::kDiscarded), 2u);
  expect_balanced(f);
}

TEST(Congestion, RoutingLoopsEndAtTheHopLimit) {
  Fabric f(machine_from_shape("torus:4x4"));
  // (0,0) sends east; the other chips of row 0 default-route it straight on,
  // round the torus and back into (0,0), which sends it east again...
  f.table({0, 0}).add_or_throw({1, 0xFFFFFFFF, route_link(Link::kEast)});
  f.inject({0, 0}, 1, mc(1));
  Inboxes in;
  const uint32_t rounds = f.route_tick(in);
  const FabricReport r = f.report();
  EXPECT_EQ(r.totals.dropped_by(DropReason::kHopLimit), 1u);
  const uint32_t max_hops = 4 * (4 + 4) + 16;
  EXPECT_EQ(r.link_totals.carried, max_hops + 1);
  EXPECT_EQ(rounds, max_hops + 2);
  expect_balanced(f);
}

TEST(Congestion, MulticastTreesUnderTinyBudgetsStillDeliverEachCopyExactlyOnce) {
  RouterConfig cfg;
  cfg.link_buffer = 2;
  cfg.link_budget = 6;
  cfg.wait_rounds = 1;
  cfg.emergency_wait_rounds = 1;
  cfg.dump_capacity = 100000;
  cfg.max_reinjections = 255;
  Fabric f(machine_from_shape("torus:4x4"), cfg);
  f.fail_link({1, 1}, Link::kNorth);
  const MeshShape& mesh = f.machine().mesh;
  testing::Rng rng(5);
  std::map<std::pair<uint32_t, uint32_t>, std::map<uint32_t, uint32_t>> want, got;
  std::vector<std::pair<ChipCoord, uint32_t>> sources;
  for (uint32_t t = 0; t < 8; ++t) {
    std::map<uint32_t, uint32_t> targets;
    for (uint32_t i = 0; i < 6; ++i) targets[rng() % 16] |= 1u << (1 + rng() % 17);
    const ChipCoord src = mesh.coord(rng() % 16);
    const uint32_t key = (t + 1) << 8;
    add_tree(f, src, key, 0xFFFFFF00, targets);
    sources.push_back({src, key});
    for (uint32_t n = 0; n < 20; ++n)
      for (const auto& [chip, cores] : targets)
        for (uint32_t c = 0; c < 18; ++c)
          if (cores & (1u << c)) ++want[{chip, c}][key | n];
  }
  Inboxes in;
  for (uint32_t n = 0; n < 20; ++n)
    for (const auto& [src, key] : sources) f.inject(src, 1, mc(key | n));
  f.route_tick(in);
  EXPECT_GT(f.pending(), 0u);
  expect_balanced(f);
  f.drain(in);
  for (uint32_t i = 0; i < in.size(); ++i)
    for (const fw::Packet& p : in[i]) ++got[{i / 18, i % 18}][p.key];
  EXPECT_EQ(got, want);
  const FabricReport r = f.report();
  EXPECT_GT(r.totals.emergency_routed, 0u);
  EXPECT_GT(r.totals.delivered_late, 0u);
  EXPECT_EQ(r.totals.dropped_total(), 0u);
  expect_balanced(f);
}

// --- the invariant under random traffic, tiny budgets and random failures -------

struct RunResult {
  std::vector<Inboxes> ticks;
  FabricReport report;
};

RunResult random_run(const std::string& shape, uint32_t seed) {
  testing::Rng rng(seed);
  MachineDescription m = machine_from_shape(shape);
  const MeshShape mesh = m.mesh;
  m.cores_per_chip = 1 + rng() % 18;
  for (uint32_t i = 0; i < 3; ++i) {
    m.dead_links.push_back({mesh.coord(rng() % mesh.chip_count()), static_cast<Link>(rng() % 6)});
    m.dead_cores.push_back({mesh.coord(rng() % mesh.chip_count()), static_cast<uint32_t>(rng() % 18)});
  }
  if (mesh.chip_count() > 4) m.dead_chips.push_back(mesh.coord(rng() % mesh.chip_count()));
  RouterConfig cfg;
  cfg.link_buffer = 1 + rng() % 3;
  cfg.link_budget = 1 + rng() % 8;
  cfg.wait_rounds = rng() % 3;
  cfg.emergency_wait_rounds = rng() % 2;
  const uint32_t dumps[] = {0, 1, 4, 16};
  cfg.dump_capacity = dumps[rng() % 4];
  cfg.max_reinjections = rng() % 4;
  cfg.fast_lookup = rng() % 2;
  Fabric f(m, cfg);
  const uint32_t chips = mesh.chip_count();
  for (uint32_t c = 0; c < chips; ++c) {
    RoutingTable& t = f.table(mesh.coord(c));
    const uint32_t n = rng() % 24;
    for (uint32_t i = 0; i < n && !t.full(); ++i) {
      const uint32_t mask = 0xFFFFFFF0u << (rng() % 4);
      const uint32_t route = static_cast<uint32_t>(rng()) & (rng() % 2 ? 0x3Fu : 0xFFFFFFu) & (rng() % 3 ? 0xFFFFFFu : 0x3Fu);
      (void)t.add({((rng() % 64) << 4) & mask, mask, route});
    }
  }
  RunResult out;
  Inboxes in;
  uint64_t delivered_seen = 0;
  for (uint32_t tick = 0; tick < 12; ++tick) {
    // Random failures and restorations between ticks.
    for (uint32_t k = 0; k < 2; ++k) {
      const ChipCoord c = mesh.coord(rng() % chips);
      if (!f.router(c).alive()) continue;
      if (rng() % 2) f.fail_link(c, static_cast<Link>(rng() % 6));
      else f.restore_link(c, static_cast<Link>(rng() % 6));
    }
    const uint32_t packets = rng() % 200;
    for (uint32_t i = 0; i < packets; ++i) {
      const ChipCoord c = mesh.coord(rng() % chips);
      const uint32_t core = rng() % m.cores_per_chip;
      const uint32_t kind = rng() % 10;
      if (kind < 8) f.inject(c, core, mc(static_cast<uint32_t>(rng() % 1100)));
      else if (kind == 8) f.inject_p2p(c, core, mesh.coord(rng() % chips), mc(i));
      else f.inject_nn(c, core, static_cast<Link>(rng() % 6), mc(i));
    }
    f.route_tick(in);
    const FabricReport r = f.report();
    EXPECT_TRUE(r.balanced()) << shape << " seed " << seed << " tick " << tick;
    EXPECT_EQ(r.link_totals.carried, r.totals.received);
    delivered_seen += inbox_total(in);
    EXPECT_EQ(r.totals.delivered, delivered_seen);
    for (const LinkCounters& l : r.links) EXPECT_LE(l.carried, uint64_t{cfg.link_budget} * (tick + 1));
    out.ticks.push_back(in);
    for (auto& box : in) box.clear();
  }
  f.drain(in);
  delivered_seen += inbox_total(in);
  out.ticks.push_back(in);
  out.report = f.report();
  EXPECT_EQ(out.report.pending, 0u);
  EXPECT_TRUE(out.report.balanced()) << shape << " seed " << seed << " after drain";
  EXPECT_EQ(out.report.totals.delivered, delivered_seen);
  return out;
}

TEST(Invariant, SentEqualsDeliveredPlusDroppedUnderRandomTrafficAndFailures) {
  uint64_t dropped = 0, delivered = 0, emergency = 0, late = 0;
  for (const char* shape : {"torus:6x6", "48", "mesh:5x4", "2x2", "torus:1x5", "torus:4x4"})
    for (uint32_t seed = 1; seed <= 8; ++seed) {
      const RunResult a = random_run(shape, seed);
      const RunResult b = random_run(shape, seed);  // same inputs, same result
      ASSERT_EQ(a.ticks.size(), b.ticks.size());
      for (size_t t = 0; t < a.ticks.size(); ++t)
        for (size_t i = 0; i < a.ticks[t].size(); ++i) {
          ASSERT_EQ(a.ticks[t][i].size(), b.ticks[t][i].size());
          for (size_t k = 0; k < a.ticks[t][i].size(); ++k) ASSERT_EQ(a.ticks[t][i][k].key, b.ticks[t][i][k].key);
        }
      dropped += a.report.totals.dropped_total();
      delivered += a.report.totals.delivered;
      emergency += a.report.totals.emergency_routed;
      late += a.report.totals.delivered_late;
    }
  // The runs really exercised congestion and failures.
  EXPECT_GT(dropped, 0u);
  EXPECT_GT(delivered, 0u);
  EXPECT_GT(emergency, 0u);
  EXPECT_GT(late, 0u);
}

}  // namespace
}  // namespace spindle::emu
