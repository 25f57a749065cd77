// Host synaptic matrix builder: field widths from the core's sizes, the
// per-type weight scale (16 significant bits, error <= half an ulp of the
// scale), rows and table, merging of blocks, neuromodulated plastic rows,
// and errors that name the offending block and synapse.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "image/synaptic_matrix.h"
#include "support/test_images.h"
#include "synapse/plasticity/plastic_row.h"

namespace spindle::host {
namespace {

using test::Gen32;
using testing::AllOf;
using testing::HasSubstr;

IncomingBlock block(uint32_t key, uint32_t n_sources, std::vector<SynapseSpec> synapses) {
  IncomingBlock b;
  b.key = key;
  b.mask = slice_key_mask(n_sources);
  b.n_sources = n_sources;
  b.synapses = std::move(synapses);
  return b;
}

// Decoded synapse: (source, target, delay, type, raw weight) per block key.
using Decoded = std::tuple<uint32_t, uint32_t, uint32_t, uint32_t, uint32_t>;
std::map<uint32_t, std::vector<Decoded>> decode(const SynapticMatrix& m) {
  std::map<uint32_t, std::vector<Decoded>> out;
  for (const auto& e : m.table) {
    for (uint32_t r = 0; r < e.n_rows; ++r) {
      const uint32_t begin = m.words.at(e.row_offsets + r), end = m.words.at(e.row_offsets + r + 1);
      EXPECT_LE(begin, end);
      for (uint32_t k = begin; k < end; ++k) {
        const uint32_t w = m.words.at(k);
        out[e.key].emplace_back(r, m.layout.index(w), m.layout.delay(w), m.layout.type(w), fw::SynapticWordLayout::weight(w));
      }
    }
  }
  return out;
}

TEST(BitsFor, Values) {
  EXPECT_EQ(bits_for(0), 0u);
  EXPECT_EQ(bits_for(1), 0u);
  EXPECT_EQ(bits_for(2), 1u);
  EXPECT_EQ(bits_for(3), 2u);
  EXPECT_EQ(bits_for(4), 2u);
  EXPECT_EQ(bits_for(5), 3u);
  EXPECT_EQ(bits_for(256), 8u);
  EXPECT_EQ(bits_for(257), 9u);
  EXPECT_EQ(bits_for(0x80000000u), 31u);
  EXPECT_EQ(bits_for(0x80000001u), 32u);
  EXPECT_EQ(bits_for(UINT32_MAX), 32u);
}

TEST(SynapticMatrix, LayoutBitsChosenFromSizes) {
  struct Case {
    uint32_t n_neurons, n_types, max_delay;
    uint32_t index_bits, type_bits, delay_bits, ring_slots;
  };
  const Case cases[] = {
      {100, 2, 5, 7, 1, 3, 8},   {1, 1, 1, 0, 0, 1, 2},     {256, 2, 1, 8, 1, 1, 2},  {256, 2, 3, 8, 1, 2, 4},
      {256, 2, 7, 8, 1, 3, 8},   {256, 2, 15, 8, 1, 4, 16}, {32, 4, 63, 5, 2, 6, 64}, {20, 2, 7, 5, 1, 3, 8},
      {3, 3, 8, 2, 2, 4, 16},    {2, 2, 2, 1, 1, 2, 4},     {64, 1, 16, 6, 0, 5, 32},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << c.n_neurons << " neurons, " << c.n_types << " types, delay " << c.max_delay);
    std::vector<SynapseSpec> syn = {{0, c.n_neurons - 1, 0.5, c.max_delay, c.n_types - 1}, {0, 0, 0.25, 1, 0}};
    const SynapticMatrix m = build_synaptic_matrix({block(0x10000, 1, syn)}, c.n_neurons, c.n_types);
    EXPECT_EQ(m.layout.index_bits, c.index_bits);
    EXPECT_EQ(m.layout.type_bits, c.type_bits);
    EXPECT_EQ(m.layout.delay_bits, c.delay_bits);
    EXPECT_EQ(m.ring_slots, c.ring_slots);
    EXPECT_TRUE(fw::SynapticWordLayout::valid(m.layout.index_bits, m.layout.type_bits, m.layout.delay_bits));
    EXPECT_LE(uint64_t{m.ring_slots} << (m.layout.index_bits + m.layout.type_bits), fw::kRingBufferWords);
  }
  // No synapses at all: the smallest ring that holds delay 1.
  const SynapticMatrix empty = build_synaptic_matrix({}, 10, 2);
  EXPECT_EQ(empty.layout.delay_bits, 1u);
  EXPECT_EQ(empty.ring_slots, 2u);
  EXPECT_TRUE(empty.table.empty());
  EXPECT_TRUE(empty.words.empty());
}

TEST(SynapticMatrix, WeightScaleKeeps16BitsAndHalfUlpError) {
  Gen32 rng(21);
  std::uniform_real_distribution<double> log10w(-4.0, 4.0), frac(0.0, 1.0);
  for (int trial = 0; trial < 500; ++trial) {
    const double max0 = std::pow(10.0, log10w(rng)), max1 = std::pow(10.0, log10w(rng));
    std::vector<SynapseSpec> syn;
    for (uint32_t i = 0; i < 40; ++i) {
      const uint32_t type = i % 2;
      const double top = type == 0 ? max0 : max1;
      double w = i < 2 ? top : top * frac(rng);
      if (i % 5 == 0) w = -w;  // the sign is ignored: the type decides it
      syn.push_back({i % 4, i % 8, w, 1 + i % 3, type});
    }
    QuantizationReport report;
    const SynapticMatrix m = build_synaptic_matrix({block(0x20000, 4, syn)}, 8, 2, &report);
    ASSERT_EQ(report.entries.size(), syn.size());
    EXPECT_FALSE(report.any_clamped());
    for (uint32_t type = 0; type < 2; ++type) {
      const int f = 15 - m.weight_shift[type];  // fractional bits of the 16-bit weight
      const double half_ulp = std::ldexp(0.5, -f);
      for (size_t i = 0; i < syn.size(); ++i) {
        if (syn[i].type != type) continue;
        const QuantizationEntry& e = report.entries[i];
        EXPECT_EQ(e.value, std::fabs(syn[i].weight));
        EXPECT_LE(e.abs_error(), half_ulp) << "weight " << syn[i].weight;
      }
    }
    // The largest weight of each type uses the 16th bit: raw in [2^15, 2^16).
    std::map<uint32_t, uint32_t> max_raw;
    for (const auto& [key, ds] : decode(m))
      for (const auto& d : ds) max_raw[std::get<3>(d)] = std::max(max_raw[std::get<3>(d)], std::get<4>(d));
    for (uint32_t type = 0; type < 2; ++type) {
      EXPECT_GE(max_raw[type], 32768u) << "type " << type << " max " << (type ? max1 : max0);
      EXPECT_LE(max_raw[type], 65535u);
    }
    // The core sees raw x 2^shift in s16.15, i.e. raw x 2^(shift - 15): the
    // quantized value the report states.
    const auto decoded = decode(m).at(0x20000);
    for (const auto& d : decoded) {
      const double core_value = std::ldexp(static_cast<double>(std::get<4>(d)), m.weight_shift[std::get<3>(d)] - 15);
      bool matched = false;
      for (size_t i = 0; i < syn.size() && !matched; ++i)
        matched = syn[i].type == std::get<3>(d) && report.entries[i].quantized == core_value;
      EXPECT_TRUE(matched) << "decoded weight " << core_value;
    }
  }
  // A type nothing uses keeps the neutral scale.
  const SynapticMatrix m = build_synaptic_matrix({block(0x20000, 1, {{0, 0, 0.3, 1, 0}})}, 4, 2);
  EXPECT_EQ(m.weight_shift[1], 0);
  EXPECT_EQ(m.weight_shift[3], 0);
}

// A conductance receptor (IF_cond_exp) holds its state in units of 2^-10 uS:
// the weights are scaled by 2^10 before the 16-bit weight and the shift are
// chosen, so the core's s16.15 input is 1024 x the weight with 16 significant
// bits; the report stays in uS.
TEST(SynapticMatrix, ReceptorUnitShiftScalesWeights) {
  const std::array<int32_t, fw::kMaxSynapseTypes> cond = receptor_unit_shifts(fw::ModelId::kIfCondExp);
  EXPECT_EQ(cond, (std::array<int32_t, fw::kMaxSynapseTypes>{10, 10, 0, 0}));
  EXPECT_EQ(receptor_unit_shifts(fw::ModelId::kIfCurrExp), (std::array<int32_t, fw::kMaxSynapseTypes>{8, 8, 0, 0}));
  EXPECT_EQ(receptor_unit_shifts(fw::ModelId::kIzhikevich), (std::array<int32_t, fw::kMaxSynapseTypes>{6, 6, 0, 0}));
  EXPECT_EQ(receptor_unit_shifts(fw::ModelId::kIfNonLeakyDelta), (std::array<int32_t, fw::kMaxSynapseTypes>{}));
  EXPECT_THROW(receptor_unit_shifts(fw::ModelId::kNone), std::invalid_argument);
  const std::vector<SynapseSpec> syn = {{0, 0, 0.015, 1, 0}, {0, 1, 0.02, 1, 1}};
  QuantizationReport plain_report, cond_report;
  const SynapticMatrix plain = build_synaptic_matrix({block(0x10000, 1, syn)}, 2, 2, &plain_report);
  const SynapticMatrix scaled = build_synaptic_matrix({block(0x10000, 1, syn)}, 2, 2, &cond_report, cond);
  EXPECT_EQ(scaled.unit_shift, cond);
  EXPECT_EQ(plain.weight_shift[0], 15 - 22);                                  // f = 22 for 0.015
  EXPECT_EQ(scaled.weight_shift[0], 15 - 12);                                 // f = 12 for 15.36
  EXPECT_EQ(scaled.weight_shift[1], 15 - 11);                                 // f = 11 for 20.48
  EXPECT_EQ(scaled.words, plain.words);  // the same 16-bit weights: only the shifts differ...
  EXPECT_EQ(scaled.weight_shift[0], plain.weight_shift[0] + 10);  // ...by the unit shift
  ASSERT_EQ(cond_report.entries.size(), 2u);
  for (const auto& e : cond_report.entries) EXPECT_LE(e.abs_error() / e.value, 1.2e-5);
  EXPECT_THROW(build_synaptic_matrix({block(0x10000, 1, syn)}, 2, 2, nullptr, {16, 0, 0, 0}), std::invalid_argument);
  EXPECT_THROW(build_synaptic_matrix({block(0x10000, 1, syn)}, 2, 2, nullptr, {-1, 0, 0, 0}), std::invalid_argument);
}

TEST(SynapticMatrix, ExtremeWeightsAreClampedAndReported) {
  QuantizationReport report;
  const SynapticMatrix m =
      build_synaptic_matrix({block(0x10000, 1, {{0, 0, 1e12, 1, 0}, {0, 1, 1e-30, 1, 1}})}, 2, 2, &report);
  EXPECT_EQ(m.weight_shift[0], 31);   // the largest shift the core accepts
  EXPECT_EQ(m.weight_shift[1], -31);  // the smallest
  ASSERT_EQ(report.entries.size(), 2u);
  EXPECT_TRUE(report.entries[0].clamped);  // 1e12 does not fit 16 bits x 2^16
  EXPECT_EQ(report.entries[0].quantized, std::ldexp(65535.0, 16));
  EXPECT_FALSE(report.entries[1].clamped);
  EXPECT_LE(report.entries[1].abs_error(), std::ldexp(0.5, -46));
}

// A finite weight whose receptor units overflow double (1e306 x 2^10) is
// clamped like any other too large for 16 bits; choosing its shift took
// the log of 65535 / inf and converted -inf to int, which is undefined
// (found by the daemon fuzz target).
TEST(SynapticMatrix, WeightPastDoubleRangeInStateUnitsIsClamped) {
  QuantizationReport report;
  const SynapticMatrix m =
      build_synaptic_matrix({block(0x10000, 1, {{0, 0, 1e306, 1, 0}})}, 2, 2, &report, {10, 10, 0, 0});
  EXPECT_EQ(m.weight_shift[0], 31);
  ASSERT_EQ(report.entries.size(), 1u);
  EXPECT_TRUE(report.entries[0].clamped);
}

TEST(SynapticMatrix, RowsHoldEverySynapseInCanonicalOrder) {
  Gen32 rng(4);
  std::vector<IncomingBlock> blocks = {test::random_block(rng, 0x30000, 40, 20, 0.3, 0.1, 1.0, 6),
                                       test::random_block(rng, 0x10000, 7, 20, 0.6, 0.1, 2.0, 3),
                                       test::random_block(rng, 0x20000, 16, 20, 0.0, 0.1, 1.0, 3)};  // no synapses
  const SynapticMatrix m = build_synaptic_matrix(blocks, 20, 2);
  ASSERT_EQ(m.table.size(), 3u);
  EXPECT_EQ(m.table[0].key, 0x10000u);  // sorted by key
  EXPECT_EQ(m.table[1].key, 0x20000u);
  EXPECT_EQ(m.table[2].key, 0x30000u);
  // Unpadded: each entry's n_rows + 1 offsets, then exactly its synapses,
  // entries back to back; every word of the matrix is an offset or a synapse.
  uint32_t next = 0;
  for (size_t i = 0; i < m.table.size(); ++i) {
    const auto& e = m.table[i];
    EXPECT_EQ(e.row_offsets, next);
    EXPECT_EQ(m.words.at(e.row_offsets), e.row_offsets + e.n_rows + 1) << "rows start right after the offsets";
    for (uint32_t r = 0; r < e.n_rows; ++r) EXPECT_LE(m.words.at(e.row_offsets + r), m.words.at(e.row_offsets + r + 1));
    next = m.words.at(e.row_offsets + e.n_rows);
    EXPECT_EQ(e.key & ~e.mask, 0u);
  }
  EXPECT_EQ(next, m.words.size());
  size_t n_synapses = 0;
  for (const IncomingBlock& b : blocks) n_synapses += b.synapses.size();
  size_t n_offsets = 0;
  for (const auto& e : m.table) n_offsets += e.n_rows + 1;
  EXPECT_EQ(m.words.size(), n_offsets + n_synapses);
  EXPECT_EQ(m.table[1].n_rows, 16u);  // no synapses: 16 empty rows, just the offsets
  EXPECT_EQ(m.words.at(m.table[1].row_offsets), m.words.at(m.table[1].row_offsets + 16));

  const auto decoded = decode(m);
  for (const IncomingBlock& b : blocks) {
    std::vector<Decoded> want;
    for (const SynapseSpec& s : b.synapses) want.emplace_back(s.source, s.target, s.delay_ticks, s.type, 0);
    std::vector<Decoded> got;
    if (decoded.count(b.key))
      for (auto d : decoded.at(b.key)) {
        std::get<4>(d) = 0;  // weights checked elsewhere
        got.push_back(d);
      }
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want) << "block " << b.key;
  }
  // Each row is sorted by word, so input order does not matter.
  for (const auto& e : m.table)
    for (uint32_t r = 0; r < e.n_rows; ++r) {
      const auto words = m.words.begin();
      EXPECT_TRUE(std::is_sorted(words + m.words[e.row_offsets + r], words + m.words[e.row_offsets + r + 1]));
    }
}

