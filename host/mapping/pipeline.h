// The mapping stages run in order: partition -> place -> allocate keys ->
// route -> compress tables. Each stage is its own pure function (see the
// headers); this only chains them and keeps every intermediate result.
#pragma once

#include <vector>

#include "machine/machine.h"
#include "mapping/compress.h"
#include "mapping/graph.h"
#include "mapping/keys.h"
#include "mapping/partition.h"
#include "mapping/place.h"
#include "mapping/route.h"

namespace spindle::host {

struct MappingOptions {
  CostModel cost;
  PlaceOptions place;
  uint32_t table_capacity = 0;  // 0: machine.router_table_capacity
};

struct MappingResult {
  Partition partition;
  std::vector<Placement> placements;  // by slice
  KeyAllocation keys;
  Routes routes;                      // uncompressed, per chip
  std::vector<CompressedTable> tables;  // what each router is loaded with, parallel to routes.tables
};

MappingResult map_graph(const ApplicationGraph& graph, const emu::MachineDescription& machine,
                        const MappingOptions& options = {});

}  // namespace spindle::host
