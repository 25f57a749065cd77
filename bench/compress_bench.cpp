// Routing-table compression (issue 4): Mundy's ordered covering with the
// down-/up-check refinement (CoveringSearch::kRefined, the default) against
// the earlier trie-node candidates (kTrieNodes), on 2,048-entry tables in the
// mapping's key layout (vertex 6 bits | slice 5 bits | atom 8 bits):
//   - "interleaved5":  slice s of every vertex goes to route s % 5, 5% of
//                      slices to one of 8 other routes (one-to-one
//                      projections between populations sliced alike);
//   - "interleaved12x3": route (s + shift_v) % 12, three shifts, 5% noise;
//   - "per_vertex":    one route per vertex, 5% of slices elsewhere;
//   - "random40":      every slice one of 40 routes at random.
// Per table and search: time to compress to a 1024-entry router, and the
// counters entries_1024 (0 if it cannot fit) and entries_min (merging
// until no valid merge is left). Figures: docs/mapping.md.
// Run: build/<dir>/bench/compress_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "mapping/compress.h"

namespace spindle::host {
namespace {

using emu::RoutingEntry;

std::vector<RoutingEntry> table(const std::string& kind) {
  std::mt19937 rng(1);
  auto coin = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  std::vector<uint32_t> routes(48);
  for (uint32_t& r : routes) r = 1u + uint32_t(rng() % 0xFFFFFF);
  std::vector<RoutingEntry> t;
  for (uint32_t v = 0; v < 64; ++v) {
    const uint32_t shift = uint32_t(rng() % 3), own = uint32_t(rng() % 8);
    for (uint32_t s = 0; s < 32; ++s) {
      uint32_t route = 0;
      if (kind == "interleaved5") route = coin(0.05) ? routes[40 + rng() % 8] : routes[s % 5];
      else if (kind == "interleaved12x3") route = coin(0.05) ? routes[40 + rng() % 8] : routes[(s + shift) % 12];
      else if (kind == "per_vertex") route = coin(0.05) ? routes[40 + rng() % 8] : routes[own];
      else route = routes[rng() % 40];
      t.push_back(RoutingEntry{(v << 13) | (s << 8), 0xFFFFFF00u, route});
    }
  }
  return t;
}

void BM_Compress(benchmark::State& state, const std::string& kind, CoveringSearch search) {
  const std::vector<RoutingEntry> t = table(kind);
  size_t fitted = 0;
  for (auto _ : state) {
    try {
      fitted = compress_table(t, 1024, nullptr, search).size();
    } catch (const TableCapacityError&) {
      fitted = 0;
    }
    benchmark::DoNotOptimize(fitted);
  }
  CompressionStats st;
  minimise_table(t, search, &st);
  state.counters["entries_in"] = double(t.size());
  state.counters["entries_1024"] = double(fitted);
  state.counters["entries_min"] = st.entries_after;
}

void register_all() {
  for (const char* kind : {"interleaved5", "interleaved12x3", "per_vertex", "random40"}) {
    benchmark::RegisterBenchmark((std::string("compress/") + kind + "/refined").c_str(), BM_Compress, kind,
                                 CoveringSearch::kRefined)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("compress/") + kind + "/trie_nodes").c_str(), BM_Compress, kind,
                                 CoveringSearch::kTrieNodes)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace spindle::host

int main(int argc, char** argv) {
  spindle::host::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
