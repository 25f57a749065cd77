#include "mapping/route.h"

#include <algorithm>
#include <numeric>

#include "mapping/multicast_tree.h"

namespace spindle::host {

std::vector<std::vector<uint32_t>> slice_targets(const ApplicationGraph& graph, const Partition& partition) {
  std::vector<std::vector<uint32_t>> out(partition.slices.size());
  for (const ApplicationEdge& e : graph.edges) {
    if (e.n_synapses <= 0) continue;
    for (uint32_t s = partition.first_slice[e.pre]; s < partition.first_slice[e.pre + 1]; ++s) {
      const Slice& src = partition.slices[s];
      for (uint32_t t = partition.first_slice[e.post]; t < partition.first_slice[e.post + 1]; ++t) {
        const Slice& dst = partition.slices[t];
        if (e.reach == EdgeReach::kSameIndices &&
            (dst.lo_atom >= src.lo_atom + src.n_atoms || src.lo_atom >= dst.lo_atom + dst.n_atoms))
          continue;
        out[s].push_back(t);
      }
    }
  }
  for (auto& t : out) {
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
  }
  return out;
}

std::vector<std::vector<IncomingSlice>> incoming_slices(const ApplicationGraph& graph, const Partition& partition,
                                                        const KeyAllocation& keys) {
  std::vector<std::vector<IncomingSlice>> out(partition.slices.size());
  for (uint32_t ei = 0; ei < graph.edges.size(); ++ei) {
    const ApplicationEdge& e = graph.edges[ei];
    if (e.n_synapses <= 0) continue;
    for (uint32_t s = partition.first_slice[e.pre]; s < partition.first_slice[e.pre + 1]; ++s) {
      const Slice& src = partition.slices[s];
      for (uint32_t t = partition.first_slice[e.post]; t < partition.first_slice[e.post + 1]; ++t) {
        const Slice& dst = partition.slices[t];
        if (e.reach == EdgeReach::kSameIndices &&
            (dst.lo_atom >= src.lo_atom + src.n_atoms || src.lo_atom >= dst.lo_atom + dst.n_atoms))
          continue;
        out[t].push_back(IncomingSlice{ei, s, keys.keys[s].base, keys.keys[s].mask, src.n_atoms});
      }
    }
  }
  return out;
}

Routes route(const ApplicationGraph& graph, const Partition& partition, const std::vector<Placement>& placements,
             const KeyAllocation& keys, const emu::MachineDescription& machine) {
  const auto targets = slice_targets(graph, partition);
  std::vector<ChipTable> by_chip(machine.mesh.chip_count());
  for (uint32_t s = 0; s < partition.slices.size(); ++s) {
    if (targets[s].empty()) continue;
    std::vector<Destination> dests;
    dests.reserve(targets[s].size());
    for (uint32_t t : targets[s]) dests.push_back(Destination{placements[t].chip, placements[t].core});
    for (const auto& [chip, word] : multicast_tree(machine, placements[s].chip, dests)) {
      ChipTable& table = by_chip[chip];
      table.entries.push_back(emu::RoutingEntry{keys.keys[s].base, keys.keys[s].mask, word});
      table.source_slice.push_back(s);
    }
  }
  Routes r;
  for (uint32_t i = 0; i < by_chip.size(); ++i) {
    if (by_chip[i].entries.empty()) continue;
    ChipTable& t = by_chip[i];
    t.chip = machine.mesh.coord(i);
    // Ascending key (slices are visited in key order already unless keys were allocated otherwise).
    std::vector<uint32_t> idx(t.entries.size());
    std::iota(idx.begin(), idx.end(), 0u);
    std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return t.entries[a].key < t.entries[b].key; });
    ChipTable sorted;
    sorted.chip = t.chip;
    for (uint32_t k : idx) {
      sorted.entries.push_back(t.entries[k]);
      sorted.source_slice.push_back(t.source_slice[k]);
    }
    r.tables.push_back(std::move(sorted));
  }
  return r;
}

}  // namespace spindle::host