TEST(SynapticMatrix, StorageIsReusedAndDoesNotChangeTheMatrix) {
  Gen32 rng(8);
  const std::vector<IncomingBlock> blocks = {test::random_block(rng, 0x30000, 40, 20, 0.3, 0.1, 1.0, 6),
                                             test::random_block(rng, 0x10000, 7, 20, 0.6, 0.1, 2.0, 3)};
  const SynapticMatrix fresh = build_synaptic_matrix(blocks, 20, 2);
  // Storage holding an earlier, larger matrix's words (stale values included).
  std::vector<uint32_t> storage(fresh.words.size() * 3, 0xDEADBEEFu);
  const uint32_t* memory = storage.data();
  const SynapticMatrix reused = build_synaptic_matrix(blocks, 20, 2, nullptr, {}, nullptr, std::move(storage));
  EXPECT_EQ(reused.words, fresh.words);
  EXPECT_EQ(reused.words.data(), memory);
}

TEST(SynapticMatrix, BlocksWithTheSameKeyAreMerged) {
  const IncomingBlock exc = block(0x40000, 4, {{0, 1, 0.5, 2, 0}, {3, 2, 0.5, 1, 0}});
  const IncomingBlock inh = block(0x40000, 4, {{0, 3, 0.7, 1, 1}, {2, 0, 0.7, 4, 1}});
  const IncomingBlock other = block(0x10000, 2, {{1, 1, 0.1, 1, 0}});
  const SynapticMatrix m = build_synaptic_matrix({exc, other, inh}, 4, 2);
  ASSERT_EQ(m.table.size(), 2u);
  EXPECT_EQ(m.table[1].key, 0x40000u);
  EXPECT_EQ(m.table[1].n_rows, 4u);
  auto got = decode(m).at(0x40000);
  EXPECT_EQ(got.size(), 4u);
  // The same synapses in one block, or merged in another order, give the same matrix.
  IncomingBlock both = exc;
  both.synapses.insert(both.synapses.end(), inh.synapses.begin(), inh.synapses.end());
  const SynapticMatrix one = build_synaptic_matrix({other, both}, 4, 2);
  const SynapticMatrix swapped = build_synaptic_matrix({inh, exc, other}, 4, 2);
  EXPECT_EQ(one.words, m.words);
  EXPECT_EQ(swapped.words, m.words);

  IncomingBlock wrong_mask = inh;
  wrong_mask.mask = 0xFFFFFFF0;
  EXPECT_THAT([&] { build_synaptic_matrix({exc, wrong_mask}, 4, 2); },
              testing::ThrowsMessage<std::invalid_argument>(AllOf(HasSubstr("0x40000"), HasSubstr("disagree"))));
  IncomingBlock wrong_size = inh;
  wrong_size.n_sources = 3;
  EXPECT_THROW(build_synaptic_matrix({exc, wrong_size}, 4, 2), std::invalid_argument);
}

