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
// With --tables FILE (from `mapping_bench NETWORK --mode tables --dump-tables
// FILE`): also the real tables of a mapping, "file/largest" (the largest
// chip's table) and "file/all_chips" (every chip over 1024 entries, one after
// the other on one thread), each compressed to 1024 and verified as
// compress_routes does.
// Run: build/<dir>/bench/compress_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <stdexcept>
#include <utility>
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

struct FileTable {
  std::vector<RoutingEntry> entries;
  std::vector<KeyRange> in_use;
};

// Lines `x y key mask route n_atoms` (key, mask, route in hex), grouped by chip.
std::vector<FileTable> read_tables(const char* path) {
  std::FILE* f = std::fopen(path, "r");
  if (!f) throw std::runtime_error(std::string("--tables: cannot read ") + path);
  std::map<std::pair<unsigned, unsigned>, FileTable> chips;
  unsigned x = 0, y = 0, key = 0, mask = 0, route = 0, atoms = 0;
  int n = 0;
  while ((n = std::fscanf(f, "%u %u %x %x %x %u", &x, &y, &key, &mask, &route, &atoms)) == 6) {
    FileTable& t = chips[{x, y}];
    t.entries.push_back(RoutingEntry{key, mask, route});
    t.in_use.push_back(KeyRange{key, atoms});
  }
  std::fclose(f);
  if (n != EOF) throw std::runtime_error(std::string("--tables: ") + path + ": a line is not `x y key mask route n_atoms`");
  std::vector<FileTable> out;
  for (auto& [chip, t] : chips) out.push_back(std::move(t));
  return out;
}

size_t compress_and_verify(const FileTable& t) {
  const auto c = compress_table(t.entries, 1024);
  if (auto bad = verify_compressed(t.entries, c, t.in_use)) throw std::logic_error(*bad);
  return c.size();
}

void register_file(const std::vector<FileTable>& all) {
  static std::vector<FileTable> big;
  for (const FileTable& t : all)
    if (t.entries.size() > 1024) big.push_back(t);
  if (big.empty()) return;
  size_t largest = 0;
  for (size_t i = 0; i < big.size(); ++i)
    if (big[i].entries.size() > big[largest].entries.size()) largest = i;
  benchmark::RegisterBenchmark("compress/file/largest", [largest](benchmark::State& state) {
    size_t fitted = 0;
    for (auto _ : state) benchmark::DoNotOptimize(fitted = compress_and_verify(big[largest]));
    state.counters["entries_in"] = double(big[largest].entries.size());
    state.counters["entries_1024"] = double(fitted);
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("compress/file/all_chips", [](benchmark::State& state) {
    size_t entries = 0;
    for (auto _ : state) {
      entries = 0;
      for (const FileTable& t : big) entries += compress_and_verify(t);
    }
    state.counters["chips"] = double(big.size());
    state.counters["entries_1024"] = double(entries);
  })->Unit(benchmark::kMillisecond);
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
  // --tables FILE is ours; the rest goes to Google Benchmark.
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--tables") != 0) continue;
    if (i + 1 >= argc) {
      std::fprintf(stderr, "--tables needs a file\n");
      return 2;
    }
    try {
      spindle::host::register_file(spindle::host::read_tables(argv[i + 1]));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return 1;
    }
    for (int j = i; j + 2 < argc; ++j) argv[j] = argv[j + 2];
    argc -= 2;
    break;
  }
  spindle::host::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
