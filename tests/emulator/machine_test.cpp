// Named machine shapes and dead chips, cores and links.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "machine/machine.h"

namespace spindle::emu {
namespace {

TEST(MachineShapes, NamedShapesHaveTheRightChips) {
  EXPECT_EQ(machine_from_shape("1").alive_chips().size(), 1u);
  EXPECT_EQ(machine_from_shape("single").alive_chips().size(), 1u);
  const MachineDescription m22 = machine_from_shape("2x2");
  EXPECT_EQ(m22.alive_chips().size(), 4u);
  EXPECT_TRUE(m22.mesh.wrap);
  const MachineDescription board = machine_from_shape("48");
  EXPECT_EQ(board.alive_chips().size(), 48u);
  EXPECT_EQ(board.mesh.chip_count(), 64u);
  EXPECT_FALSE(board.mesh.wrap);
  EXPECT_EQ(machine_from_shape("spinn5").alive_chips().size(), 48u);
  EXPECT_EQ(board.application_core_count(), 48u * 17u);
  const MachineDescription b11 = machine_from_shape("boards:1x1");
  EXPECT_EQ(b11.alive_chips().size(), 144u);
  EXPECT_TRUE(b11.mesh.wrap);
  EXPECT_EQ(machine_from_shape("boards:2x3").alive_chips().size(), 144u * 6u);
  const MachineDescription t = machine_from_shape("torus:5x7");
  EXPECT_EQ(t.mesh.width, 5u);
  EXPECT_EQ(t.mesh.height, 7u);
  EXPECT_TRUE(t.mesh.wrap);
  const MachineDescription mesh = machine_from_shape("mesh:3x4");
  EXPECT_EQ(mesh.alive_chips().size(), 12u);
  EXPECT_FALSE(mesh.mesh.wrap);
}

TEST(MachineShapes, Spinn5Hexagon) {
  // The 48-chip board: rows 0-3 hold x = 0..4+y, rows 4-7 hold x = y-3..7 (5+6+7+8+7+6+5+4).
  const uint32_t row_len[8] = {5, 6, 7, 8, 7, 6, 5, 4};
  for (uint32_t y = 0; y < 8; ++y) {
    uint32_t n = 0;
    for (uint32_t x = 0; x < 8; ++x) n += in_spinn5_hexagon({x, y}) ? 1 : 0;
    EXPECT_EQ(n, row_len[y]) << "row " << y;
  }
  const MachineDescription board = machine_from_shape("48");
  // Links out of the hexagon do not work; links inside do.
  EXPECT_FALSE(board.link_alive({4, 0}, Link::kEast));      // (5,0) is outside
  EXPECT_TRUE(board.link_alive({4, 0}, Link::kNorthEast));  // (5,1) is inside
  EXPECT_FALSE(board.link_alive({0, 0}, Link::kWest));      // off the grid
  EXPECT_FALSE(board.chip_alive({7, 0}));
}

TEST(MachineShapes, BadShapesGiveClearErrors) {
  for (const char* bad : {"", "3", "3x3", "torus:", "torus:0x2", "torus:2x", "mesh:axb", "torus:2x2x",
                          "boards:1x", "boards:0x1", "board:1x1", "torus:-1x2", "mesh:2x2 "}) {
    try {
      machine_from_shape(bad);
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const std::invalid_argument& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("unknown machine shape"), std::string::npos) << msg;
      EXPECT_NE(msg.find("torus:WxH"), std::string::npos) << msg;  // says what is accepted
    }
  }
}

TEST(MachineShapes, DeadChipsCoresAndLinks) {
  MachineDescription m = machine_from_shape("torus:4x4");
  m.dead_chips.push_back({1, 1});
  m.dead_cores.push_back({{2, 2}, 5});
  m.dead_links.push_back({{0, 0}, Link::kNorth});
  EXPECT_FALSE(m.chip_alive({1, 1}));
  EXPECT_EQ(m.alive_chips().size(), 15u);
  EXPECT_FALSE(m.core_alive({1, 1}, 3));  // cores of a dead chip are dead
  EXPECT_FALSE(m.core_alive({2, 2}, 5));
  EXPECT_TRUE(m.core_alive({2, 2}, 4));
  EXPECT_FALSE(m.core_alive({2, 2}, 18));  // no such core
  const auto app = m.application_cores({2, 2});
  EXPECT_EQ(app.size(), 16u);
  EXPECT_EQ(app.front(), 1u);  // never the monitor
  EXPECT_EQ(m.application_core_count(), 14u * 17u + 16u);
  // Links to a dead chip are dead from both sides.
  EXPECT_FALSE(m.link_alive({0, 0}, Link::kNorthEast));
  EXPECT_FALSE(m.link_alive({1, 2}, Link::kSouth));
  EXPECT_FALSE(m.link_alive({1, 1}, Link::kEast));
  // A dead link is dead in both directions; its neighbours are not.
  EXPECT_FALSE(m.link_alive({0, 0}, Link::kNorth));
  EXPECT_FALSE(m.link_alive({0, 1}, Link::kSouth));
  EXPECT_TRUE(m.link_alive({0, 0}, Link::kEast));
  EXPECT_TRUE(m.link_alive({0, 1}, Link::kNorth));
}

}  // namespace
}  // namespace spindle::emu
