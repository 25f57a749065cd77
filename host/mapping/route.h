// Routing stage: for every source slice that has targets, a multicast tree
// (multicast_tree.h: shortest paths over working chips and links, shared
// branches) from its chip to the cores of its target slices, written as one
// routing entry (slice key, slice mask, route word) on every chip of the
// tree. Entries of one chip never overlap (keys are disjoint ranges), so
// their order does not matter until compression.
#pragma once

#include <cstdint>
#include <vector>

#include "machine/machine.h"
#include "mapping/graph.h"
#include "mapping/keys.h"
#include "mapping/partition.h"
#include "mapping/place.h"
#include "router/routing_entry.h"

namespace spindle::host {

struct ChipTable {
  emu::ChipCoord chip;
  std::vector<emu::RoutingEntry> entries;  // ascending key
  std::vector<uint32_t> source_slice;      // parallel to entries
};

struct Routes {
  std::vector<ChipTable> tables;  // chips with at least one entry, ascending chip index
};

// Target slices of each slice (deduplicated, ascending), from the edges.
std::vector<std::vector<uint32_t>> slice_targets(const ApplicationGraph& graph, const Partition& partition);

// What a target core's synaptic matrix is built from: one block per
// (incoming edge, source slice) pair whose spikes reach it, with the source
// slice's key and mask (the image builder's IncomingBlock). Per slice,
// ordered by edge index, then source slice.
struct IncomingSlice {
  uint32_t edge = 0;
  uint32_t source_slice = 0;
  uint32_t key = 0;
  uint32_t mask = 0;
  uint32_t n_sources = 0;  // atoms of the source slice
};
std::vector<std::vector<IncomingSlice>> incoming_slices(const ApplicationGraph& graph, const Partition& partition,
                                                        const KeyAllocation& keys);

// Throws std::invalid_argument (from multicast_tree) when a target cannot be reached.
Routes route(const ApplicationGraph& graph, const Partition& partition, const std::vector<Placement>& placements,
             const KeyAllocation& keys, const emu::MachineDescription& machine);

}  // namespace spindle::host
