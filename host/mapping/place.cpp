#include "mapping/place.h"

#include <algorithm>
#include <deque>
#include <stdexcept>
#include <string>

namespace spindle::host {
namespace {

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Populations in breadth-first order over projections (either direction).
std::vector<uint32_t> vertex_order(const ApplicationGraph& graph, uint64_t seed) {
  const uint32_t n = uint32_t(graph.vertices.size());
  std::vector<std::vector<uint32_t>> adj(n);
  for (const ApplicationEdge& e : graph.edges) {
    if (e.pre == e.post) continue;
    adj[e.pre].push_back(e.post);
    adj[e.post].push_back(e.pre);
  }
  uint64_t state = seed;
  for (auto& a : adj) {
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    if (seed != 0)
      for (size_t i = a.size(); i > 1; --i) std::swap(a[i - 1], a[splitmix(state) % i]);
  }
  std::vector<uint32_t> order;
  std::vector<bool> seen(n, false);
  for (uint32_t root = 0; root < n; ++root) {
    if (seen[root]) continue;
    std::deque<uint32_t> q{root};
    seen[root] = true;
    while (!q.empty()) {
      const uint32_t v = q.front();
      q.pop_front();
      order.push_back(v);
      for (uint32_t w : adj[v])
        if (!seen[w]) {
          seen[w] = true;
          q.push_back(w);
        }
    }
  }
  return order;
}

}  // namespace

std::vector<emu::ChipCoord> chip_fill_order(const emu::MachineDescription& machine) {
  const emu::MeshShape& mesh = machine.mesh;
  std::vector<bool> seen(mesh.chip_count(), false);
  std::vector<emu::ChipCoord> order;
  for (emu::ChipCoord root : machine.alive_chips()) {
    if (seen[mesh.index(root)]) continue;
    std::deque<emu::ChipCoord> q{root};
    seen[mesh.index(root)] = true;
    while (!q.empty()) {
      const emu::ChipCoord c = q.front();
      q.pop_front();
      order.push_back(c);
      for (emu::Link l : emu::kAllLinks) {
        if (!machine.link_alive(c, l)) continue;
        const emu::ChipCoord nb = *mesh.neighbour(c, l);
        if (seen[mesh.index(nb)]) continue;
        seen[mesh.index(nb)] = true;
        q.push_back(nb);
      }
    }
  }
  return order;
}

std::vector<Placement> place(const ApplicationGraph& graph, const Partition& partition,
                             const emu::MachineDescription& machine, const PlaceOptions& options) {
  const uint32_t needed = uint32_t(partition.slices.size());
  const std::vector<emu::ChipCoord> chips = chip_fill_order(machine);
  uint32_t available = 0;
  for (emu::ChipCoord c : chips) available += uint32_t(machine.application_cores(c).size());
  auto too_small = [&](const std::string& why) {
    return std::runtime_error("machine '" + machine.name + "' is too small: the network needs " +
                              std::to_string(needed) + " application cores (slices), the machine has " +
                              std::to_string(available) + " alive application cores on " +
                              std::to_string(chips.size()) + " alive chips" + why);
  };
  if (needed > available) throw too_small("");

  std::vector<Placement> out(needed);
  size_t chip_i = 0;
  std::vector<uint32_t> cores = chips.empty() ? std::vector<uint32_t>{} : machine.application_cores(chips[0]);
  size_t core_i = 0;
  uint64_t sdram_left = machine.sdram_bytes_per_chip;
  for (uint32_t v : vertex_order(graph, options.seed)) {
    for (uint32_t s = partition.first_slice[v]; s < partition.first_slice[v + 1]; ++s) {
      const uint64_t sdram = partition.slices[s].resources.sdram_bytes;
      // Next chip when this one has no core or SDRAM left for the slice.
      while (chip_i < chips.size() && (core_i >= cores.size() || sdram > sdram_left)) {
        if (++chip_i == chips.size()) break;
        cores = machine.application_cores(chips[chip_i]);
        core_i = 0;
        sdram_left = machine.sdram_bytes_per_chip;
      }
      if (chip_i >= chips.size())
        throw too_small(" (chip SDRAM ran out: slice " + std::to_string(s) + " needs " + std::to_string(sdram) +
                        " bytes)");
      out[s] = Placement{chips[chip_i], cores[core_i++]};
      sdram_left -= sdram;
    }
  }
  return out;
}

}  // namespace spindle::host