TEST(SynapticMatrix, ErrorsNameTheBlockAndSynapse) {
  auto throws = [](std::vector<IncomingBlock> blocks, uint32_t n, uint32_t types) {
    return [bs = std::move(blocks), n, types] { build_synaptic_matrix(bs, n, types); };
  };
  using testing::ThrowsMessage;
  const std::vector<SynapseSpec> ok = {{0, 0, 0.1, 1, 0}, {1, 1, 0.1, 2, 0}, {0, 2, 0.1, 3, 1}};
  auto with = [&](SynapseSpec bad) {
    std::vector<SynapseSpec> s = ok;
    s.push_back(bad);  // synapse 3
    return std::vector<IncomingBlock>{block(0x10000, 2, ok), block(0xABC00, 2, s)};
  };
  EXPECT_THAT(throws(with({0, 0, 0.1, 0, 0}), 8, 2),
              ThrowsMessage<std::invalid_argument>(
                  AllOf(HasSubstr("0xabc00"), HasSubstr("synapse 3"), HasSubstr("delay must be >= 1"))));
  EXPECT_THAT(throws(with({0, 8, 0.1, 1, 0}), 8, 2),
              ThrowsMessage<std::invalid_argument>(
                  AllOf(HasSubstr("0xabc00"), HasSubstr("synapse 3"), HasSubstr("target out of range"))));
  EXPECT_THAT(throws(with({2, 0, 0.1, 1, 0}), 8, 2),
              ThrowsMessage<std::invalid_argument>(AllOf(HasSubstr("synapse 3"), HasSubstr("source out of range"))));
  EXPECT_THAT(throws(with({0, 0, 0.1, 1, 2}), 8, 2),
              ThrowsMessage<std::invalid_argument>(AllOf(HasSubstr("synapse 3"), HasSubstr("type out of range"))));
  EXPECT_THAT(throws(with({0, 0, std::nan(""), 1, 0}), 8, 2),
              ThrowsMessage<std::invalid_argument>(AllOf(HasSubstr("synapse 3"), HasSubstr("not finite"))));
  EXPECT_THAT(throws(with({0, 0, INFINITY, 1, 0}), 8, 2),
              ThrowsMessage<std::invalid_argument>(HasSubstr("not finite")));
  // Too long for the ring buffer of this core size.
  EXPECT_THAT(throws(with({0, 0, 0.1, 100, 0}), 256, 2),
              ThrowsMessage<std::invalid_argument>(AllOf(HasSubstr("delay of 100 ticks"), HasSubstr("256-neuron"))));
  EXPECT_THAT(throws(with({0, 0, 0.1, 16, 0}), 256, 2), ThrowsMessage<std::invalid_argument>(HasSubstr("delay of 16")));
  EXPECT_NO_THROW(build_synaptic_matrix(with({0, 0, 0.1, 15, 0}), 256, 2));
  EXPECT_THAT(throws(with({0, 0, 0.1, 64, 0}), 8, 2), ThrowsMessage<std::invalid_argument>(HasSubstr("delay of 64")));
  EXPECT_NO_THROW(build_synaptic_matrix(with({0, 0, 0.1, 63, 0}), 8, 2));
  EXPECT_THROW(build_synaptic_matrix(with({0, 0, 0.1, 1, 0}), 8, 0), std::invalid_argument);
  EXPECT_THROW(build_synaptic_matrix(with({0, 0, 0.1, 1, 0}), 8, fw::kMaxSynapseTypes + 1), std::invalid_argument);
}

