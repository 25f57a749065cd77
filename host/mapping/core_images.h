// Last mapping stage: from the network and its mapping to one core image per
// slice and what each router is loaded with. For every slice: its cells'
// parameters and initial values (or its sources), the synapses of every
// incoming slice pair (from the connector expansion, filtered to the two atom
// ranges), its key and mask, its random stream and what it records.
#pragma once

#include <cstdint>
#include <vector>

#include "mapping/graph.h"
#include "mapping/pipeline.h"
#include "quantize/quantize.h"
#include "engine/engine.h"
#include "router/routing_entry.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host {

struct CoreLoad {
  emu::ChipCoord chip;
  uint32_t core = 1;
  uint32_t slice = 0;  // index into MappingResult::partition.slices
  std::vector<uint8_t> image;
};

struct RouterLoad {
  emu::ChipCoord chip;
  std::vector<emu::RoutingEntry> entries;
};

struct MachineLoad {
  std::vector<CoreLoad> cores;
  std::vector<RouterLoad> routers;
  uint64_t synapses = 0;
};

// graph must be the network's graph (vertex i = population i, edge j =
// projection j); throws std::invalid_argument naming the population or
// projection when something does not fit a core (e.g. a delay the ring
// buffer cannot hold).
// Loads routers and cores into an engine of the same machine; throws what
// RoutingTable::add_or_throw and Engine::load_core throw.
void load_into(emu::Engine& engine, const MachineLoad& load);

MachineLoad build_machine_load(const spindle::v1::Network& net, const ApplicationGraph& graph,
                               const MappingResult& mapping, QuantizationReport* report = nullptr);

}  // namespace spindle::host
