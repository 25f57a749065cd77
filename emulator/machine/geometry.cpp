#include "machine/geometry.h"

namespace spindle::emu {

std::string_view link_name(Link l) {
  constexpr std::string_view names[6] = {"E", "NE", "N", "W", "SW", "S"};
  return names[static_cast<uint32_t>(l)];
}

std::optional<ChipCoord> MeshShape::neighbour(ChipCoord c, Link l) const {
  const LinkDelta d = link_delta(l);
  const int64_t x = int64_t{c.x} + d.dx, y = int64_t{c.y} + d.dy;
  if (wrap) {
    const int64_t w = width, h = height;
    return ChipCoord{static_cast<uint32_t>((x % w + w) % w), static_cast<uint32_t>((y % h + h) % h)};
  }
  if (x < 0 || y < 0 || x >= width || y >= height) return std::nullopt;
  return ChipCoord{static_cast<uint32_t>(x), static_cast<uint32_t>(y)};
}

LinkDelta MeshShape::shortest_delta(ChipCoord a, ChipCoord b) const {
  const int32_t dx = static_cast<int32_t>(b.x) - static_cast<int32_t>(a.x);
  const int32_t dy = static_cast<int32_t>(b.y) - static_cast<int32_t>(a.y);
  if (!wrap) return {dx, dy};
  // On a torus each axis may go either way round; try all four combinations.
  const int32_t w = static_cast<int32_t>(width), h = static_cast<int32_t>(height);
  const int32_t xs[2] = {dx, dx > 0 ? dx - w : dx + w};
  const int32_t ys[2] = {dy, dy > 0 ? dy - h : dy + h};
  LinkDelta best{dx, dy};
  uint32_t best_hops = hops_for_delta(dx, dy);
  for (int32_t x : xs)
    for (int32_t y : ys) {
      const uint32_t hops = hops_for_delta(x, y);
      if (hops < best_hops) {
        best_hops = hops;
        best = {x, y};
      }
    }
  return best;
}

uint32_t MeshShape::hop_distance(ChipCoord a, ChipCoord b) const {
  const LinkDelta d = shortest_delta(a, b);
  return hops_for_delta(d.dx, d.dy);
}

}  // namespace spindle::emu
