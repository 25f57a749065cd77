// Synapses: synaptic word layouts, the delay ring buffer (order independence,
// delay slots, saturation), the master population table against a brute-force
// scan, and a whole core that must not care in which order spikes arrive.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <tuple>
#include <vector>

#include "support/core_harness.h"
#include "support/image_edit.h"
#include "support/test_images.h"
#include "synapse/population_table.h"
#include "synapse/ring_buffer.h"
#include "synapse/synaptic_word.h"

namespace spindle::test {
namespace {

using fw::RingBuffer;
using fw::SynapticWordLayout;

// --- synaptic words ---------------------------------------------------------

TEST(SynapticWord, PackUnpackRoundTripForSeveralLayouts) {
  const SynapticWordLayout layouts[] = {{8, 1, 4}, {5, 1, 3}, {0, 0, 1}, {0, 1, 1}, {12, 2, 2},
                                        {1, 1, 14}, {10, 1, 5}, {0, 2, 14}, {16, 0, 0}, {7, 2, 7}};
  Gen32 rng(3);
  for (const SynapticWordLayout& L : layouts) {
    SCOPED_TRACE(testing::Message() << "layout " << L.index_bits << "/" << L.type_bits << "/" << L.delay_bits);
    ASSERT_TRUE(SynapticWordLayout::valid(L.index_bits, L.type_bits, L.delay_bits));
    const uint32_t max_i = SynapticWordLayout::mask(L.index_bits), max_t = SynapticWordLayout::mask(L.type_bits),
                   max_d = SynapticWordLayout::mask(L.delay_bits);
    auto check = [&](uint32_t w, uint32_t d, uint32_t t, uint32_t i) {
      const uint32_t word = L.pack(w, d, t, i);
      ASSERT_EQ(L.index(word), i);
      ASSERT_EQ(L.type(word), t);
      ASSERT_EQ(L.delay(word), d);
      ASSERT_EQ(SynapticWordLayout::weight(word), w);
      ASSERT_EQ(L.type_index(word), (t << L.index_bits) | i);
    };
    // All-ones and all-zeros fields next to each other do not bleed.
    check(0xFFFF, max_d, max_t, max_i);
    check(0, 0, 0, 0);
    check(0xFFFF, 0, max_t, 0);
    check(0, max_d, 0, max_i);
    check(1, max_d ? 1 : 0, 0, max_i);
    for (int k = 0; k < 2000; ++k)
      check(rng() & 0xFFFF, rng() & max_d, rng() & max_t, rng() & max_i);
  }
}

TEST(SynapticWord, ValidityAndMasks) {
  EXPECT_TRUE(SynapticWordLayout::valid(8, 4, 4));
  EXPECT_FALSE(SynapticWordLayout::valid(8, 4, 5));
  EXPECT_TRUE(SynapticWordLayout::valid(16, 0, 0));
  EXPECT_FALSE(SynapticWordLayout::valid(17, 0, 0));
  EXPECT_TRUE(SynapticWordLayout::valid(0, 0, 0));
  // Huge widths (a corrupt image) must not wrap their sum into range.
  EXPECT_FALSE(SynapticWordLayout::valid(0xFFFFFFFF, 1, 0));
  EXPECT_FALSE(SynapticWordLayout::valid(0xFFFFFFF0, 0x10, 4));
  EXPECT_FALSE(SynapticWordLayout::valid(1, 0xFFFFFFFF, 2));
  EXPECT_EQ(SynapticWordLayout::mask(0), 0u);
  EXPECT_EQ(SynapticWordLayout::mask(1), 1u);
  EXPECT_EQ(SynapticWordLayout::mask(16), 0xFFFFu);
  EXPECT_EQ(SynapticWordLayout::mask(31), 0x7FFFFFFFu);
  EXPECT_EQ(SynapticWordLayout::mask(32), 0xFFFFFFFFu);
  EXPECT_EQ(SynapticWordLayout::mask(40), 0xFFFFFFFFu);
}

// --- ring buffer ------------------------------------------------------------

TEST(RingBuffer, ConfigureLimits) {
  auto r = std::make_unique<RingBuffer>();
  EXPECT_TRUE(r->configure(2, 0, 0));
  EXPECT_TRUE(r->configure(fw::kMaxRingSlots, 1, 6));  // 64 x 128 = 8192 words
  EXPECT_EQ(r->slots(), fw::kMaxRingSlots);
  EXPECT_FALSE(r->configure(fw::kMaxRingSlots, 1, 7));  // 16384 words
  EXPECT_FALSE(r->configure(2 * fw::kMaxRingSlots, 0, 0));
  EXPECT_FALSE(r->configure(0, 0, 0));
  EXPECT_FALSE(r->configure(12, 0, 0));
  EXPECT_TRUE(r->configure(1, 0, 13));  // 1 slot x 8192 columns
  EXPECT_FALSE(r->configure(1, 0, 14));
  EXPECT_FALSE(r->configure(1, 16, 16));
  EXPECT_FALSE(r->configure(1, 0xFFFFFFFF, 1));  // the sum wraps to 0 in 32 bits
  EXPECT_FALSE(r->configure(2, 0xFFFFFFE1, 0x20));
}

TEST(RingBuffer, DelaySlotSemantics) {
  // Added after tick t with delay d: read at tick t + d, nowhere else.
  constexpr uint32_t kSlots = 16, kTypeBits = 1, kIndexBits = 3;
  auto r = std::make_unique<RingBuffer>();
  ASSERT_TRUE(r->configure(kSlots, kTypeBits, kIndexBits));
  const uint32_t ticks[] = {0, 5, 15, 16, 1000, 0xFFFFFFF0u, 0xFFFFFFFDu};
  for (uint32_t t : ticks) {
    for (uint32_t d = 1; d < kSlots; ++d) {
      const uint32_t type = d % 2, neuron = d % 8, weight = 1000 + d;
      r->add(t, d, (type << kIndexBits) | neuron, weight);
      for (uint32_t u = t + 1; u != t + 1 + kSlots; ++u)
        for (uint32_t ty = 0; ty < 2; ++ty)
          for (uint32_t n = 0; n < 8; ++n) {
            const uint32_t want = (u == t + d && ty == type && n == neuron) ? weight : 0;
            ASSERT_EQ(r->take(u, ty, n), want) << "t " << t << " d " << d << " read at " << u;
          }
    }
  }
  EXPECT_EQ(r->saturations(), 0u);
}

// One add: arrival tick, delay, column, weight.
struct Add {
  uint32_t tick, delay, column, weight;
};

TEST(RingBuffer, AccumulationIsOrderIndependentIncludingSaturation) {
  constexpr uint32_t kSlots = 16, kTypeBits = 1, kIndexBits = 4, kColumns = 1u << (kTypeBits + kIndexBits);
  Gen32 rng(17);
  std::vector<Add> adds;
  std::uniform_int_distribution<uint32_t> delay(1, kSlots - 1), column(0, kColumns - 1), weight(0, 0xFFFF);
  const uint32_t t0 = 1000;
  const uint32_t just_below_slot = (t0 + 2 + 5) % kSlots;  // kept for the 2^32 - 2 cell below
  while (adds.size() < 20000) {
    const Add a{t0 + static_cast<uint32_t>(rng() % 3), delay(rng), column(rng), weight(rng)};
    if ((a.tick + a.delay) % kSlots == just_below_slot && a.column == 0) continue;
    adds.push_back(a);
  }
  // Two cells pushed past 2^32 - 1 (65538 x 65535 > 2^32), one to just below it.
  for (int i = 0; i < 65538; ++i) adds.push_back({t0, 3, 7, 0xFFFF});
  for (int i = 0; i < 70000; ++i) adds.push_back({t0 + 1, 9, 30, 0xFFFF - static_cast<uint32_t>(i % 7)});
  for (int i = 0; i < 65537; ++i) adds.push_back({t0 + 2, 5, 0, i == 0 ? 0xFFFEu : 0xFFFFu});  // 2^32 - 2 exactly

  // Exact reference: per cell, min(sum, 2^32 - 1).
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> exact;  // (slot, column) -> sum
  for (const Add& a : adds) exact[{(a.tick + a.delay) % kSlots, a.column}] += a.weight;

  auto read_all = [&](RingBuffer& r) {
    std::vector<uint32_t> cells;
    for (uint32_t s = 0; s < kSlots; ++s)
      for (uint32_t ty = 0; ty < 2; ++ty)
        for (uint32_t n = 0; n < 16; ++n) cells.push_back(r.take(t0 + s, ty, n));
    return cells;
  };
  std::vector<uint32_t> want;
  uint32_t want_saturated = 0;
  for (uint32_t s = 0; s < kSlots; ++s)
    for (uint32_t ty = 0; ty < 2; ++ty)
      for (uint32_t n = 0; n < 16; ++n) {
        const auto it = exact.find({(t0 + s) % kSlots, (ty << kIndexBits) | n});
        const uint64_t sum = it == exact.end() ? 0 : it->second;
        want.push_back(sum >= UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(sum));
        if (sum >= UINT32_MAX) ++want_saturated;
      }
  ASSERT_EQ(want_saturated, 2u);

  for (int perm = 0; perm < 5; ++perm) {
    if (perm == 1) std::reverse(adds.begin(), adds.end());
    if (perm >= 2) std::shuffle(adds.begin(), adds.end(), rng);
    auto r = std::make_unique<RingBuffer>();
    ASSERT_TRUE(r->configure(kSlots, kTypeBits, kIndexBits));
    for (const Add& a : adds) r->add(a.tick, a.delay, a.column, a.weight);
    EXPECT_EQ(read_all(*r), want) << "permutation " << perm;
    EXPECT_EQ(r->saturations(), want_saturated) << "permutation " << perm;
    // Reading cleared every cell.
    EXPECT_EQ(read_all(*r), std::vector<uint32_t>(want.size(), 0u));
    EXPECT_EQ(r->saturations(), want_saturated);
  }
}

TEST(RingBuffer, AddRowLandsWhereAddDoes) {
  // add_row (the core's hot loop) against add() word by word: random rows,
  // layouts whose delay field is narrower than the ring (slots > 2^delay_bits),
  // ticks near the 32-bit wrap, words with junk between the fields and the
  // weight, and saturating cells.
  struct Case {
    SynapticWordLayout layout;
    uint32_t slots;
  };
  const Case cases[] = {{{8, 1, 4}, 16}, {{3, 1, 2}, 16}, {{0, 0, 1}, 2}, {{5, 2, 3}, 8}, {{4, 1, 5}, 32}};
  Gen32 rng(29);
  for (const Case& c : cases) {
    const SynapticWordLayout& L = c.layout;
    SCOPED_TRACE(testing::Message() << "layout " << L.index_bits << "/" << L.type_bits << "/" << L.delay_bits);
    auto by_word = std::make_unique<RingBuffer>(), by_row = std::make_unique<RingBuffer>();
    ASSERT_TRUE(by_word->configure(c.slots, L.type_bits, L.index_bits));
    ASSERT_TRUE(by_row->configure(c.slots, L.type_bits, L.index_bits));
    for (uint32_t tick : {0u, 7u, 1000u, 0xFFFFFFF0u, 0xFFFFFFFFu}) {
      std::vector<uint32_t> row(1 + rng() % 40);
      for (uint32_t& w : row) {
        const uint32_t delay = 1 + rng() % SynapticWordLayout::mask(L.delay_bits);
        const uint32_t weight = rng() % 4 == 0 ? 0xFFFFu : rng() & 0xFFFFu;
        w = L.pack(weight, delay, rng() & SynapticWordLayout::mask(L.type_bits), rng() & SynapticWordLayout::mask(L.index_bits));
        w |= rng() & 0xFFFFu & ~L.delay_type_index_mask();  // bits no field owns
      }
      // The same row again and again: sums, and for the first word's cell
      // (66000 x 0xFFFF > 2^32) saturation.
      for (int repeat = 0; repeat < 3; ++repeat) {
        for (uint32_t w : row) by_word->add(tick, L.delay(w), L.type_index(w), SynapticWordLayout::weight(w));
        by_row->add_row(tick, row.data(), static_cast<uint32_t>(row.size()), L.delay_type_index_mask());
      }
      const uint32_t heavy = row[0] | 0xFFFF0000u;
      for (int repeat = 0; repeat < 66000; ++repeat) {
        by_word->add(tick, L.delay(heavy), L.type_index(heavy), SynapticWordLayout::weight(heavy));
        by_row->add_row(tick, &heavy, 1, L.delay_type_index_mask());
      }
      for (uint32_t u = tick; u != tick + c.slots; ++u)
        for (uint32_t ty = 0; ty <= SynapticWordLayout::mask(L.type_bits); ++ty)
          for (uint32_t n = 0; n <= SynapticWordLayout::mask(L.index_bits); ++n)
            ASSERT_EQ(by_row->take(u, ty, n), by_word->take(u, ty, n)) << "tick " << tick << " read at " << u;
    }
    EXPECT_EQ(by_row->saturations(), by_word->saturations());
    EXPECT_EQ(by_row->saturations(), 5u);  // one saturated cell per tick
  }
}

TEST(RingBuffer, SaturationIsCountedPerSaturatedRead) {
  auto r = std::make_unique<RingBuffer>();
  ASSERT_TRUE(r->configure(4, 0, 1));
  r->add(0, 1, 0, 0xFFFF);
  for (int i = 0; i < 65537; ++i) r->add(0, 1, 1, 0xFFFF);
  EXPECT_EQ(r->take(1, 0, 0), 0xFFFFu);
  EXPECT_EQ(r->saturations(), 0u);
  EXPECT_EQ(r->take(1, 0, 1), UINT32_MAX);
  EXPECT_EQ(r->saturations(), 1u);
  EXPECT_EQ(r->take(1, 0, 1), 0u);  // cleared
  EXPECT_EQ(r->saturations(), 1u);
  r->clear();
  EXPECT_EQ(r->saturations(), 0u);
}

// --- population table -------------------------------------------------------

// A table with a row-offset matrix: entry i's row r is words
// [o[r], o[r + 1]) of the matrix, its offsets at row_offsets (format.h).
struct TableAndMatrix {
  std::vector<fw::image::PopulationTableEntry> table;
  std::vector<uint32_t> matrix;
};

// Where the look-up must land: the offsets' row, found by scanning every entry.
fw::SynapticRow brute_force(const TableAndMatrix& t, uint32_t key) {
  fw::SynapticRow found;
  int matches = 0;
  for (const auto& e : t.table) {
    if ((key & e.mask) != e.key) continue;
    const uint32_t row = key & ~e.mask;
    if (row >= e.n_rows) continue;
    const uint32_t begin = t.matrix.at(e.row_offsets + row), end = t.matrix.at(e.row_offsets + row + 1);
    found = {t.matrix.data() + begin, end - begin, true};
    ++matches;
  }
  EXPECT_LE(matches, 1) << "table not disjoint";
  return found;
}

// Appends an entry's offsets and rows of random lengths (0..max_row words).
void add_entry(Gen32& rng, TableAndMatrix& t, fw::image::PopulationTableEntry e, uint32_t max_row) {
  e.row_offsets = static_cast<uint32_t>(t.matrix.size());
  t.matrix.resize(t.matrix.size() + e.n_rows + 1);
  uint32_t next = static_cast<uint32_t>(t.matrix.size());
  for (uint32_t r = 0; r <= e.n_rows; ++r) {
    t.matrix[e.row_offsets + r] = next;
    if (r < e.n_rows) next += rng() % (max_row + 1);
  }
  t.matrix.resize(next, 0xA5A5A5A5u);
  t.table.push_back(e);
}

// Sorted, disjoint entries with random sizes; some ranges touch.
TableAndMatrix random_table(Gen32& rng, uint32_t n) {
  TableAndMatrix t;
  uint64_t next_free = rng() % 1000;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t k = rng() % 13;  // index bits
    const uint64_t size = uint64_t{1} << k;
    // Align up, then maybe skip some aligned blocks.
    uint64_t key = (next_free + size - 1) & ~(size - 1);
    if (rng() % 3 != 0) key += size * (rng() % 1000);
    if (rng() % 7 == 0) key += (uint64_t{rng()} >> 6) & ~(size - 1);  // big jumps
    if (key + size > (uint64_t{1} << 32)) break;
    fw::image::PopulationTableEntry e{};
    e.key = static_cast<uint32_t>(key);
    e.mask = ~static_cast<uint32_t>(size - 1);
    e.n_rows = 1 + static_cast<uint32_t>(rng() % size);
    add_entry(rng, t, e, rng() % 20);
    next_free = key + size;
  }
  return t;
}

TEST(PopulationTable, LookupMatchesBruteForceScan) {
  Gen32 rng(5);
  uint64_t hits = 0, misses = 0, empty_rows = 0;
  for (int trial = 0; trial < 300; ++trial) {
    TableAndMatrix t = random_table(rng, trial % 60);
    if (trial == 1) add_entry(rng, t, {0xFFFFFF00u, 0xFFFFFF00u, 0, 256}, 3);  // ends at 2^32 - 1
    fw::PopulationTable pt;
    pt.set(t.table.data(), static_cast<uint32_t>(t.table.size()), t.matrix.data());
    ASSERT_EQ(pt.size(), t.table.size());
    std::vector<uint32_t> keys = {0, 1, 0xFFFFFFFF, 0x80000000};
    for (const auto& e : t.table) {
      const uint32_t span = ~e.mask;
      for (uint32_t k : {e.key, e.key + e.n_rows - 1, e.key + e.n_rows, e.key | span, e.key - 1, (e.key | span) + 1,
                         e.key + e.n_rows / 2})
        keys.push_back(k);
    }
    for (int i = 0; i < 200; ++i) keys.push_back(static_cast<uint32_t>(rng()));
    for (uint32_t key : keys) {
      const fw::SynapticRow want = brute_force(t, key), got = pt.lookup(key);
      ASSERT_EQ(got.found, want.found) << "trial " << trial << " key " << key;
      if (want.found) {
        ASSERT_EQ(got.words, want.words) << "trial " << trial << " key " << key;
        ASSERT_EQ(got.count, want.count) << "trial " << trial << " key " << key;
        ++hits;
        if (want.count == 0) ++empty_rows;
      } else {
        ++misses;
      }
    }
  }
  EXPECT_GT(hits, 10000u);
  EXPECT_GT(misses, 10000u);
  EXPECT_GT(empty_rows, 100u);
}

TEST(PopulationTable, EmptyAndSingleKeyEntries) {
  fw::PopulationTable empty;
  EXPECT_FALSE(empty.lookup(0).found);
  EXPECT_FALSE(empty.lookup(0xFFFFFFFF).found);
  // mask 0xFFFFFFFF: one key, one row (words 5..6, after a gap). mask 0:
  // every key (a table of one), 100 rows of one word each.
  const std::vector<uint32_t> one_row = {9, 9, 5, 7, 9, 1, 2};
  const std::vector<fw::image::PopulationTableEntry> single = {{7, 0xFFFFFFFF, 2, 1}};
  fw::PopulationTable pt;
  pt.set(single.data(), 1, one_row.data());
  EXPECT_FALSE(pt.lookup(6).found);
  ASSERT_TRUE(pt.lookup(7).found);
  EXPECT_EQ(pt.lookup(7).words, one_row.data() + 5);
  EXPECT_EQ(pt.lookup(7).count, 2u);
  EXPECT_FALSE(pt.lookup(8).found);
  std::vector<uint32_t> rows(101 + 100);
  for (uint32_t r = 0; r <= 100; ++r) rows[r] = 101 + r;
  const std::vector<fw::image::PopulationTableEntry> all = {{0, 0, 0, 100}};
  pt.set(all.data(), 1, rows.data());
  EXPECT_EQ(pt.lookup(99).words, rows.data() + 200);
  EXPECT_EQ(pt.lookup(99).count, 1u);
  EXPECT_FALSE(pt.lookup(100).found);
  EXPECT_FALSE(pt.lookup(0xFFFFFFFF).found);
}

// --- a whole core -----------------------------------------------------------

constexpr uint32_t kSrcA = 0x10000, kSrcB = 0x20000, kTarget = 0x30000;

std::vector<uint8_t> order_test_image() {
  Gen32 rng(77);
  host::IfCurrExpParams p;
  p.cm = 0.25;
  p.tau_refrac = 2.0;
  p.i_offset = 0.2;
  p.tau_syn_E = 3.0;
  return host::build_core_image(neuron_spec(
      host::uniform_block(p, 32, 1.0), kTarget,
      {random_block(rng, kSrcA, 64, 32, 0.3, 0.05, 1.5, 7), random_block(rng, kSrcB, 16, 32, 0.5, 0.1, 2.0, 4)},
      fw::image::kRecordSpikes | fw::image::kRecordV | fw::image::kRecordGsynExc | fw::image::kRecordGsynInh,
      false));
}

struct Trace {
  std::vector<fw::SpikeRecord> spikes;
  std::vector<fw::StateRecord> states;
  fw::Provenance prov;
};

bool same(const std::vector<fw::SpikeRecord>& a, const std::vector<fw::SpikeRecord>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.tick == y.tick && x.neuron == y.neuron; });
}
bool same(const std::vector<fw::StateRecord>& a, const std::vector<fw::StateRecord>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.tick == y.tick && x.neuron == y.neuron && x.variable == y.variable && x.value == y.value;
  });
}

