// Point-to-point routes: for each (chip, target chip) the link that starts a
// shortest path to the target over the links that exist and are not declared
// dead in the machine (SpiNNaker computes its P2P tables the same way at
// boot, so they avoid dead chips). Without dead chips or links the paths are
// exactly hop_distance long. Links failed at run time are not avoided here:
// packets wait and detour round them like multicast packets do.
// Computed lazily, one BFS per target chip actually used.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "machine/machine.h"

namespace spindle::emu {

class P2PTable {
 public:
  static constexpr uint8_t kNone = 0xFF;

  explicit P2PTable(const MachineDescription& machine);

  // The first link on a shortest path from chip index `from` to `to`; kNone
  // if from == to or `to` cannot be reached. Ties go to the lowest link number.
  uint8_t next_link(uint32_t from, uint32_t to);
  // Hops on that path (UINT32_MAX if unreachable).
  uint32_t distance(uint32_t from, uint32_t to);

 private:
  struct Column {
    std::vector<uint8_t> next;
    std::vector<uint32_t> dist;
  };
  const Column& column(uint32_t to);

  uint32_t chips_;
  std::vector<uint8_t> usable_;       // chip * 6 + link
  std::vector<uint32_t> neighbour_;   // chip * 6 + link
  std::unordered_map<uint32_t, Column> columns_;
};

}  // namespace spindle::emu
