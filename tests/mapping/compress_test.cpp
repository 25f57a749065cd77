#include "mapping/compress.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <set>

#include "mapping_test_util.h"
#include "router/routing_table.h"

namespace spindle::host {
namespace {

using emu::RoutingEntry;

// An orthogonal random table in the mapping's key layout: vertex (6 bits) |
// slice (5 bits) | atom (8 bits); each entry one slice, routes drawn from
// `n_routes` values, slices of a vertex sharing a route with probability `coherence`.
struct RandomTable {
  std::vector<RoutingEntry> entries;
  std::vector<KeyRange> in_use;
};

RandomTable random_table(uint32_t seed, uint32_t n_entries, uint32_t n_routes, double coherence) {
  std::mt19937 rng(seed);
  std::set<uint32_t> used;
  RandomTable t;
  std::vector<uint32_t> routes;
  for (uint32_t i = 0; i < n_routes; ++i) routes.push_back(1u + uint32_t(rng() % 0xFFFFFF));
  std::vector<uint32_t> vertex_route(64);
  for (auto& r : vertex_route) r = routes[rng() % n_routes];
  while (t.entries.size() < n_entries) {
    const uint32_t v = rng() % 64, s = rng() % 32;
    const uint32_t key = (v << 13) | (s << 8);
    if (!used.insert(key).second) continue;
    const bool same = std::uniform_real_distribution<double>(0, 1)(rng) < coherence;
    t.entries.push_back(RoutingEntry{key, 0xFFFFFF00u, same ? vertex_route[v] : routes[rng() % n_routes]});
    t.in_use.push_back(KeyRange{key, 1 + uint32_t(rng() % 256)});
  }
  return t;
}

// Brute force: every key in use gives the same first-match route in both
// tables. Keys that differ only in low bits no entry of either table cares
// about match the same entries, so one key per such aligned block stands
// for all of them (every entry here ignores at least the 8 atom bits).
void expect_equivalent(const RandomTable& t, const std::vector<RoutingEntry>& c) {
  uint32_t cared = 0;
  for (const RoutingEntry& e : t.entries) cared |= e.mask;
  for (const RoutingEntry& e : c) cared |= e.mask;
  const uint64_t step = cared == 0 ? uint64_t(1) << 32 : uint64_t(1) << std::countr_zero(cared);
  for (const KeyRange& r : t.in_use)
    for (uint64_t k = r.base; k < uint64_t(r.base) + r.count; k = (k / step + 1) * step)
      ASSERT_EQ(test::first_match(t.entries, uint32_t(k)), test::first_match(c, uint32_t(k)))
          << std::hex << "key 0x" << k;
}

TEST(Compress, FittingTableIsUnchanged) {
  const RandomTable t = random_table(1, 100, 4, 0.9);
  CompressionStats st;
  const auto c = compress_table(t.entries, 100, &st);
  EXPECT_EQ(c, t.entries);
  EXPECT_EQ(st.merges, 0u);
  EXPECT_EQ(st.entries_before, 100u);
  EXPECT_EQ(st.entries_after, 100u);
}

TEST(Compress, RandomTablesStayEquivalent) {
  uint32_t compressed_count = 0;
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    const uint32_t n = 200 + 37 * seed;
    const RandomTable t = random_table(seed, n, 2 + seed % 6, 0.5 + 0.015 * seed);
    const uint32_t capacity = n / 3;
    CompressionStats st;
    std::vector<RoutingEntry> c;
    try {
      c = compress_table(t.entries, capacity, &st);
    } catch (const TableCapacityError&) {
      continue;  // not every random table compresses that far; covered by the capacity tests
    }
    ++compressed_count;
    EXPECT_LE(c.size(), capacity);
    EXPECT_GT(st.merges, 0u);
    uint64_t checked = 0;
    const auto bad = verify_compressed(t.entries, c, t.in_use, 16, seed, &checked);
    EXPECT_FALSE(bad.has_value()) << *bad;
    EXPECT_GT(checked, 0u);
    expect_equivalent(t, c);
    // Every entry is valid for a router table.
    emu::RoutingTable table(capacity);
    for (const RoutingEntry& e : c) EXPECT_EQ(table.add(e), emu::AddStatus::kOk);
  }
  EXPECT_GE(compressed_count, 20u) << "most random tables should compress to a third";
}

TEST(Compress, StopsAsSoonAsItFits) {
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    const RandomTable t = random_table(100 + seed, 300, 3, 0.8);
    for (uint32_t capacity : {299u, 290u, 250u}) {
      CompressionStats st;
      const auto c = compress_table(t.entries, capacity, &st);
      // A merge of k entries saves k - 1; the smallest sufficient merge is
      // taken, so the table ends at the capacity unless no merge was small enough.
      EXPECT_LE(c.size(), capacity);
      if (capacity == 299) {
        EXPECT_EQ(c.size(), 299u) << "one pair merge is enough";
      }
      EXPECT_FALSE(verify_compressed(t.entries, c, t.in_use).has_value());
    }
  }
}

