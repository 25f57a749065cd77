// Router benchmarks (issue 3).
//  - Lookup on a 1024-entry table: the linear first-match scan (baseline)
//    against FastLookup, same tables and keys, in the same run. Two tables:
//    "population" (sPyNNaker-style: one entry per population, key = id << 11,
//    mask 0xFFFFF800) and "mixed" (prefix masks of 12-32 bits, nested and
//    overlapping entries, most specific first with some out of order).
//    Keys: 90% hit an entry chosen uniformly, 10% miss.
//  - Fabric: packets per second through an 8x8 torus where each of 1024
//    source populations (64 chips x 16 cores) multicasts to 8 random chips
//    (shortest-path trees, several hops), with the default (uncongested)
//    link model; with FastLookup and with the linear scan.
// Every figure is for one host core (the benchmarks are single-threaded).
// Run: build/<dir>/bench/bench_router --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <algorithm>
#include <bit>
#include <deque>
#include <map>
#include <random>
#include <vector>

#include "router/fabric.h"
#include "router/fast_lookup.h"
#include "router/route_word.h"
#include "router/routing_table.h"

namespace spindle::emu {
namespace {

uint32_t rnd(std::mt19937& g) { return static_cast<uint32_t>(g()); }

RoutingTable population_table(std::mt19937& g) {
  RoutingTable t(1024);
  for (uint32_t i = 0; i < 1024; ++i) t.add_or_throw({(i * 7 + 3) << 11, 0xFFFFF800, rnd(g) & kRouteValidMask});
  return t;
}

RoutingTable mixed_table(std::mt19937& g) {
  // Prefix masks of 12-32 bits over keys whose top 12 bits take one of 16
  // values, so entries nest and overlap; ordered most specific first (as
  // longest-prefix-style and compressed tables are), with some entries moved
  // out of that order so that first-match order really matters.
  std::vector<RoutingEntry> v(1024);
  uint32_t tops[16];
  for (uint32_t& t : tops) t = rnd(g) & 0xFFF0'0000;
  for (RoutingEntry& e : v) {
    const uint32_t len = 12 + rnd(g) % 21;
    e.mask = ~0u << (32 - len);
    e.key = (tops[rnd(g) % 16] | (rnd(g) & 0x000F'FFFF)) & e.mask;
    e.route = rnd(g) & kRouteValidMask;
  }
  std::stable_sort(v.begin(), v.end(), [](const RoutingEntry& a, const RoutingEntry& b) {
    return std::popcount(a.mask) > std::popcount(b.mask);
  });
  for (uint32_t i = 0; i < 100; ++i) std::swap(v[rnd(g) % v.size()], v[rnd(g) % v.size()]);
  RoutingTable t(1024);
  for (const RoutingEntry& e : v) t.add_or_throw(e);
  return t;
}

std::vector<uint32_t> keys_for(const RoutingTable& t, std::mt19937& g) {
  std::vector<uint32_t> keys(4096);
  for (uint32_t& k : keys) {
    if (rnd(g) % 10 == 0) {
      k = rnd(g);
    } else {
      const RoutingEntry& e = t[rnd(g) % t.size()];
      k = e.key | (rnd(g) & ~e.mask);
    }
  }
  return keys;
}

RoutingTable make_table(int64_t kind, std::mt19937& g) { return kind == 0 ? population_table(g) : mixed_table(g); }
const char* kind_name(int64_t kind) { return kind == 0 ? "population" : "mixed"; }

void BM_LookupLinearScan(benchmark::State& state) {
  std::mt19937 g(1);
  const RoutingTable t = make_table(state.range(0), g);
  const std::vector<uint32_t> keys = keys_for(t, g);
  uint64_t sum = 0;
  for (auto _ : state) {
    for (uint32_t k : keys) sum += t.find_first(k);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * keys.size()));
  state.SetLabel(kind_name(state.range(0)));
}

void BM_LookupFast(benchmark::State& state) {
  std::mt19937 g(1);
  const RoutingTable t = make_table(state.range(0), g);
  const std::vector<uint32_t> keys = keys_for(t, g);
  const FastLookup f(t);
  for (uint32_t k : keys)
    if (f.find_first(k) != t.find_first(k)) state.SkipWithError("FastLookup disagrees with the scan");
  uint64_t sum = 0;
  for (auto _ : state) {
    for (uint32_t k : keys) sum += f.find_first(k);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * keys.size()));
  state.SetLabel(kind_name(state.range(0)));
  state.counters["trie_nodes"] = f.stats().nodes;
  state.counters["max_depth"] = f.stats().max_depth;
  state.counters["max_leaf"] = f.stats().max_leaf;
}

void BM_FastLookupBuild(benchmark::State& state) {
  std::mt19937 g(1);
  const RoutingTable t = make_table(state.range(0), g);
  for (auto _ : state) {
    FastLookup f(t);
    benchmark::DoNotOptimize(f);
  }
  state.SetLabel(kind_name(state.range(0)));
}

BENCHMARK(BM_LookupLinearScan)->Arg(0)->Arg(1);
BENCHMARK(BM_LookupFast)->Arg(0)->Arg(1);
BENCHMARK(BM_FastLookupBuild)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// --- fabric throughput --------------------------------------------------------

// Shortest-path multicast tree (BFS from the source) to `targets` (chip -> core bits).
void add_tree(Fabric& f, ChipCoord source, uint32_t key, uint32_t mask, const std::map<uint32_t, uint32_t>& targets) {
  const MeshShape& mesh = f.machine().mesh;
  const uint32_t n = mesh.chip_count();
  std::vector<uint32_t> parent(n, UINT32_MAX), parent_link(n, 0);
  std::vector<bool> seen(n, false);
  std::deque<uint32_t> q{mesh.index(source)};
  seen[mesh.index(source)] = true;
  while (!q.empty()) {
    const uint32_t c = q.front();
    q.pop_front();
    for (Link l : kAllLinks) {
      const OutputLink& out = f.router(mesh.coord(c)).link(l);
      if (!out.exists || seen[out.neighbour]) continue;
      seen[out.neighbour] = true;
      parent[out.neighbour] = c;
      parent_link[out.neighbour] = static_cast<uint32_t>(l);
      q.push_back(out.neighbour);
    }
  }
  std::vector<uint32_t> route(n, 0);
  for (const auto& [chip, cores] : targets) {
    route[chip] |= cores << kRouteLinkBits;
    for (uint32_t c = chip; parent[c] != UINT32_MAX; c = parent[c]) route[parent[c]] |= route_link(parent_link[c]);
  }
  for (uint32_t c = 0; c < n; ++c)
    if (route[c] != 0) f.table(mesh.coord(c)).add_or_throw({key, mask, route[c]});
}

void BM_Fabric8x8(benchmark::State& state) {
  RouterConfig cfg;
  cfg.fast_lookup = state.range(0) != 0;
  Fabric f(machine_from_shape("torus:8x8"), cfg);
  const MeshShape& mesh = f.machine().mesh;
  std::mt19937 g(3);
  for (uint32_t chip = 0; chip < 64; ++chip)
    for (uint32_t core = 1; core <= 16; ++core) {
      std::map<uint32_t, uint32_t> targets;
      for (uint32_t i = 0; i < 8; ++i) targets[rnd(g) % 64] |= 1u << (1 + rnd(g) % 16);
      add_tree(f, mesh.coord(chip), (chip * 16 + core) << 11, 0xFFFFF800, targets);
    }
  // One tick's traffic: 4096 spikes from random neurons of random populations.
  struct Spike {
    ChipCoord chip;
    uint32_t core, key;
  };
  std::vector<Spike> spikes(4096);
  for (Spike& s : spikes) {
    const uint32_t chip = rnd(g) % 64, core = 1 + rnd(g) % 16;
    s = {mesh.coord(chip), core, ((chip * 16 + core) << 11) | (rnd(g) % 256)};
  }
  Inboxes in;
  uint32_t rounds = 0;
  for (auto _ : state) {
    for (const Spike& s : spikes) f.inject(s.chip, s.core, fw::Packet{s.key, 0, false});
    rounds = f.route_tick(in);
    for (auto& box : in) box.clear();
  }
  const FabricReport r = f.report();
  const double iters = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * spikes.size()));
  state.counters["hops_per_s"] = benchmark::Counter(static_cast<double>(r.link_totals.carried), benchmark::Counter::kIsRate);
  state.counters["deliveries_per_s"] = benchmark::Counter(static_cast<double>(r.totals.delivered), benchmark::Counter::kIsRate);
  state.counters["hops_per_packet"] = static_cast<double>(r.link_totals.carried) / (iters * static_cast<double>(spikes.size()));
  state.counters["rounds"] = rounds;
  if (r.totals.dropped_total() != 0 || r.totals.emergency_routed != 0) state.SkipWithError("unexpected congestion");
  state.SetLabel(cfg.fast_lookup ? "FastLookup" : "linear scan");
}

BENCHMARK(BM_Fabric8x8)->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace spindle::emu

BENCHMARK_MAIN();