void drain(fw::Core& core, Trace& trace) {
  for (uint32_t k = 0; k < core.spikes().size(); ++k) trace.spikes.push_back(core.spikes()[k]);
  for (uint32_t k = 0; k < core.states().size(); ++k) trace.states.push_back(core.states()[k]);
  core.clear_records();
}

TEST(CoreOrderIndependence, SamePacketsInAnyOrderGiveBitIdenticalTraces) {
  const std::vector<uint8_t> image = order_test_image();
  constexpr int kVariants = 4;
  std::vector<std::unique_ptr<LoadedCore>> cores;
  for (int v = 0; v < kVariants; ++v) {
    cores.push_back(std::make_unique<LoadedCore>(image));
    ASSERT_TRUE(cores.back()->status().ok());
  }
  std::vector<Trace> traces(kVariants);
  Gen32 rng(2024);
  uint64_t packets = 0;
  for (uint32_t t = 0; t < 400; ++t) {
    // This tick's packets: a random multiset (duplicates included) from both
    // source blocks, plus keys nothing on this core listens to.
    std::vector<fw::Packet> ps;
    const uint32_t n = rng() % 60;
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t r = rng() % 10;
      const uint32_t key = r < 6 ? kSrcA | (rng() % 64) : r < 9 ? kSrcB | (rng() % 16) : 0x70000 | (rng() % 64);
      ps.push_back({key, 0, false});
      if (rng() % 8 == 0) ps.push_back(ps.back());
    }
    packets += ps.size();
    for (int v = 0; v < kVariants; ++v) {
      fw::Core& core = cores[v]->core();
      std::vector<fw::Packet> order = ps;
      if (v == 1) std::reverse(order.begin(), order.end());
      if (v >= 2) std::shuffle(order.begin(), order.end(), rng);
      for (size_t i = 0; i < order.size(); ++i) {
        ASSERT_TRUE(core.on_packet(order[i]));
        // Variant 3 processes part of the packets early, the rest in the tick.
        if (v == 3 && i == order.size() / 2) core.process_packets();
      }
      if (v == 2) core.process_packets();
      core.tick();
      drain(core, traces[v]);
      traces[v].prov = core.provenance();
    }
  }
  uint32_t fired = 0;
  for (const auto& s : traces[0].spikes) fired += s.neuron < 32;
  EXPECT_GT(fired, 50u) << "the network should fire for the comparison to mean something";
  std::vector<int32_t> v_values;
  for (const auto& s : traces[0].states)
    if (s.variable == static_cast<uint16_t>(fw::StateVariable::kV)) v_values.push_back(s.value);
  std::sort(v_values.begin(), v_values.end());
  EXPECT_GT(std::unique(v_values.begin(), v_values.end()) - v_values.begin(), 1000);
  EXPECT_EQ(traces[0].states.size(), 400u * 32 * 3);
  for (int v = 1; v < kVariants; ++v) {
    EXPECT_TRUE(same(traces[v].spikes, traces[0].spikes)) << "variant " << v;
    EXPECT_TRUE(same(traces[v].states, traces[0].states)) << "variant " << v;
    EXPECT_EQ(traces[v].prov.synaptic_events, traces[0].prov.synaptic_events);
    EXPECT_EQ(traces[v].prov.packets_no_match, traces[0].prov.packets_no_match);
  }
  EXPECT_EQ(traces[0].prov.packets_received, packets);
  EXPECT_GT(traces[0].prov.packets_no_match, 0u);
  EXPECT_GT(traces[0].prov.synaptic_events, 0u);
}

