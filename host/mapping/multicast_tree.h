// Routing stage: multicast trees over the chip mesh. For one source chip and
// its destination cores, a shortest-path tree over working chips and links
// (breadth-first, links tried in a fixed order, so trees are deterministic
// and share branches), expressed as the route word each chip on the tree
// needs. Pure function of plain data.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "machine/machine.h"
#include "router/route_word.h"

namespace spindle::host {

struct Destination {
  emu::ChipCoord chip;
  uint32_t core = 1;
};

// Chip index -> route word (router/route_word.h) for every chip the tree passes through. Throws
// std::invalid_argument if a destination cannot be reached (dead chip or
// links cutting it off), naming it.
std::map<uint32_t, uint32_t> multicast_tree(const emu::MachineDescription& machine, emu::ChipCoord source,
                                            const std::vector<Destination>& destinations);

}  // namespace spindle::host