TEST(Compress, OrderedCoveringUsesOrder) {
  // Slices 0..7 of one vertex: 0-6 go to core 1, 7 to core 2. A covering
  // entry for all eight placed below the specific entry for 7 is correct.
  std::vector<RoutingEntry> t;
  std::vector<KeyRange> in_use;
  for (uint32_t s = 0; s < 8; ++s) {
    t.push_back(RoutingEntry{s << 8, 0xFFFFFF00u, emu::route_core(s == 7 ? 2 : 1)});
    in_use.push_back(KeyRange{s << 8, 256});
  }
  const auto c = compress_table(t, 2);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], t[7]);
  EXPECT_EQ(c[1].route, emu::route_core(1));
  EXPECT_FALSE(verify_compressed(t, c, in_use).has_value());
}

TEST(Compress, CapacityErrorGivesSizes) {
  std::vector<RoutingEntry> t;
  for (uint32_t s = 0; s < 10; ++s) t.push_back(RoutingEntry{s << 8, 0xFFFFFF00u, emu::route_core(1 + s)});
  try {
    compress_table(t, 5);
    FAIL() << "distinct routes cannot merge";
  } catch (const TableCapacityError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("10 entries"), std::string::npos) << msg;
    EXPECT_NE(msg.find("holds 5"), std::string::npos) << msg;
  }
  // Through compress_routes the chip is named.
  Routes r;
  ChipTable ct;
  ct.chip = {3, 2};
  ct.entries = t;
  Partition p;
  KeyAllocation k;
  for (uint32_t s = 0; s < 10; ++s) {
    ct.source_slice.push_back(s);
    p.slices.push_back(Slice{0, s, s * 256, 256, {}});
    k.keys.push_back(SliceKey{s << 8, 0xFFFFFF00u});
  }
  r.tables.push_back(ct);
  try {
    compress_routes(r, p, k, 5);
    FAIL();
  } catch (const TableCapacityError& e) {
    EXPECT_NE(std::string(e.what()).find("chip (3,2)"), std::string::npos) << e.what();
  }
  const auto ok = compress_routes(r, p, k, 10);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].entries_before, 10u);
  EXPECT_EQ(ok[0].entries.size(), 10u);
  EXPECT_EQ(ok[0].keys_verified, 0u);
}

