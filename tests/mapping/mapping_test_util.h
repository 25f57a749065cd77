// Helpers for the mapping tests: small graphs and a packet walk over routing tables.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "machine/machine.h"
#include "mapping/graph.h"
#include "router/route_word.h"
#include "router/routing_entry.h"

namespace spindle::host::test {

// A machine whose cores run ARM images: at most fw::kArmMaxNeuronsPerCore
// neurons a core (the limit many tests are written around).
inline emu::MachineDescription arm_machine(const char* shape) {
  emu::MachineDescription m = emu::machine_from_shape(shape);
  m.max_neurons_per_core = fw::kArmMaxNeuronsPerCore;
  return m;
}

inline ApplicationVertex population(std::string label, uint32_t n, double rate_hz = 10) {
  ApplicationVertex v;
  v.label = std::move(label);
  v.n_atoms = n;
  v.rate_hz = rate_hz;
  return v;
}

inline ApplicationEdge projection(uint32_t pre, uint32_t post, double n_synapses, uint32_t delay = 1,
                                  EdgeReach reach = EdgeReach::kAllSlices) {
  ApplicationEdge e;
  e.pre = pre;
  e.post = post;
  e.n_synapses = n_synapses;
  e.max_delay_ticks = delay;
  e.reach = reach;
  return e;
}

inline std::optional<uint32_t> first_match(const std::vector<emu::RoutingEntry>& t, uint32_t key) {
  for (const auto& e : t)
    if (e.matches(key)) return e.route;
  return std::nullopt;
}

// Follows a multicast packet with `key` from `source` through per-chip tables
// (chip index -> entries): the set of (chip index, core) it is delivered to.
// A chip with no matching entry for a packet from a link passes it straight
// on (default routing); from the source core it is dropped.
inline std::set<std::pair<uint32_t, uint32_t>> deliver(const emu::MachineDescription& m,
                                                       const std::map<uint32_t, std::vector<emu::RoutingEntry>>& tables,
                                                       emu::ChipCoord source, uint32_t key) {
  std::set<std::pair<uint32_t, uint32_t>> out;
  struct Hop {
    emu::ChipCoord chip;
    int in_link;  // -1: from a local core
  };
  std::vector<Hop> stack{{source, -1}};
  size_t steps = 0;
  while (!stack.empty() && ++steps < 100000) {
    const Hop h = stack.back();
    stack.pop_back();
    const auto it = tables.find(m.mesh.index(h.chip));
    std::optional<uint32_t> r;
    if (it != tables.end()) r = first_match(it->second, key);
    uint32_t route = 0;
    if (r) route = *r;
    else if (h.in_link >= 0) route = emu::route_link(emu::opposite(static_cast<emu::Link>(h.in_link)));
    for (uint32_t c = 0; c < emu::kRouteCoreBits; ++c)
      if (route & emu::route_core(c)) out.insert({m.mesh.index(h.chip), c});
    for (emu::Link l : emu::kAllLinks)
      if (route & emu::route_link(l)) {
        const auto n = m.mesh.neighbour(h.chip, l);
        if (n) stack.push_back({*n, static_cast<int>(static_cast<uint32_t>(emu::opposite(l)))});
      }
  }
  return out;
}

}  // namespace spindle::host::test
