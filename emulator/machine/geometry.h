// Chip coordinates and links of the triangular mesh (SpiNNaker's topology).
// Links: E=0, NE=1, N=2, W=3, SW=4, S=5; opposite = (l + 3) % 6. Moving along
// a link changes (x, y) by E(+1,0) NE(+1,+1) N(0,+1) W(-1,0) SW(-1,-1) S(0,-1).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace spindle::emu {

enum class Link : uint8_t { kEast = 0, kNorthEast = 1, kNorth = 2, kWest = 3, kSouthWest = 4, kSouth = 5 };
inline constexpr uint32_t kLinksPerChip = 6;
inline constexpr std::array<Link, kLinksPerChip> kAllLinks = {Link::kEast, Link::kNorthEast, Link::kNorth,
                                                              Link::kWest, Link::kSouthWest, Link::kSouth};

constexpr Link opposite(Link l) { return static_cast<Link>((static_cast<uint32_t>(l) + 3) % 6); }
// The two other sides of the triangle a blocked link l is part of: a packet
// can take next_link(l) then prev_link(l) to reach the same neighbour
// (SpiNNaker's emergency routing).
constexpr Link next_link(Link l) { return static_cast<Link>((static_cast<uint32_t>(l) + 1) % 6); }
constexpr Link prev_link(Link l) { return static_cast<Link>((static_cast<uint32_t>(l) + 5) % 6); }
std::string_view link_name(Link l);

struct LinkDelta {
  int32_t dx, dy;
};
constexpr LinkDelta link_delta(Link l) {
  constexpr LinkDelta d[6] = {{1, 0}, {1, 1}, {0, 1}, {-1, 0}, {-1, -1}, {0, -1}};
  return d[static_cast<uint32_t>(l)];
}

struct ChipCoord {
  uint32_t x = 0, y = 0;
  friend constexpr bool operator==(ChipCoord, ChipCoord) = default;
};

// The mesh's extent and whether it wraps around (torus) or not (open mesh).
struct MeshShape {
  uint32_t width = 1, height = 1;
  bool wrap = true;

  uint32_t chip_count() const { return width * height; }
  uint32_t index(ChipCoord c) const { return c.y * width + c.x; }
  ChipCoord coord(uint32_t index) const { return {index % width, index / width}; }
  bool contains(ChipCoord c) const { return c.x < width && c.y < height; }

  // The chip across link l, or nothing at the edge of an open mesh.
  std::optional<ChipCoord> neighbour(ChipCoord c, Link l) const;
  // Fewest link hops from a to b (ignoring dead chips and links).
  uint32_t hop_distance(ChipCoord a, ChipCoord b) const;
  // The hop vector (dx, dy) of a shortest path a -> b (in the wrapped sense on a torus).
  LinkDelta shortest_delta(ChipCoord a, ChipCoord b) const;
};

// Hops needed to move by (dx, dy) with E/W (x), N/S (y) and NE/SW (x and y
// together): |dx| + |dy| - min(|dx|, |dy|) when dx and dy have the same sign,
// else |dx| + |dy|.
constexpr uint32_t hops_for_delta(int32_t dx, int32_t dy) {
  const uint32_t ax = static_cast<uint32_t>(dx < 0 ? -dx : dx);
  const uint32_t ay = static_cast<uint32_t>(dy < 0 ? -dy : dy);
  if ((dx >= 0) == (dy >= 0)) return ax > ay ? ax : ay;
  return ax + ay;
}

}  // namespace spindle::emu
