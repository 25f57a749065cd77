// Routing table semantics (first match wins, capacity, entry validation) and
// FastLookup giving exactly the linear scan's answers on many random tables.
#include <gtest/gtest.h>

#include <random>

#include "test_rng.h"
#include <stdexcept>
#include <vector>

#include "router/fast_lookup.h"
#include "router/route_word.h"
#include "router/routing_table.h"

namespace spindle::emu {
namespace {

TEST(RouteWord, Layout) {
  EXPECT_EQ(route_link(Link::kEast), 1u);
  EXPECT_EQ(route_link(Link::kSouth), 1u << 5);
  EXPECT_EQ(route_core(0), 1u << 6);
  EXPECT_EQ(route_core(17), 1u << 23);
  const uint32_t r = route_link(Link::kNorth) | route_core(3) | route_core(17);
  EXPECT_EQ(route_links(r), 1u << 2);
  EXPECT_EQ(route_cores(r), (1u << 3) | (1u << 17));
  EXPECT_EQ(kRouteValidMask, 0xFFFFFFu);
}

TEST(RoutingTable, FirstMatchWins) {
  RoutingTable t;
  ASSERT_EQ(t.add({0x1200, 0xFF00, route_core(1)}), AddStatus::kOk);  // 0x12xx
  ASSERT_EQ(t.add({0x1230, 0xFFF0, route_core(2)}), AddStatus::kOk);  // shadowed for 0x123x
  ASSERT_EQ(t.add({0x0000, 0x0000, route_core(3)}), AddStatus::kOk);  // catch-all
  EXPECT_EQ(t.find_first(0x1234), 0u);
  EXPECT_EQ(*t.lookup(0x1234), route_core(1));
  EXPECT_EQ(t.find_first(0x1334), 2u);
  EXPECT_EQ(*t.lookup(0xFFFFFFFF), route_core(3));

  RoutingTable u;  // the same entries, narrow one first: now it wins for 0x123x
  ASSERT_EQ(u.add({0x1230, 0xFFF0, route_core(2)}), AddStatus::kOk);
  ASSERT_EQ(u.add({0x1200, 0xFF00, route_core(1)}), AddStatus::kOk);
  EXPECT_EQ(*u.lookup(0x1234), route_core(2));
  EXPECT_EQ(*u.lookup(0x1244), route_core(1));
  EXPECT_FALSE(u.lookup(0x1300));
  EXPECT_EQ(u.find_first(0x1300), kNoMatch);
}

TEST(RoutingTable, MatchIsKeyAndMaskEqualsEntryKey) {
  RoutingTable t;
  // Mask with holes: bits 8-11 don't care.
  ASSERT_EQ(t.add({0xAB00'00CD, 0xFF00'F0FF, route_link(Link::kEast)}), AddStatus::kOk);
  EXPECT_TRUE(t.lookup(0xAB00'00CD));
  EXPECT_TRUE(t.lookup(0xAB12'0FCD));
  EXPECT_FALSE(t.lookup(0xAB00'10CD));
  EXPECT_FALSE(t.lookup(0xAC00'00CD));
}

TEST(RoutingTable, CapacityDefaultAndConfigurable) {
  RoutingTable t;
  EXPECT_EQ(t.capacity(), 1024u);
  for (uint32_t i = 0; i < 1024; ++i) ASSERT_EQ(t.add({i, 0xFFFFFFFF, route_core(1)}), AddStatus::kOk);
  EXPECT_TRUE(t.full());
  const uint64_t gen = t.generation();
  EXPECT_EQ(t.add({5000, 0xFFFFFFFF, route_core(1)}), AddStatus::kTableFull);
  EXPECT_EQ(t.size(), 1024u);
  EXPECT_EQ(t.generation(), gen);  // nothing changed
  EXPECT_THROW(t.add_or_throw({5000, 0xFFFFFFFF, 0}), std::length_error);
  try {
    t.add_or_throw({5000, 0xFFFFFFFF, 0});
  } catch (const std::length_error& e) {
    EXPECT_NE(std::string(e.what()).find("routing table is full"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1024/1024"), std::string::npos) << e.what();
  }

  RoutingTable small(3);
  EXPECT_EQ(small.capacity(), 3u);
  for (uint32_t i = 0; i < 3; ++i) ASSERT_EQ(small.add({i, 0xFF, 0}), AddStatus::kOk);
  EXPECT_EQ(small.add({9, 0xFF, 0}), AddStatus::kTableFull);
  small.clear();
  EXPECT_EQ(small.size(), 0u);
  EXPECT_EQ(small.add({9, 0xFF, 0}), AddStatus::kOk);
}

TEST(RoutingTable, RejectsEntriesThatCannotWork) {
  RoutingTable t;
  EXPECT_EQ(t.add({0x1, 0xFFFF0000, 0}), AddStatus::kKeyOutsideMask);
  EXPECT_EQ(t.add({0x10000, 0xFFFF0000, 1u << 24}), AddStatus::kBadRoute);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_THROW(t.add_or_throw({0x1, 0x0, 0}), std::invalid_argument);
  EXPECT_EQ(describe(AddStatus::kKeyOutsideMask).find("never match") != std::string_view::npos, true);
}

// --- FastLookup == linear scan --------------------------------------------------

enum class TableStyle { kPrefix, kSparseMasks, kDenseRandom, kOverlapping, kFewMasks, kMixed };

RoutingEntry random_entry(testing::Rng& rng, TableStyle style, const std::vector<RoutingEntry>& so_far) {
  auto u32 = [&] { return static_cast<uint32_t>(rng()); };
  uint32_t mask = 0;
  switch (style) {
    case TableStyle::kPrefix: {
      const uint32_t len = rng() % 33;
      mask = len == 0 ? 0 : ~0u << (32 - len);
      break;
    }
    case TableStyle::kSparseMasks:
      mask = u32() & u32() & u32();  // ~4 bits set
      break;
    case TableStyle::kDenseRandom: mask = u32() | u32(); break;  // ~24 bits set
    case TableStyle::kOverlapping:
      if (!so_far.empty() && rng() % 3 != 0) {
        // Narrow or widen an earlier entry: same key bits, a mask that differs in a few bits.
        const RoutingEntry& base = so_far[rng() % so_far.size()];
        mask = base.mask ^ (1u << (rng() % 32)) ^ ((rng() % 2) ? (1u << (rng() % 32)) : 0);
        RoutingEntry e{base.key & mask, mask, u32() & kRouteValidMask};
        if (rng() % 4 == 0) e.key ^= (1u << (rng() % 32)) & mask;
        return e;
      }
      mask = ~0u << (rng() % 16);
      break;
    case TableStyle::kFewMasks: {
      constexpr uint32_t masks[4] = {0xFFFFF800, 0xFFFFFF00, 0xFFFF0000, 0xFFFFFFFF};
      mask = masks[rng() % 4];
      break;
    }
    case TableStyle::kMixed: return random_entry(rng, static_cast<TableStyle>(rng() % 5), so_far);
  }
  // Keys clustered in a small space so that entries overlap and keys hit them.
  const uint32_t key = (u32() & 0x0000'0F0F) | (rng() % 2 ? 0 : 0x8000'0000);
  return {key & mask, mask, u32() & kRouteValidMask};
}

uint32_t random_key(testing::Rng& rng, const RoutingTable& t) {
  const uint32_t r = rng() % 4;
  if (r == 0 || t.size() == 0) return static_cast<uint32_t>(rng());
  const RoutingEntry& e = t[static_cast<uint32_t>(rng() % t.size())];
  uint32_t key = e.key | (static_cast<uint32_t>(rng()) & ~e.mask);  // a key the entry matches
  if (r == 3) key ^= 1u << (rng() % 32);                                 // or a near miss
  return key;
}

void expect_same_answers(const RoutingTable& t, testing::Rng& rng, uint32_t keys) {
  const FastLookup fast(t);
  for (uint32_t k = 0; k < keys; ++k) {
    const uint32_t key = random_key(rng, t);
    ASSERT_EQ(fast.find_first(key), t.find_first(key)) << "key 0x" << std::hex << key;
    ASSERT_EQ(fast.lookup(key), t.lookup(key));
  }
}

TEST(FastLookup, EmptyAndTrivialTables) {
  testing::Rng rng(1);
  RoutingTable t;
  expect_same_answers(t, rng, 100);
  ASSERT_EQ(t.add({0, 0, route_core(1)}), AddStatus::kOk);  // catch-all
  ASSERT_EQ(t.add({5, 0xFFFFFFFF, route_core(2)}), AddStatus::kOk);  // unreachable behind it
  expect_same_answers(t, rng, 100);
  EXPECT_EQ(FastLookup(t).find_first(5), 0u);
}

TEST(FastLookup, SameAnswersAsScanOnRandomTables) {
  testing::Rng rng(20240611);
  const TableStyle styles[] = {TableStyle::kPrefix,      TableStyle::kSparseMasks, TableStyle::kDenseRandom,
                               TableStyle::kOverlapping, TableStyle::kFewMasks,    TableStyle::kMixed};
  uint32_t tables = 0;
  for (TableStyle style : styles)
    for (uint32_t size : {1u, 2u, 7u, 64u, 300u, 1024u})
      for (uint32_t rep = 0; rep < 4; ++rep) {
        RoutingTable t(size);
        std::vector<RoutingEntry> entries;
        while (!t.full()) {
          const RoutingEntry e = random_entry(rng, style, entries);
          if (t.add(e) == AddStatus::kOk) entries.push_back(e);
        }
        SCOPED_TRACE("style " + std::to_string(static_cast<int>(style)) + " size " + std::to_string(size));
        expect_same_answers(t, rng, 4000);
        ++tables;
      }
  EXPECT_EQ(tables, 6u * 6u * 4u);
}

TEST(FastLookup, ExactEvenWhenTheBuildBudgetRunsOut) {
  // Dense random masks over a small key space overlap heavily and make the
  // trie duplicate entries; it must still be exact (longer leaves).
  testing::Rng rng(7);
  RoutingTable t;
  std::vector<RoutingEntry> entries;
  while (!t.full()) {
    const uint32_t mask = static_cast<uint32_t>(rng()) & 0x0000FFFF;
    const RoutingEntry e{static_cast<uint32_t>(rng()) & mask, mask, route_core(1)};
    if (t.add(e) == AddStatus::kOk) entries.push_back(e);
  }
  expect_same_answers(t, rng, 20000);
  const FastLookup f(t);
  for (uint32_t key = 0; key < 0x10000; ++key) ASSERT_EQ(f.find_first(key), t.find_first(key));
}

TEST(FastLookup, ShallowOnTypicalTables) {
  // sPyNNaker-style: one entry per population, key = id << 11, mask 0xFFFFF800.
  RoutingTable t;
  for (uint32_t i = 0; i < 1024; ++i) ASSERT_EQ(t.add({i << 11, 0xFFFFF800, route_core(1 + i % 17)}), AddStatus::kOk);
  const FastLookup f(t);
  EXPECT_FALSE(f.stats().budget_exhausted);
  EXPECT_LE(f.stats().max_leaf, 4u);
  EXPECT_LE(f.stats().max_depth, 3u);  // multiway nodes over the population-id bits
  for (uint32_t i = 0; i < 1024; ++i) EXPECT_EQ(f.find_first((i << 11) | (i % 2048)), i);
}

}  // namespace
}  // namespace spindle::emu
