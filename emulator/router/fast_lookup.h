// A faster first-match lookup over a RoutingTable: a decision trie on the key
// bits whose leaves hold short, ordered candidate lists. A node tests one
// bit, or a run of up to 8 adjacent bits that every candidate entry cares
// about (one multiway step instead of several binary ones: typical tables,
// whose entries share a key prefix layout, get a trie 2-3 levels deep).
//
// Why a trie and not "one hash map per distinct mask, lowest index wins":
// the hash scheme costs one probe per distinct mask, so tables with many
// masks (compressed tables, hierarchical keys, the random tables we test
// with) fall back towards the linear scan's cost; the trie's cost is at most
// 32 bit tests plus a short leaf scan whatever the masks are.
//
// Why it gives exactly the scan's answer: every node keeps the list of
// entries that can match at least one key reaching it, in table order.
// Splitting on bit b sends an entry to the child(ren) its mask/key allow
// (both children when the entry does not care about b), so a child's list is
// still every possible match, in order (a multiway split only uses bits all
// candidates care about, so each entry goes to exactly one child). An entry whose cared-about bits are
// all decided on the path matches every key reaching the node, so the entries
// after it can never be first and are cut. A leaf scans its list in order and
// returns the first match: the first match in the table, because no entry
// that could match was left out and the order is the table's. If the build
// budget (nodes, leaf slots) runs out, a node simply becomes a longer leaf,
// which is slower but still exact.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "router/routing_table.h"

namespace spindle::emu {

class FastLookup {
 public:
  FastLookup() = default;
  explicit FastLookup(const RoutingTable& table) { build(table); }

  void build(const RoutingTable& table);

  // Same answer as RoutingTable::find_first(key) on the table it was built from.
  uint32_t find_first(uint32_t key) const {
    uint32_t route;
    return find_first(key, route);
  }
  // The first match's index as the result and its route word in `route`
  // (kNoMatch, route untouched, if nothing matches).
  uint32_t find_first(uint32_t key, uint32_t& route) const {
    uint32_t ref = root_;
    while ((ref & kLeafFlag) == 0) {
      // trie_[ref]: shift | mask << 8; the children follow it.
      const uint32_t h = trie_[ref];
      ref = trie_[ref + 1 + ((key >> (h & 31u)) & (h >> 8))];
    }
    const Leaf& leaf = leaves_[ref & ~kLeafFlag];
    const LeafEntry* e = slots_.data() + leaf.begin;
    const LeafEntry* end = e + leaf.count;
    for (; e != end; ++e)
      if ((key & e->mask) == e->key) {
        route = e->route;
        return e->index;
      }
    return kNoMatch;
  }
  // Route word of the first match, if any.
  std::optional<uint32_t> lookup(uint32_t key) const {
    uint32_t route = 0;
    if (find_first(key, route) == kNoMatch) return std::nullopt;
    return route;
  }

  struct Stats {
    uint32_t nodes = 0, trie_words = 0, leaves = 0, leaf_slots = 0, max_depth = 0, max_leaf = 0;
    bool budget_exhausted = false;
  };
  const Stats& stats() const { return stats_; }

 private:
  static constexpr uint32_t kLeafFlag = 0x8000'0000u;
  struct Leaf {
    uint32_t begin, count;
  };
  struct LeafEntry {
    uint32_t key, mask, index, route;
  };
  struct Builder;

  std::vector<uint32_t> trie_;  // internal nodes: header word, then 2^width child refs
  std::vector<Leaf> leaves_;
  std::vector<LeafEntry> slots_;
  uint32_t root_ = kLeafFlag;   // leaf 0 (empty) until built
  Stats stats_{};
};

}  // namespace spindle::emu
