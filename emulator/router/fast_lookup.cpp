#include "router/fast_lookup.h"

#include <algorithm>

namespace spindle::emu {
namespace {
// Leaves at most this long are not split further: scanning a few contiguous
// entries is cheaper than more levels of the trie.
constexpr uint32_t kLeafTarget = 4;
}  // namespace

struct FastLookup::Builder {
  FastLookup& out;
  const std::vector<RoutingEntry>& entries;
  uint32_t node_budget;
  uint32_t slot_budget;

  uint32_t make_leaf(const std::vector<uint32_t>& cands, uint32_t depth) {
    const uint32_t id = static_cast<uint32_t>(out.leaves_.size());
    out.leaves_.push_back({static_cast<uint32_t>(out.slots_.size()), static_cast<uint32_t>(cands.size())});
    for (uint32_t i : cands) out.slots_.push_back({entries[i].key, entries[i].mask, i});
    out.stats_.max_depth = std::max(out.stats_.max_depth, depth);
    out.stats_.max_leaf = std::max(out.stats_.max_leaf, static_cast<uint32_t>(cands.size()));
    return id | kLeafFlag;
  }

  // cands: entries (in table order) that can match some key with the
  // decided bits; already cut after the first entry that matches them all.
  uint32_t build(const std::vector<uint32_t>& cands, uint32_t decided, uint32_t depth) {
    const bool over_budget = out.nodes_.size() >= node_budget || out.slots_.size() + cands.size() > slot_budget;
    if (cands.size() <= kLeafTarget || decided == UINT32_MAX || over_budget) {
      if (over_budget && cands.size() > kLeafTarget) out.stats_.budget_exhausted = true;
      return make_leaf(cands, depth);
    }
    // Choose the undecided bit whose larger child is smallest; ties go to the
    // bit fewer entries ignore (less duplication), then to the higher bit.
    uint32_t best_bit = 32, best_size = UINT32_MAX, best_dup = UINT32_MAX;
    for (int32_t b = 31; b >= 0; --b) {
      const uint32_t bit = 1u << b;
      if (decided & bit) continue;
      uint32_t n0 = 0, n1 = 0, nx = 0;
      for (uint32_t i : cands) {
        const RoutingEntry& e = entries[i];
        if (!(e.mask & bit)) ++nx;
        else if (e.key & bit) ++n1;
        else ++n0;
      }
      if (n0 + n1 == 0) continue;  // nobody cares: splitting gains nothing
      const uint32_t size = std::max(n0, n1) + nx;
      if (size < best_size || (size == best_size && nx < best_dup)) {
        best_bit = static_cast<uint32_t>(b);
        best_size = size;
        best_dup = nx;
      }
    }
    if (best_bit == 32) return make_leaf(cands, depth);  // cannot happen (first entry would cover all)
    const uint32_t bit = 1u << best_bit;
    const uint32_t now_decided = decided | bit;
    const uint32_t id = static_cast<uint32_t>(out.nodes_.size());
    out.nodes_.push_back({best_bit, {0, 0}});
    for (uint32_t side = 0; side < 2; ++side) {
      std::vector<uint32_t> child;
      child.reserve(best_size);
      for (uint32_t i : cands) {
        const RoutingEntry& e = entries[i];
        if ((e.mask & bit) && ((e.key & bit) != 0) != (side == 1)) continue;  // cannot match this side
        child.push_back(i);
        if ((e.mask & ~now_decided) == 0) break;  // matches every key here: later entries are shadowed
      }
      const uint32_t ref = build(child, now_decided, depth + 1);
      out.nodes_[id].child[side] = ref;
    }
    return id;
  }
};

void FastLookup::build(const RoutingTable& table) {
  nodes_.clear();
  leaves_.clear();
  slots_.clear();
  routes_.clear();
  stats_ = {};
  const std::vector<RoutingEntry> entries(table.entries().begin(), table.entries().end());
  for (const RoutingEntry& e : entries) routes_.push_back(e.route);

  std::vector<uint32_t> root;
  for (uint32_t i = 0; i < entries.size(); ++i) {
    root.push_back(i);
    if (entries[i].mask == 0) break;  // matches everything: nothing after it is reachable
  }
  const uint32_t n = static_cast<uint32_t>(entries.size());
  Builder b{*this, entries, 8 * n + 64, 32 * n + 256};
  root_ = b.build(root, 0, 0);
  stats_.nodes = static_cast<uint32_t>(nodes_.size());
  stats_.leaves = static_cast<uint32_t>(leaves_.size());
  stats_.leaf_slots = static_cast<uint32_t>(slots_.size());
}

}  // namespace spindle::emu
