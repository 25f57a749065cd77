// Links and neighbours of the triangular mesh, and hop_distance checked
// against a breadth-first search over the mesh itself.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "machine/geometry.h"

namespace spindle::emu {
namespace {

TEST(Geometry, OppositeAndTriangle) {
  for (Link l : kAllLinks) {
    EXPECT_EQ(opposite(opposite(l)), l);
    EXPECT_NE(opposite(l), l);
    const LinkDelta d = link_delta(l), o = link_delta(opposite(l));
    EXPECT_EQ(d.dx, -o.dx);
    EXPECT_EQ(d.dy, -o.dy);
    // Going next_link(l) then prev_link(l) lands where l goes.
    const LinkDelta a = link_delta(next_link(l)), b = link_delta(prev_link(l));
    EXPECT_EQ(a.dx + b.dx, d.dx) << link_name(l);
    EXPECT_EQ(a.dy + b.dy, d.dy) << link_name(l);
  }
  EXPECT_EQ(opposite(Link::kEast), Link::kWest);
  EXPECT_EQ(opposite(Link::kNorthEast), Link::kSouthWest);
  EXPECT_EQ(opposite(Link::kNorth), Link::kSouth);
  EXPECT_EQ(link_name(Link::kSouthWest), "SW");
}

TEST(Geometry, NeighbourOnTorusAndMesh) {
  const MeshShape torus{4, 3, true};
  EXPECT_EQ(*torus.neighbour({0, 0}, Link::kWest), (ChipCoord{3, 0}));
  EXPECT_EQ(*torus.neighbour({3, 2}, Link::kNorthEast), (ChipCoord{0, 0}));
  EXPECT_EQ(*torus.neighbour({0, 0}, Link::kSouthWest), (ChipCoord{3, 2}));
  EXPECT_EQ(*torus.neighbour({1, 1}, Link::kNorth), (ChipCoord{1, 2}));
  const MeshShape mesh{4, 3, false};
  EXPECT_FALSE(mesh.neighbour({0, 0}, Link::kWest));
  EXPECT_FALSE(mesh.neighbour({0, 1}, Link::kSouthWest));
  EXPECT_FALSE(mesh.neighbour({3, 2}, Link::kNorthEast));
  EXPECT_EQ(*mesh.neighbour({1, 1}, Link::kSouthWest), (ChipCoord{0, 0}));
  // Every neighbour relation is symmetric through the opposite link.
  for (const MeshShape& m : {torus, mesh})
    for (uint32_t i = 0; i < m.chip_count(); ++i)
      for (Link l : kAllLinks) {
        if (auto n = m.neighbour(m.coord(i), l)) {
          EXPECT_EQ(*m.neighbour(*n, opposite(l)), m.coord(i));
        }
      }
}

std::vector<uint32_t> bfs(const MeshShape& m, ChipCoord from) {
  std::vector<uint32_t> dist(m.chip_count(), UINT32_MAX);
  std::deque<ChipCoord> q{from};
  dist[m.index(from)] = 0;
  while (!q.empty()) {
    const ChipCoord c = q.front();
    q.pop_front();
    for (Link l : kAllLinks) {
      const auto n = m.neighbour(c, l);
      if (n && dist[m.index(*n)] == UINT32_MAX) {
        dist[m.index(*n)] = dist[m.index(c)] + 1;
        q.push_back(*n);
      }
    }
  }
  return dist;
}

class HopDistance : public ::testing::TestWithParam<MeshShape> {};

TEST_P(HopDistance, MatchesBreadthFirstSearch) {
  const MeshShape m = GetParam();
  for (uint32_t a = 0; a < m.chip_count(); ++a) {
    const std::vector<uint32_t> dist = bfs(m, m.coord(a));
    for (uint32_t b = 0; b < m.chip_count(); ++b) {
      const ChipCoord ca = m.coord(a), cb = m.coord(b);
      ASSERT_EQ(m.hop_distance(ca, cb), dist[b]) << "from (" << ca.x << "," << ca.y << ") to (" << cb.x << ","
                                                 << cb.y << ")";
      // shortest_delta is a hop vector of that length that really leads to b.
      const LinkDelta d = m.shortest_delta(ca, cb);
      EXPECT_EQ(hops_for_delta(d.dx, d.dy), dist[b]);
      const int64_t x = int64_t{ca.x} + d.dx, y = int64_t{ca.y} + d.dy;
      if (m.wrap) {
        EXPECT_EQ(((x % m.width) + m.width) % m.width, cb.x);
        EXPECT_EQ(((y % m.height) + m.height) % m.height, cb.y);
      } else {
        EXPECT_EQ(x, cb.x);
        EXPECT_EQ(y, cb.y);
      }
    }
  }
}

std::string shape_name(const ::testing::TestParamInfo<MeshShape>& info) {
  return (info.param.wrap ? "torus" : "mesh") + std::to_string(info.param.width) + "x" +
         std::to_string(info.param.height);
}

INSTANTIATE_TEST_SUITE_P(Shapes, HopDistance,
                         ::testing::Values(MeshShape{1, 1, true}, MeshShape{1, 7, true}, MeshShape{6, 1, true},
                                           MeshShape{1, 7, false}, MeshShape{6, 1, false}, MeshShape{2, 2, true},
                                           MeshShape{2, 2, false}, MeshShape{3, 3, true}, MeshShape{8, 8, true},
                                           MeshShape{8, 8, false}, MeshShape{12, 12, true},
                                           MeshShape{12, 12, false}, MeshShape{5, 7, true}, MeshShape{5, 7, false},
                                           MeshShape{7, 5, true}, MeshShape{2, 9, true}, MeshShape{24, 12, true}),
                         shape_name);

}  // namespace
}  // namespace spindle::emu
