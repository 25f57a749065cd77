// Placement stage: each slice onto one alive application core (never the
// monitor) of the machine. Locality first: populations are visited in
// breadth-first order over the projections (so connected populations are
// consecutive), and chips are filled in breadth-first order over working
// links from the first alive chip (so consecutive chips are neighbours).
// Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <vector>

#include "machine/machine.h"
#include "mapping/graph.h"
#include "mapping/partition.h"

namespace spindle::host {

struct Placement {
  emu::ChipCoord chip;
  uint32_t core = 1;
};

struct PlaceOptions {
  // 0: populations in graph order from vertex 0, neighbours by index. Other
  // values shuffle the visiting order of neighbours (reproducibly).
  uint64_t seed = 0;
};

// Placements by slice index. Throws std::runtime_error when the machine is
// too small, saying how many cores are needed and how many are available.
std::vector<Placement> place(const ApplicationGraph& graph, const Partition& partition,
                             const emu::MachineDescription& machine, const PlaceOptions& options = {});

// Alive chips in breadth-first order over working links (the fill order).
std::vector<emu::ChipCoord> chip_fill_order(const emu::MachineDescription& machine);

}  // namespace spindle::host
