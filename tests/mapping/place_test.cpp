#include "mapping/place.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "mapping_test_util.h"

namespace spindle::host {
namespace {

using test::arm_machine;
using test::population;
using test::projection;

void expect_valid(const emu::MachineDescription& m, const std::vector<Placement>& pl) {
  std::set<std::pair<uint32_t, uint32_t>> used;
  for (const Placement& p : pl) {
    EXPECT_NE(p.core, emu::kMonitorCore);
    EXPECT_TRUE(m.core_alive(p.chip, p.core)) << p.chip.x << "," << p.chip.y << "," << p.core;
    EXPECT_TRUE(used.insert({m.mesh.index(p.chip), p.core}).second) << "core used twice";
  }
}

TEST(Place, DistinctAliveApplicationCores) {
  ApplicationGraph g;
  g.vertices.push_back(population("a", 5000));
  g.vertices.push_back(population("b", 3000));
  g.edges.push_back(projection(0, 1, 1e5));
  emu::MachineDescription m = emu::machine_from_shape("2x2");
  m.dead_chips.push_back({1, 0});
  m.dead_cores.push_back({{0, 0}, 3});
  const Partition p = partition(g, m);
  const auto pl = place(g, p, m);
  ASSERT_EQ(pl.size(), p.slices.size());
  expect_valid(m, pl);
}

TEST(Place, FillsChipsInNeighbourOrder) {
  const emu::MachineDescription m = emu::machine_from_shape("torus:4x4");
  const auto order = chip_fill_order(m);
  ASSERT_EQ(order.size(), 16u);
  // Breadth-first: hop distance from the first chip never decreases.
  for (size_t i = 1; i < order.size(); ++i)
    EXPECT_LE(m.mesh.hop_distance(order[0], order[i - 1]), m.mesh.hop_distance(order[0], order[i]));
}

TEST(Place, ConnectedPopulationsAreConsecutive) {
  ApplicationGraph g;
  for (int i = 0; i < 3; ++i) g.vertices.push_back(population("p" + std::to_string(i), 10));
  g.edges.push_back(projection(0, 2, 10));  // 1 is unconnected: placed after 0 and 2
  const emu::MachineDescription m = emu::machine_from_shape("1");
  const auto pl = place(g, partition(g, m), m);
  EXPECT_EQ(pl[0].core, 1u);
  EXPECT_EQ(pl[2].core, 2u);
  EXPECT_EQ(pl[1].core, 3u);
}

TEST(Place, DeterministicForASeed) {
  ApplicationGraph g;
  for (uint32_t i = 0; i < 12; ++i) g.vertices.push_back(population("p" + std::to_string(i), 500));
  for (uint32_t i = 0; i < 12; ++i) g.edges.push_back(projection(i, (i * 5 + 3) % 12, 1e4));
  const emu::MachineDescription m = emu::machine_from_shape("48");
  const Partition p = partition(g, m);
  for (uint64_t seed : {0ull, 7ull}) {
    const auto a = place(g, p, m, {seed}), b = place(g, p, m, {seed});
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].chip, b[i].chip);
      EXPECT_EQ(a[i].core, b[i].core);
    }
    expect_valid(m, a);
  }
}

TEST(Place, TooSmallMachineSaysHowManyCores) {
  ApplicationGraph g;
  g.vertices.push_back(population("a", 20 * 256));  // 20 slices
  emu::MachineDescription m = arm_machine("1");  // 17 application cores
  try {
    place(g, partition(g, m), m);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("needs 20 application cores"), std::string::npos) << msg;
    EXPECT_NE(msg.find("has 17 alive application cores"), std::string::npos) << msg;
  }
  m.dead_cores.push_back({{0, 0}, 5});
  g.vertices[0].n_atoms = 17 * 256;
  EXPECT_THROW(place(g, partition(g, m), m), std::runtime_error);
}

}  // namespace
}  // namespace spindle::host
