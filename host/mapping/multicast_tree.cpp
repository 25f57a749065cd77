#include "mapping/multicast_tree.h"

#include <deque>
#include <stdexcept>
#include <string>

namespace spindle::host {

std::map<uint32_t, uint32_t> multicast_tree(const emu::MachineDescription& machine, emu::ChipCoord source,
                                            const std::vector<Destination>& destinations) {
  const emu::MeshShape& mesh = machine.mesh;
  constexpr uint32_t kUnseen = UINT32_MAX;
  // parent_link[c] = the link by which the tree enters chip c (from its parent).
  std::vector<uint32_t> parent(mesh.chip_count(), kUnseen);
  std::vector<emu::Link> via(mesh.chip_count(), emu::Link::kEast);
  std::deque<emu::ChipCoord> queue{source};
  parent[mesh.index(source)] = mesh.index(source);
  while (!queue.empty()) {
    const emu::ChipCoord c = queue.front();
    queue.pop_front();
    for (emu::Link l : emu::kAllLinks) {
      if (!machine.link_alive(c, l)) continue;
      const emu::ChipCoord n = *mesh.neighbour(c, l);
      if (parent[mesh.index(n)] != kUnseen) continue;
      parent[mesh.index(n)] = mesh.index(c);
      via[mesh.index(n)] = l;
      queue.push_back(n);
    }
  }

  std::map<uint32_t, uint32_t> routes;
  for (const Destination& d : destinations) {
    const uint32_t di = mesh.index(d.chip);
    if (!mesh.contains(d.chip) || parent[di] == kUnseen || !machine.core_alive(d.chip, d.core))
      throw std::invalid_argument("no route from chip (" + std::to_string(source.x) + "," + std::to_string(source.y) +
                                  ") to core (" + std::to_string(d.chip.x) + "," + std::to_string(d.chip.y) + "," +
                                  std::to_string(d.core) + ")");
    routes[di] |= emu::route_core(d.core);
    // Walk back to the source, adding the link each parent uses.
    for (uint32_t c = di; c != mesh.index(source); c = parent[c]) {
      const uint32_t bit = emu::route_link(via[c]);
      uint32_t& word = routes[parent[c]];
      if (word & bit) break;  // the rest of the path is already on the tree
      word |= bit;
    }
  }
  return routes;
}

}  // namespace spindle::host
