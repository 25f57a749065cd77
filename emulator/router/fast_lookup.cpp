#include "router/fast_lookup.h"

#include <algorithm>
#include <array>

namespace spindle::emu {
namespace {
// Leaves at most this long are not split further: scanning a few contiguous
// entries is cheaper than more levels of the trie.
constexpr uint32_t kLeafTarget = 4;
// Widest multiway node (2^8 children).
constexpr uint32_t kMaxStride = 8;
}  // namespace

struct FastLookup::Builder {
  FastLookup& out;
  const std::vector<RoutingEntry>& entries;
  uint32_t word_budget;  // trie_ words
  uint32_t slot_budget;  // leaf slots
  uint32_t empty_leaf = 0;

  uint32_t make_leaf(const std::vector<uint32_t>& cands, uint32_t depth) {
    if (cands.empty()) return empty_leaf;
    const uint32_t id = static_cast<uint32_t>(out.leaves_.size());
    out.leaves_.push_back({static_cast<uint32_t>(out.slots_.size()), static_cast<uint32_t>(cands.size())});
    for (uint32_t i : cands) out.slots_.push_back({entries[i].key, entries[i].mask, i, entries[i].route});
    out.stats_.max_depth = std::max(out.stats_.max_depth, depth);
    out.stats_.max_leaf = std::max(out.stats_.max_leaf, static_cast<uint32_t>(cands.size()));
    return id | kLeafFlag;
  }

  // cands: entries (in table order) that can match some key with the
  // decided bits; already cut after the first entry that matches them all.
  uint32_t build(const std::vector<uint32_t>& cands, uint32_t decided, uint32_t depth) {
    if (cands.size() <= kLeafTarget || decided == UINT32_MAX) return make_leaf(cands, depth);
    // Per undecided bit: entries that need it 0, need it 1, or don't care.
    std::array<uint32_t, 32> n0{}, n1{}, nx{};
    for (uint32_t i : cands) {
      const RoutingEntry& e = entries[i];
      for (uint32_t b = 0; b < 32; ++b) {
        const uint32_t bit = 1u << b;
        if (!(e.mask & bit)) ++nx[b];
        else if (e.key & bit) ++n1[b];
        else ++n0[b];
      }
    }
    // The undecided bit whose larger child is smallest; ties go to the bit
    // fewer entries ignore (less duplication), then to the higher bit.
    uint32_t best = 32, best_size = UINT32_MAX, best_dup = UINT32_MAX;
    for (int32_t sb = 31; sb >= 0; --sb) {
      const uint32_t b = static_cast<uint32_t>(sb);
      if ((decided >> b) & 1u) continue;
      if (n0[b] + n1[b] == 0) continue;  // nobody cares: splitting gains nothing
      const uint32_t size = std::max(n0[b], n1[b]) + nx[b];
      if (size < best_size || (size == best_size && nx[b] < best_dup)) {
        best = b;
        best_size = size;
        best_dup = nx[b];
      }
    }
    if (best == 32) return make_leaf(cands, depth);  // cannot happen (the first entry would cover all)
    // Widen to adjacent undecided bits every candidate cares about, while the
    // node stays within ~4 children per candidate.
    uint32_t lo = best, hi = best;
    if (nx[best] == 0) {
      auto usable = [&](uint32_t b) { return !((decided >> b) & 1u) && nx[b] == 0; };
      auto fits = [&](uint32_t width) { return width <= kMaxStride && (1u << width) <= 4 * cands.size(); };
      while (hi < 31 && usable(hi + 1) && fits(hi + 2 - lo)) ++hi;
      while (lo > 0 && usable(lo - 1) && fits(hi + 2 - lo)) --lo;
    }
    const uint32_t width = hi - lo + 1, fanout = 1u << width;
    if (out.trie_.size() + 1 + fanout > word_budget || out.slots_.size() + cands.size() > slot_budget) {
      out.stats_.budget_exhausted = true;
      return make_leaf(cands, depth);
    }
    const uint32_t field = (fanout - 1) << lo;
    const uint32_t now_decided = decided | field;
    const uint32_t node = static_cast<uint32_t>(out.trie_.size());
    out.trie_.push_back(lo | ((fanout - 1) << 8));
    out.trie_.resize(out.trie_.size() + fanout, empty_leaf);
    ++out.stats_.nodes;
    std::vector<uint32_t> child;
    child.reserve(cands.size());
    for (uint32_t v = 0; v < fanout; ++v) {
      const uint32_t value = v << lo;
      child.clear();
      for (uint32_t i : cands) {
        const RoutingEntry& e = entries[i];
        if (((e.key ^ value) & e.mask & field) != 0) continue;  // cannot match this side
        child.push_back(i);
        if ((e.mask & ~now_decided) == 0) break;  // matches every key here: later entries are shadowed
      }
      const uint32_t ref = build(child, now_decided, depth + 1);
      out.trie_[node + 1 + v] = ref;
    }
    return node;
  }
};

void FastLookup::build(const RoutingTable& table) {
  trie_.clear();
  leaves_.clear();
  slots_.clear();
  stats_ = {};
  const std::vector<RoutingEntry> entries(table.entries().begin(), table.entries().end());
  leaves_.push_back({0, 0});  // leaf 0: no entry can match

  std::vector<uint32_t> root;
  for (uint32_t i = 0; i < entries.size(); ++i) {
    root.push_back(i);
    if (entries[i].mask == 0) break;  // matches everything: nothing after it is reachable
  }
  const uint32_t n = static_cast<uint32_t>(entries.size());
  Builder b{*this, entries, 16 * n + 1024, 32 * n + 256, kLeafFlag | 0};
  root_ = b.build(root, 0, 0);
  stats_.trie_words = static_cast<uint32_t>(trie_.size());
  stats_.leaves = static_cast<uint32_t>(leaves_.size());
  stats_.leaf_slots = static_cast<uint32_t>(slots_.size());
}

}  // namespace spindle::emu