// Chips are compressed on worker threads; the tables and the error must not
// depend on how many.
TEST(Compress, SameTablesAndErrorOnAnyThreadCount) {
  Routes r;
  Partition p;
  KeyAllocation k;
  for (uint32_t s = 0; s < 16; ++s) {
    p.slices.push_back(Slice{0, s, s * 256, 256, {}});
    k.keys.push_back(SliceKey{s << 8, 0xFFFFFF00u});
  }
  for (uint32_t c = 0; c < 12; ++c) {
    ChipTable ct;
    ct.chip = {c % 4, c / 4};
    for (uint32_t s = 0; s < 16; ++s) {
      ct.source_slice.push_back(s);
      // Runs of 1, 2 or 4 slices per route: each chip needs different merges.
      ct.entries.push_back(RoutingEntry{s << 8, 0xFFFFFF00u, emu::route_core(1 + ((s >> (c % 3)) & 1u))});
    }
    r.tables.push_back(ct);
  }
  const auto one = compress_routes(r, p, k, 9, 1);
  ASSERT_EQ(one.size(), 12u);
  for (unsigned threads : {2u, 3u, 8u}) {
    const auto many = compress_routes(r, p, k, 9, threads);
    ASSERT_EQ(many.size(), one.size());
    for (size_t c = 0; c < one.size(); ++c) {
      EXPECT_EQ(many[c].chip, one[c].chip) << threads << " threads, chip " << c;
      EXPECT_EQ(many[c].entries, one[c].entries) << threads << " threads, chip " << c;
      EXPECT_EQ(many[c].merges, one[c].merges);
      EXPECT_EQ(many[c].keys_verified, one[c].keys_verified);
      EXPECT_GT(one[c].merges, 0u);
      EXPECT_LE(one[c].entries.size(), 9u);
    }
  }
  // Chips 5 and 9 cannot fit (16 distinct routes): the error names chip 5.
  for (uint32_t c : {5u, 9u})
    for (uint32_t s = 0; s < 16; ++s) r.tables[c].entries[s].route = emu::route_core(1 + s);
  for (unsigned threads : {1u, 2u, 8u}) {
    try {
      compress_routes(r, p, k, 9, threads);
      FAIL() << threads << " threads";
    } catch (const TableCapacityError& e) {
      EXPECT_NE(std::string(e.what()).find("chip (1,1)"), std::string::npos) << threads << " threads: " << e.what();
    }
  }
}

TEST(Compress, RejectsOverlappingInput) {
  std::vector<RoutingEntry> t{{0x100, 0xFFFFFF00u, 1}, {0x100, 0xFFFFF000u, 2}, {0x200, 0xFFFFFF00u, 4}};
  EXPECT_THROW(compress_table(t, 2), std::invalid_argument);
}

TEST(Compress, VerificationCatchesWrongTables) {
  std::vector<RoutingEntry> t{{0x000, 0xFFFFFF00u, 1}, {0x100, 0xFFFFFF00u, 2}, {0x200, 0xFFFFFF00u, 1}};
  std::vector<KeyRange> in_use{{0x000, 10}, {0x100, 10}, {0x200, 10}};
  // A naive merge of the two route-1 entries captures 0x100's keys.
  std::vector<RoutingEntry> naive{{0x000, 0xFFFFFC00u, 1}, {0x100, 0xFFFFFF00u, 2}};
  const auto bad = verify_compressed(t, naive, in_use);
  ASSERT_TRUE(bad.has_value());
  EXPECT_NE(bad->find("0x00000100"), std::string::npos) << *bad;
  // A missing entry.
  std::vector<RoutingEntry> missing{t[0], t[1]};
  EXPECT_TRUE(verify_compressed(t, missing, in_use).has_value());
  // Unused neighbouring keys the original does route (atom 200 of slice 0) are sampled too.
  std::vector<RoutingEntry> narrow{{0x000, 0xFFFFFFF0u, 1}, t[1], t[2]};
  EXPECT_TRUE(verify_compressed(t, narrow, in_use, 64).has_value());
  // The correct ordered covering passes.
  std::vector<RoutingEntry> good{t[1], {0x000, 0xFFFFFC00u, 1}};
  EXPECT_FALSE(verify_compressed(t, good, in_use).has_value());
  uint64_t checked = 0;
  EXPECT_FALSE(verify_compressed(t, good, in_use, 0, 1, &checked).has_value());
  // 30 keys in use, whatever the lookups, and the 5 routed neighbours (0x00a, 0x0ff, 0x10a, 0x1ff, 0x20a).
  EXPECT_EQ(checked, 35u);
}

