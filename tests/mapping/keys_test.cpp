#include "mapping/keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "mapping_test_util.h"

namespace spindle::host {
namespace {

using test::arm_machine;
using test::population;

const emu::MachineDescription kMachine = arm_machine("48");  // slices of up to 256

void expect_disjoint(const Partition& p, const KeyAllocation& k) {
  ASSERT_EQ(k.keys.size(), p.slices.size());
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (size_t s = 0; s < p.slices.size(); ++s) {
    const SliceKey& key = k.keys[s];
    EXPECT_EQ(key.base & ~key.mask, 0u) << "base has atom bits set";
    EXPECT_EQ((p.slices[s].n_atoms - 1) & key.mask, 0u) << "neuron indices do not fit the atom field";
    ranges.push_back({key.base, uint64_t(key.base) + p.slices[s].n_atoms});
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) EXPECT_LE(ranges[i - 1].second, ranges[i].first) << "key ranges overlap";
  // As routing entries (key, mask) no two slices share a key.
  for (size_t a = 0; a < k.keys.size(); ++a)
    for (size_t b = a + 1; b < k.keys.size(); ++b)
      EXPECT_NE((k.keys[a].base ^ k.keys[b].base) & k.keys[a].mask & k.keys[b].mask, 0u) << a << " vs " << b;
}

TEST(Keys, FieldsSizedToTheLargestValue) {
  ApplicationGraph g;
  for (uint32_t i = 0; i < 5; ++i) g.vertices.push_back(population("p" + std::to_string(i), 100 + 400 * i));
  const Partition p = partition(g, kMachine);
  const KeyAllocation k = allocate_keys(g, p);
  EXPECT_EQ(k.layout.vertex_bits, 3u);  // 5 vertices
  EXPECT_EQ(k.layout.slice_bits, 3u);   // 1700 neurons: 7 slices
  EXPECT_EQ(k.layout.atom_bits, 8u);    // slices of up to 256
  // Spike key of neuron 5 of slice 2 of vertex 4.
  const uint32_t s = p.first_slice[4] + 2;
  EXPECT_EQ(k.keys[s].base | 5u, (4u << 11) | (2u << 8) | 5u);
  EXPECT_EQ(k.keys[s].mask, 0xFFFFFF00u);
  expect_disjoint(p, k);
}

TEST(Keys, NoOverlapsOnManyPopulations) {
  ApplicationGraph g;
  for (uint32_t i = 0; i < 80; ++i) g.vertices.push_back(population("p" + std::to_string(i), 1 + (i * 7919) % 3000));
  const Partition p = partition(g, kMachine);
  const KeyAllocation k = allocate_keys(g, p);
  expect_disjoint(p, k);
  // All slices of a vertex share the vertex prefix.
  for (size_t s = 0; s < p.slices.size(); ++s) EXPECT_EQ(k.keys[s].base >> k.layout.vertex_shift(), p.slices[s].vertex);
}

TEST(Keys, SmallSlicesGetNarrowAtomField) {
  ApplicationGraph g;
  g.vertices.push_back(population("a", 3));
  g.vertices.push_back(population("b", 1));
  const Partition p = partition(g, kMachine);
  const KeyAllocation k = allocate_keys(g, p);
  EXPECT_EQ(k.layout.atom_bits, 2u);
  EXPECT_EQ(k.layout.slice_bits, 0u);
  EXPECT_EQ(k.layout.vertex_bits, 1u);
  EXPECT_EQ(k.keys[1].base, 4u);
  expect_disjoint(p, k);
}

TEST(Keys, ErrorWhenFieldsExceed32Bits) {
  // 8192 vertices (13 bits), one of them with 4096 slices (12 bits), 256 atoms (8 bits): 33 bits.
  ApplicationGraph g;
  Partition p;
  for (uint32_t v = 0; v < 8192; ++v) {
    g.vertices.push_back(population("v", 256));
    p.first_slice.push_back(uint32_t(p.slices.size()));
    const uint32_t n = v == 0 ? 4096 : 1;
    for (uint32_t s = 0; s < n; ++s) p.slices.push_back(Slice{v, s, s * 256, 256, {}});
  }
  p.first_slice.push_back(uint32_t(p.slices.size()));
  try {
    allocate_keys(g, p);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("33 bits"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace spindle::host
