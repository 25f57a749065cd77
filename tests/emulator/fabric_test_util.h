// Helpers for router and fabric tests: multicast trees built from a BFS over
// the working links, and inbox bookkeeping.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <vector>

#include "router/fabric.h"
#include "router/route_word.h"

namespace spindle::emu::testing {

// (chip index, core) -> packets received
using Deliveries = std::map<std::pair<uint32_t, uint32_t>, std::vector<fw::Packet>>;

inline Deliveries collect(const Fabric& f, Inboxes& inboxes, bool clear = true) {
  Deliveries d;
  for (uint32_t i = 0; i < inboxes.size(); ++i) {
    if (inboxes[i].empty()) continue;
    auto& v = d[{i / f.cores_per_chip(), i % f.cores_per_chip()}];
    v.insert(v.end(), inboxes[i].begin(), inboxes[i].end());
    if (clear) inboxes[i].clear();
  }
  return d;
}

inline uint64_t inbox_total(const Inboxes& inboxes) {
  uint64_t n = 0;
  for (const auto& v : inboxes) n += v.size();
  return n;
}

// Adds entries (key, mask) to the tables of `f` so that a packet injected at
// `source` reaches exactly the cores in `targets` (chip -> core bits): a
// shortest-path tree grown by BFS over working links from the source.
inline void add_tree(Fabric& f, ChipCoord source, uint32_t key, uint32_t mask,
                     const std::map<uint32_t, uint32_t>& targets) {
  const MeshShape& mesh = f.machine().mesh;
  const uint32_t n = mesh.chip_count();
  std::vector<int> parent_link(n, -1);  // link from the parent into this chip's direction
  std::vector<uint32_t> parent(n, UINT32_MAX);
  std::vector<bool> seen(n, false);
  std::deque<uint32_t> q{mesh.index(source)};
  seen[mesh.index(source)] = true;
  while (!q.empty()) {
    const uint32_t c = q.front();
    q.pop_front();
    const Router& r = f.router(mesh.coord(c));
    for (Link l : kAllLinks) {
      const OutputLink& out = r.link(l);
      if (!out.exists || out.failed || seen[out.neighbour]) continue;
      seen[out.neighbour] = true;
      parent[out.neighbour] = c;
      parent_link[out.neighbour] = static_cast<int>(l);
      q.push_back(out.neighbour);
    }
  }
  std::vector<uint32_t> route(n, 0);
  for (const auto& [chip, cores] : targets) {
    ASSERT_TRUE(seen[chip]) << "target chip " << chip << " unreachable";
    route[chip] |= cores << kRouteLinkBits;
    for (uint32_t c = chip; parent[c] != UINT32_MAX; c = parent[c])
      route[parent[c]] |= route_link(static_cast<uint32_t>(parent_link[c]));
  }
  for (uint32_t c = 0; c < n; ++c)
    if (route[c] != 0) f.table(mesh.coord(c)).add_or_throw({key, mask, route[c]});
}

inline void expect_balanced(const Fabric& f) {
  const FabricReport r = f.report();
  EXPECT_TRUE(r.balanced()) << "injected " << r.totals.injected << " + copies " << r.totals.copies
                            << " != delivered " << r.totals.delivered << " + dropped " << r.totals.dropped_total()
                            << " + pending " << r.pending;
  // Every packet a link carried arrived at the chip across it.
  EXPECT_EQ(r.link_totals.carried, r.totals.received);
}

}  // namespace spindle::emu::testing