TEST(Compress, VerificationSeesEntriesFinerThanTheKeyBlocks) {
  // Keys are looked up once per block of keys no entry tells apart; an
  // entry caring about low bits must make the blocks that small.
  std::vector<RoutingEntry> t{{0x000, 0xFFFFFF00u, 1}, {0x100, 0xFFFFFF00u, 2}};
  std::vector<KeyRange> in_use{{0x000, 10}, {0x100, 256}};
  // Key 0x008 and 0x009 (in use) go elsewhere; keys 0x000-0x007 do not.
  std::vector<RoutingEntry> wrong_low{{0x008, 0xFFFFFFF8u, 2}, t[0], t[1]};
  const auto bad = verify_compressed(t, wrong_low, in_use, 0);
  ASSERT_TRUE(bad.has_value());
  EXPECT_NE(bad->find("in-use key 0x00000008"), std::string::npos) << *bad;
  // Only key 0x1ff, the last of a range, is wrong.
  std::vector<RoutingEntry> wrong_last{{0x1FF, 0xFFFFFFFFu, 1}, t[0], t[1]};
  const auto last = verify_compressed(t, wrong_last, in_use, 0);
  ASSERT_TRUE(last.has_value());
  EXPECT_NE(last->find("in-use key 0x000001ff"), std::string::npos) << *last;
  // A wrong entry where the uncompressed table routes nothing is allowed.
  std::vector<RoutingEntry> unused{{0x200, 0xFFFFFFFEu, 2}, t[0], t[1]};
  EXPECT_FALSE(verify_compressed(t, unused, in_use, 0).has_value());
  // Any route word and entries that can never match are accepted.
  std::vector<RoutingEntry> odd{{0x001, 0xFFFFFF00u, 7}, {0x000, 0xFFFFFF00u, 1}, {0x100, 0xFFFFFF00u, 2}};
  EXPECT_FALSE(verify_compressed(t, odd, in_use).has_value());
  std::vector<RoutingEntry> big_route{{0x000, 0xFFFFFF00u, 0xFF000001u}, t[1]};
  EXPECT_TRUE(verify_compressed(t, big_route, in_use).has_value());
}

// Interleaved routes: slice s of vertex v goes to routes[(s + shift[v]) % period]
// (e.g. one-to-one projections between populations sliced alike), with a
// fraction `noise` of slices sent elsewhere.
RandomTable interleaved_table(uint32_t seed, uint32_t vertices, uint32_t slices, uint32_t period, uint32_t shifts, double noise) {
  std::mt19937 rng(seed);
  RandomTable t;
  std::vector<uint32_t> routes;
  for (uint32_t i = 0; i < period + 8; ++i) routes.push_back(1u + uint32_t(rng() % 0xFFFFFF));
  for (uint32_t v = 0; v < vertices; ++v) {
    const uint32_t shift = uint32_t(rng() % shifts);
    for (uint32_t s = 0; s < slices; ++s) {
      const uint32_t key = (v << 13) | (s << 8);
      const bool odd = std::uniform_real_distribution<double>(0, 1)(rng) < noise;
      t.entries.push_back(RoutingEntry{key, 0xFFFFFF00u, odd ? routes[period + uint32_t(rng() % 8)] : routes[(s + shift) % period]});
      t.in_use.push_back(KeyRange{key, 1 + uint32_t(rng() % 256)});
    }
  }
  return t;
}

void expect_router_accepts(const std::vector<RoutingEntry>& c) {
  emu::RoutingTable table(uint32_t(c.size()));
  for (const RoutingEntry& e : c) EXPECT_EQ(table.add(e), emu::AddStatus::kOk);
}

TEST(Compress, InterleavedRoutesStayEquivalent) {
  // Both searches, compressed as far as they go and to a quarter, on
  // structured and structureless interleavings; every key in use is checked.
  uint32_t seed = 0;
  for (uint32_t period : {3u, 6u})
    for (uint32_t shifts : {1u, 3u}) {
      const RandomTable t = interleaved_table(++seed, 16, 32, period, shifts, 0.1);
      for (CoveringSearch search : {CoveringSearch::kRefined, CoveringSearch::kTrieNodes}) {
        CompressionStats st;
        const auto c = minimise_table(t.entries, search, &st);
        EXPECT_EQ(st.entries_after, c.size());
        EXPECT_LT(c.size(), t.entries.size());
        EXPECT_FALSE(verify_compressed(t.entries, c, t.in_use, 16, seed).has_value());
        expect_equivalent(t, c);
        expect_router_accepts(c);
        try {
          const auto q = compress_table(t.entries, uint32_t(t.entries.size() / 4), nullptr, search);
          EXPECT_LE(q.size(), t.entries.size() / 4);
          EXPECT_FALSE(verify_compressed(t.entries, q, t.in_use, 16, seed).has_value());
        } catch (const TableCapacityError&) {
          EXPECT_GT(c.size(), t.entries.size() / 4) << "compress_table gave up where minimise_table got there";
        }
      }
    }
  for (uint32_t s = 1; s <= 3; ++s) {
    const RandomTable t = random_table(s, 300, 2 + 6 * s, 0.0);  // every slice an independent route
    const auto c = minimise_table(t.entries);
    expect_equivalent(t, c);
    expect_router_accepts(c);
  }
}

