#include "mapping/pipeline.h"

namespace spindle::host {

MappingResult map_graph(const ApplicationGraph& graph, const emu::MachineDescription& machine,
                        const MappingOptions& options) {
  MappingResult r;
  r.partition = partition(graph, machine, options.cost);
  r.placements = place(graph, r.partition, machine, options.place);
  r.keys = allocate_keys(graph, r.partition);
  r.routes = route(graph, r.partition, r.placements, r.keys, machine);
  const uint32_t capacity = options.table_capacity ? options.table_capacity : machine.router_table_capacity;
  r.tables = compress_routes(r.routes, r.partition, r.keys, capacity);
  return r;
}

}  // namespace spindle::host
