#include "router/p2p_table.h"

#include <deque>

namespace spindle::emu {

P2PTable::P2PTable(const MachineDescription& machine) : chips_(machine.mesh.chip_count()) {
  usable_.assign(static_cast<size_t>(chips_) * kLinksPerChip, 0);
  neighbour_.assign(static_cast<size_t>(chips_) * kLinksPerChip, 0);
  for (uint32_t c = 0; c < chips_; ++c) {
    const ChipCoord cc = machine.mesh.coord(c);
    for (Link l : kAllLinks) {
      const size_t slot = static_cast<size_t>(c) * kLinksPerChip + static_cast<uint32_t>(l);
      const auto n = machine.mesh.neighbour(cc, l);
      if (!n) continue;
      neighbour_[slot] = machine.mesh.index(*n);
      usable_[slot] = machine.link_alive(cc, l) ? 1 : 0;
    }
  }
}

const P2PTable::Column& P2PTable::column(uint32_t to) {
  auto it = columns_.find(to);
  if (it != columns_.end()) return it->second;
  Column col;
  col.dist.assign(chips_, UINT32_MAX);
  col.next.assign(chips_, kNone);
  // BFS out from the target; links are usable in both directions or neither.
  std::deque<uint32_t> q{to};
  col.dist[to] = 0;
  while (!q.empty()) {
    const uint32_t c = q.front();
    q.pop_front();
    for (uint32_t l = 0; l < kLinksPerChip; ++l) {
      const size_t slot = static_cast<size_t>(c) * kLinksPerChip + l;
      if (!usable_[slot]) continue;
      const uint32_t n = neighbour_[slot];
      if (col.dist[n] != UINT32_MAX) continue;
      col.dist[n] = col.dist[c] + 1;
      q.push_back(n);
    }
  }
  for (uint32_t c = 0; c < chips_; ++c) {
    if (c == to || col.dist[c] == UINT32_MAX) continue;
    for (uint32_t l = 0; l < kLinksPerChip; ++l) {
      const size_t slot = static_cast<size_t>(c) * kLinksPerChip + l;
      if (usable_[slot] && col.dist[neighbour_[slot]] + 1 == col.dist[c]) {
        col.next[c] = static_cast<uint8_t>(l);
        break;
      }
    }
  }
  return columns_.emplace(to, std::move(col)).first->second;
}

uint8_t P2PTable::next_link(uint32_t from, uint32_t to) {
  if (from >= chips_ || to >= chips_) return kNone;
  return column(to).next[from];
}

uint32_t P2PTable::distance(uint32_t from, uint32_t to) {
  if (from >= chips_ || to >= chips_) return UINT32_MAX;
  return column(to).dist[from];
}

}  // namespace spindle::emu