TEST(Compress, RefinedSearchFitsWhereTrieNodesDoNot) {
  // Slice s of every vertex goes to route s % 5, 5% of slices elsewhere: the
  // route sets are not trie nodes (5 is no power of two), but fixing one
  // low slice bit at a time (the down-check) finds large merges.
  const RandomTable t = interleaved_table(11, 16, 32, 5, 1, 0.05);
  const uint32_t capacity = 128;
  EXPECT_THROW(compress_table(t.entries, capacity, nullptr, CoveringSearch::kTrieNodes), TableCapacityError);
  CompressionStats st;
  const auto c = compress_table(t.entries, capacity, &st, CoveringSearch::kRefined);
  EXPECT_LE(c.size(), capacity);
  EXPECT_EQ(st.entries_before, 512u);
  EXPECT_FALSE(verify_compressed(t.entries, c, t.in_use).has_value());
  expect_equivalent(t, c);
  expect_router_accepts(c);
  // How far each gets.
  CompressionStats trie, refined;
  minimise_table(t.entries, CoveringSearch::kTrieNodes, &trie);
  minimise_table(t.entries, CoveringSearch::kRefined, &refined);
  EXPECT_LT(refined.entries_after * 2, trie.entries_after);
}

TEST(Compress, DownCheckRefinesInsteadOfGivingUp) {
  // Slices 0-15 of one vertex: route 1 at 0, 1, 4, 8, 9; route 2 at all
  // others but 12 (unused). Step 1 merges route 2 into one entry for the
  // whole vertex, at the bottom. Step 2: all of route 1 above it would catch
  // slices 5 and 13; the down-check sets slice bit 2 and merges {0, 1, 8, 9}
  // at once. Trie nodes only give {0, 1} and {8, 9}: one entry too many.
  std::vector<RoutingEntry> t;
  std::vector<KeyRange> in_use;
  for (uint32_t s = 0; s < 16; ++s) {
    if (s == 12) continue;
    const bool one = s == 0 || s == 1 || s == 4 || s == 8 || s == 9;
    t.push_back(RoutingEntry{s << 8, 0xFFFFFF00u, emu::route_core(one ? 1 : 2)});
    in_use.push_back(KeyRange{s << 8, 256});
  }
  CompressionStats st;
  const auto c = compress_table(t, 3, &st);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(st.merges, 2u);
  EXPECT_EQ(c[0], (RoutingEntry{4u << 8, 0xFFFFFF00u, emu::route_core(1)}));
  EXPECT_EQ(c[1], (RoutingEntry{0, 0xFFFFF600u, emu::route_core(1)}));
  EXPECT_EQ(c[2], (RoutingEntry{0, 0xFFFFF000u, emu::route_core(2)}));
  EXPECT_FALSE(verify_compressed(t, c, in_use).has_value());
  EXPECT_THROW(compress_table(t, 3, nullptr, CoveringSearch::kTrieNodes), TableCapacityError);
  EXPECT_EQ(compress_table(t, 4, nullptr, CoveringSearch::kTrieNodes).size(), 4u);
}

TEST(Compress, LargeTableIsFast) {
  // 2000 entries down to the 1024 of a router: completes (no timing assertion).
  const RandomTable t = random_table(7, 2000, 8, 0.95);
  CompressionStats st;
  const auto c = compress_table(t.entries, 1024, &st);
  EXPECT_LE(c.size(), 1024u);
  EXPECT_FALSE(verify_compressed(t.entries, c, t.in_use).has_value());
}

}  // namespace
}  // namespace spindle::host