// A neuromodulated plastic block's rows are plastic rows (the same words,
// in the same place) followed by a zero eligibility trace and the weight
// with 11 fraction bits per synapse; reward and punishment synapses
// (types 2 and 3) are static words with their own weight scales.
TEST(SynapticMatrix, NeuromodulatedRowsCarryEligibilityAndWeightState) {
  Gen32 rng(17);
  IncomingBlock plastic = test::random_block(rng, 0x10000, 12, 20, 0.4, 0.1, 0.8, 4, 1);
  plastic.plastic = true;
  plastic.neuromodulated = true;
  const IncomingBlock reward = block(0x20000, 3, {{0, 1, 0.5, 1, 2}, {2, 3, 0.25, 1, 2}});
  const IncomingBlock punishment = block(0x20000, 3, {{1, 5, 2.0, 1, 3}});
  const SynapticMatrix m = build_synaptic_matrix({plastic, reward, punishment}, 20, 4);
  EXPECT_TRUE(m.neuromodulated);
  EXPECT_EQ(m.layout.type_bits, 2u);
  // Reward and punishment: per-type scales as any receptor's (16 bits for
  // the largest weight), shifts back to s16.15.
  EXPECT_EQ(m.scale[2], 65536.0);  // 0.5 x 2^16 = 32768
  EXPECT_EQ(m.weight_shift[2], -1);
  EXPECT_EQ(m.scale[3], 16384.0);  // 2.0 x 2^14 = 32768
  EXPECT_EQ(m.weight_shift[3], 1);
  const auto got = decode(m).at(0x20000);
  EXPECT_THAT(got, testing::UnorderedElementsAre(Decoded{0, 1, 1, 2, 32768}, Decoded{2, 3, 1, 2, 16384},
                                                 Decoded{1, 5, 1, 3, 32768}));

  IncomingBlock plain_block = plastic;
  plain_block.neuromodulated = false;
  const SynapticMatrix plain = build_synaptic_matrix({plain_block, reward, punishment}, 20, 4);
  EXPECT_FALSE(plain.neuromodulated);
  EXPECT_EQ(plain.plastic_order, m.plastic_order);
  ASSERT_EQ(m.plastic_table.size(), 1u);
  const fw::image::PopulationTableEntry& e = m.plastic_table[0];
  const fw::image::PopulationTableEntry& pe = plain.plastic_table[0];
  uint32_t synapses = 0;
  for (uint32_t r = 0; r < e.n_rows; ++r) {
    const uint32_t at = m.plastic_words.at(e.row_offsets + r), end = m.plastic_words.at(e.row_offsets + r + 1);
    const uint32_t plain_at = plain.plastic_words.at(pe.row_offsets + r);
    if (at == end) continue;
    const uint32_t count = m.plastic_words.at(at + 3);
    synapses += count;
    ASSERT_EQ(end - at, fw::stdp::neuromodulated_row_words(count)) << "row " << r;
    // The plastic part is the plain row, word for word.
    for (uint32_t k = 0; k < fw::stdp::plastic_row_words(count); ++k)
      EXPECT_EQ(m.plastic_words.at(at + k), plain.plastic_words.at(plain_at + k)) << "row " << r << " word " << k;
    const fw::stdp::NeuromodulatedRow row = fw::stdp::NeuromodulatedRow::of(
        const_cast<uint32_t*>(m.plastic_words.data()) + at, count);
    for (uint32_t k = 0; k < count; ++k) {
      EXPECT_EQ(row.eligibility[k], 0);
      EXPECT_EQ(row.weight_state[k], uint32_t{row.weights[k]} << fw::stdp::kWeightStateFracBits);
    }
  }
  EXPECT_EQ(synapses, plastic.synapses.size());
  EXPECT_EQ(m.plastic_words.size() - plain.plastic_words.size(), 2 * synapses);

  // A core's plastic rows are all neuromodulated or none.
  IncomingBlock other = test::random_block(rng, 0x30000, 4, 20, 0.5, 0.1, 0.8, 2, 1);
  other.plastic = true;
  EXPECT_THAT([&] { build_synaptic_matrix({plastic, other}, 20, 4); },
              testing::ThrowsMessage<std::invalid_argument>(HasSubstr("disagree on neuromodulation")));
}

}  // namespace
}  // namespace spindle::host