TEST(CoreDelays, SpikeSentInTickTReachesTargetsAtTPlusDelay) {
  // An array source fires neuron 0 at ticks 5 and 20; four non-leaky IF
  // neurons (threshold 1 mV) each get one 1 mV synapse with delay 1, 2, 5, 7.
  const uint32_t delays[] = {1, 2, 5, 7};
  host::IncomingBlock b;
  b.key = kSrcA;
  b.mask = host::slice_key_mask(1);
  b.n_sources = 1;
  for (uint32_t n = 0; n < 4; ++n) b.synapses.push_back({0, n, 1.0, delays[n], 0});
  host::IfNonLeakyParams p;
  p.v_thresh = 1.0;
  const std::vector<uint8_t> src = host::build_core_image(array_spec(1, {{5, 0}, {20, 0}}, kSrcA));
  const std::vector<uint8_t> dst =
      host::build_core_image(neuron_spec(host::uniform_block(p, 4, 1.0), kTarget, {b}, fw::image::kRecordSpikes, false));
  CoreHarness h({src, dst});
  h.run(40);
  std::vector<RecordedSpike> want = {{5, 0, 0}, {20, 0, 0}};
  for (uint32_t n = 0; n < 4; ++n) {
    want.push_back({5 + delays[n], 1, n});
    want.push_back({20 + delays[n], 1, n});
  }
  std::vector<RecordedSpike> got = h.result().spikes;
  auto by_tick = [](const RecordedSpike& a, const RecordedSpike& b2) {
    return std::tie(a.tick, a.core, a.neuron) < std::tie(b2.tick, b2.core, b2.neuron);
  };
  std::sort(want.begin(), want.end(), by_tick);
  std::sort(got.begin(), got.end(), by_tick);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace spindle::test
