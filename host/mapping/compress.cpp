#include "mapping/compress.h"

#include "mapping/alias_sets.h"
#include "mapping/parallel_indices.h"

#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <stdexcept>

namespace spindle::host {
namespace {

using emu::RoutingEntry;

uint32_t generality(const RoutingEntry& e) { return uint32_t(std::popcount(~e.mask)); }
bool intersect(const RoutingEntry& a, const RoutingEntry& b) { return ((a.key ^ b.key) & a.mask & b.mask) == 0; }

std::string hex(uint32_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int i = 28; i >= 0; i -= 4) s += digits[(v >> i) & 0xF];
  return s;
}

// A set of entries with one route to be replaced by one covering entry.
struct Merge {
  std::vector<uint32_t> members;  // table indices, ascending
  RoutingEntry merged;
  size_t at = 0;  // where the merged entry goes in the current table
  // Entries saved (Mundy's "goodness").
  size_t goodness() const { return members.size() < 2 ? 0 : members.size() - 1; }
};

class OrderedCovering {
 public:
  OrderedCovering(std::span<const RoutingEntry> table, CoveringSearch search)
      : search_(search), t_(table.begin(), table.end()) {
    std::stable_sort(t_.begin(), t_.end(),
                     [](const RoutingEntry& a, const RoutingEntry& b) { return generality(a) < generality(b); });
    for (const RoutingEntry& e : t_) aliases_.push_back({e});
    // Alias ids: the sorted original entries.
    alias_ids_.resize(t_.size());
    for (uint32_t i = 0; i < t_.size(); ++i) alias_ids_[i] = {i};
    sets_.emplace(t_);
    place_aliases();
  }

  const std::vector<RoutingEntry>& table() const { return t_; }

  // Applies one merge chosen to bring the table closest to `capacity`
  // entries; false if no valid merge is left.
  bool merge_once(uint32_t capacity) {
    const size_t needed = t_.size() - std::min<size_t>(capacity, t_.size());
    std::map<uint32_t, std::vector<uint32_t>> by_route;
    for (uint32_t i = 0; i < t_.size(); ++i) by_route[t_[i].route].push_back(i);
    std::optional<Merge> best;
    for (auto& [route, members] : by_route) {
      if (members.size() < 2) continue;
      if (search_ == CoveringSearch::kRefined) {
        // A merge can only shrink while refined, so one that cannot beat the best is not refined.
        const size_t bound = !best ? 0 : best->goodness() >= needed ? needed - 1 : best->goodness();
        Merge m = make_merge(members);
        if (m.goodness() <= bound) continue;
        m = refine(std::move(m), bound);
        if (m.goodness() > bound && (!best || better(m, *best, needed))) best = std::move(m);
      }
      // Trie nodes: the refinement keeps the most members bit by bit, which
      // can miss a large aligned block (a whole population); these find it.
      std::stable_sort(members.begin(), members.end(), [&](uint32_t a, uint32_t b) { return t_[a].key < t_[b].key; });
      trie(members, 0, members.size(), needed, best);
    }
    if (!best) return false;
    if (search_ == CoveringSearch::kRefined && best->goodness() > needed) {
      // More than needed: the smallest sufficient trie node inside it, if one is valid.
      std::vector<uint32_t> by_key = best->members;
      std::stable_sort(by_key.begin(), by_key.end(), [&](uint32_t a, uint32_t b) { return t_[a].key < t_[b].key; });
      trie(by_key, 0, by_key.size(), needed, best);
    }
    apply(*best);
    return true;
  }

 private:
  // The smallest merge that is enough, else the largest; ties: the less general merged entry.
  static bool better(const Merge& c, const Merge& best, size_t needed) {
    const size_t rc = c.goodness(), rb = best.goodness();
    const bool c_enough = rc >= needed, b_enough = rb >= needed;
    if (c_enough != b_enough) return c_enough;
    if (rc != rb) return c_enough ? rc < rb : rc > rb;
    return generality(c.merged) < generality(best.merged);
  }

  // The covering entry has the bits on which every member is defined and agrees.
  Merge make_merge(std::vector<uint32_t> members) const {
    Merge m;
    m.members = std::move(members);
    if (m.members.empty()) return m;
    const uint32_t k0 = t_[m.members[0]].key;
    uint32_t mask = ~0u;
    for (uint32_t i : m.members) mask &= t_[i].mask & ~(t_[i].key ^ k0);
    m.merged = RoutingEntry{k0 & mask, mask, t_[m.members[0]].route};
    m.at = insert_pos(m.merged);
    return m;
  }

  // Mundy places a merged entry above the entries as general as itself, so
  // clashes with them are repaired by the down-check; the trie search places
  // it below them (as it always did).
  size_t insert_pos(const RoutingEntry& e) const {
    const uint32_t g = generality(e);
    const auto by_generality = [](const RoutingEntry& x, uint32_t gen) { return generality(x) < gen; };
    if (search_ == CoveringSearch::kRefined)
      return size_t(std::lower_bound(t_.begin(), t_.end(), g, by_generality) - t_.begin());
    return size_t(std::upper_bound(t_.begin(), t_.end(), g,
                                   [](uint32_t gen, const RoutingEntry& x) { return gen < generality(x); }) -
                  t_.begin());
  }

  // Mundy's refinement: the down-check, then the up-check, then the
  // down-check again if the up-check dropped members (dropping members only
  // moves the merged entry up, so the up-check stays satisfied). Returns an
  // empty merge once it cannot beat min_goodness.
  Merge refine(Merge m, size_t min_goodness) const {
    m = down_check(std::move(m), min_goodness);
    if (m.goodness() <= min_goodness) return {};
    bool changed = false;
    m = up_check(std::move(m), min_goodness, changed);
    if (changed && m.goodness() > min_goodness) m = down_check(std::move(m), min_goodness);
    return m.goodness() > min_goodness ? m : Merge{};
  }

  // Down-check: a key in use (an alias) of an entry below the merged entry
  // with another route must not fall under it. While one does, set one of
  // the merged entry's don't-care bits against it by dropping the members
  // that disagree, choosing, among the covered aliases with the fewest such
  // bits, the bit that keeps the most members.
  Merge down_check(Merge m, size_t min_goodness) const {
    std::vector<uint32_t> ids;
    while (m.goodness() > min_goodness) {
      int fewest = 33;
      ids.clear();
      sets_->for_each_clash(m.merged, below_from(m.merged), [&](uint32_t a) {
        const int n = std::popcount(alias_[a].mask & ~m.merged.mask);
        if (n < fewest) {
          fewest = n;
          ids.clear();
        }
        if (n == fewest) ids.push_back(a);
        return fewest > 0;
      });
      if (ids.empty()) return m;
      if (fewest == 0) return {};  // the alias holds the whole merged entry: no subset avoids it
      // defined[b][v]: members defined at bit b with value v there.
      std::array<std::array<uint32_t, 2>, 32> defined{};
      for (uint32_t i : m.members)
        for (uint32_t s = t_[i].mask; s; s &= s - 1) {
          const int b = std::countr_zero(s);
          ++defined[size_t(b)][(t_[i].key >> b) & 1u];
        }
      // Setting bit b to v avoids an alias that has the other value there.
      uint32_t want[2] = {0, 0};
      for (uint32_t a : ids) {
        const uint32_t s = alias_[a].mask & ~m.merged.mask;
        want[0] |= s & alias_[a].key;
        want[1] |= s & ~alias_[a].key;
      }
      uint32_t best_kept = 0, best_bit = 0, best_value = 0;
      for (uint32_t v = 0; v < 2; ++v)
        for (uint32_t s = want[v]; s; s &= s - 1) best_kept = std::max(best_kept, defined[size_t(std::countr_zero(s))][v]);
      if (best_kept > 0) {
        // Ties: the first such bit of the first such alias in table order.
        uint64_t first = UINT64_MAX;
        for (uint32_t a : ids) {
          if (alias_order_[a] >= first) continue;
          for (uint32_t s = alias_[a].mask & ~m.merged.mask; s; s &= s - 1) {
            const int b = std::countr_zero(s);
            const uint32_t v = ((alias_[a].key >> b) & 1u) ^ 1u;
            if (defined[size_t(b)][v] == best_kept) {
              first = alias_order_[a];
              best_bit = uint32_t(b);
              best_value = v;
              break;
            }
          }
        }
      }
      std::vector<uint32_t> keep;
      keep.reserve(best_kept);
      for (uint32_t i : m.members)
        if (((t_[i].mask >> best_bit) & 1u) && ((t_[i].key >> best_bit) & 1u) == best_value) keep.push_back(i);
      m = make_merge(std::move(keep));
    }
    return {};
  }

  // Up-check: a member whose aliases an entry with another route between
  // it and the merged entry's place would catch (that entry would now come
  // first) leaves the merge. Members are visited from the bottom up, as
  // each removal can move the merged entry up.
  Merge up_check(Merge m, size_t min_goodness, bool& changed) const {
    for (size_t k = m.members.size(); k-- > 0;) {
      const uint32_t i = m.members[k];
      bool caught = false;
      for (size_t j = i + 1; j < m.at && !caught; ++j) {
        if (t_[j].route == m.merged.route || !intersect(t_[i], t_[j])) continue;
        for (const RoutingEntry& a : aliases_[i])
          if (intersect(a, t_[j])) {
            caught = true;
            break;
          }
      }
      if (!caught) continue;
      changed = true;
      std::vector<uint32_t> rest = std::move(m.members);
      rest.erase(rest.begin() + std::ptrdiff_t(k));
      m = make_merge(std::move(rest));
      if (m.goodness() <= min_goodness) return {};
    }
    return m;
  }

  // Each entry stands for the original entries it replaced (its aliases):
  // only their keys are in use, so only they must keep their routes.
  bool valid(const Merge& m) const {
    // Below the merged entry: no original key of another route may fall under it.
    if (sets_->any_clash(m.merged, below_from(m.merged))) return false;
    // Between a member and the merged entry's place: no entry of another
    // route may match a key of that member (it would now win).
    size_t mi = 0;
    for (size_t j = m.members[0] + 1; j < m.at; ++j) {
      while (mi < m.members.size() && m.members[mi] < j) ++mi;
      if (mi < m.members.size() && m.members[mi] == j) continue;
      if (t_[j].route == m.merged.route || !intersect(m.merged, t_[j])) continue;
      for (size_t k = 0; k < mi; ++k) {
        if (!intersect(t_[m.members[k]], t_[j])) continue;  // nor do its aliases
        for (const RoutingEntry& a : aliases_[m.members[k]])
          if (intersect(a, t_[j])) return false;
      }
    }
    return true;
  }

  // Whether a merge saving `goodness` entries could be chosen over `best`
  // (equal savings may still win the tie).
  static bool may_win(size_t goodness, const std::optional<Merge>& best, size_t needed) {
    if (!best) return goodness > 0;
    const size_t g = best->goodness();
    return g >= needed ? goodness >= needed && goodness <= g : goodness >= g;
  }

  // Merges that are nodes of a binary trie over entries of one route sorted
  // by key; nodes that cannot win are not checked, and a valid node big
  // enough ends the descent (no subset is a better choice).
  void trie(const std::vector<uint32_t>& by_key, size_t lo, size_t hi, size_t needed,
            std::optional<Merge>& best) const {
    if (hi - lo < 2) return;
    const size_t goodness = hi - lo - 1;
    // Children save less: below this size nothing in the subtree can win.
    const size_t smallest = !best ? 1 : std::min(best->goodness(), needed);
    if (goodness < smallest) return;
    bool ok = false;
    if (may_win(goodness, best, needed)) {
      std::vector<uint32_t> members(by_key.begin() + std::ptrdiff_t(lo), by_key.begin() + std::ptrdiff_t(hi));
      std::sort(members.begin(), members.end());
      Merge m = make_merge(std::move(members));
      ok = valid(m);
      if (ok && (!best || better(m, *best, needed))) best = std::move(m);
    }
    if (ok && goodness <= needed) return;
    const uint32_t d = t_[by_key[lo]].key ^ t_[by_key[hi - 1]].key;
    if (d == 0) return;
    const uint32_t bit = 1u << (31 - std::countl_zero(d));
    size_t split = lo;
    while (split < hi && !(t_[by_key[split]].key & bit)) ++split;
    trie(by_key, lo, split, needed, best);
    trie(by_key, split, hi, needed, best);
  }

  void apply(const Merge& c) {
    std::vector<RoutingEntry> next;
    std::vector<std::vector<RoutingEntry>> next_aliases;
    std::vector<std::vector<uint32_t>> next_ids;
    std::vector<RoutingEntry> merged_aliases;
    std::vector<uint32_t> merged_ids;
    next.reserve(t_.size() - c.members.size() + 1);
    size_t mi = 0;
    for (uint32_t i = 0; i < t_.size(); ++i) {
      if (mi < c.members.size() && c.members[mi] == i) {
        ++mi;
        merged_aliases.insert(merged_aliases.end(), aliases_[i].begin(), aliases_[i].end());
        merged_ids.insert(merged_ids.end(), alias_ids_[i].begin(), alias_ids_[i].end());
        continue;
      }
      next.push_back(t_[i]);
      next_aliases.push_back(std::move(aliases_[i]));
      next_ids.push_back(std::move(alias_ids_[i]));
    }
    t_ = std::move(next);
    aliases_ = std::move(next_aliases);
    alias_ids_ = std::move(next_ids);
    const auto at = std::ptrdiff_t(insert_pos(c.merged));
    t_.insert(t_.begin() + at, c.merged);
    aliases_.insert(aliases_.begin() + at, std::move(merged_aliases));
    for (uint32_t a : merged_ids) sets_->move(a, generality(c.merged));
    alias_ids_.insert(alias_ids_.begin() + at, std::move(merged_ids));
    sets_->refresh();
    place_aliases();
  }

  // Entries at or after a merged entry's place are those at least (refined)
  // or more (trie nodes) general than it, as insert_pos() places it.
  uint32_t below_from(const RoutingEntry& merged) const {
    return generality(merged) + (search_ == CoveringSearch::kRefined ? 0u : 1u);
  }

  // Each alias's place in table order: its entry's index, then its place in that entry's list.
  void place_aliases() {
    if (alias_order_.empty()) {
      alias_order_.resize(t_.size());
      alias_.assign(t_.begin(), t_.end());
    }
    for (uint32_t i = 0; i < alias_ids_.size(); ++i)
      for (uint32_t k = 0; k < alias_ids_[i].size(); ++k) alias_order_[alias_ids_[i][k]] = (uint64_t(i) << 32) | k;
  }

  CoveringSearch search_;
  std::vector<RoutingEntry> t_;
  std::vector<std::vector<RoutingEntry>> aliases_;  // parallel to t_
  std::vector<std::vector<uint32_t>> alias_ids_;    // parallel to t_: ids of aliases_
  std::vector<RoutingEntry> alias_;                 // by alias id
  std::vector<uint64_t> alias_order_;               // by alias id
  std::optional<AliasSets> sets_;
};

}  // namespace

namespace {

void check_orthogonal(std::span<const RoutingEntry> table) {
  // One mask for all (route()'s tables): entries overlap only if their keys are equal.
  if (std::all_of(table.begin(), table.end(), [&](const RoutingEntry& e) { return e.mask == table[0].mask; })) {
    std::vector<uint32_t> keys;
    keys.reserve(table.size());
    for (const RoutingEntry& e : table) keys.push_back(e.key & e.mask);
    std::sort(keys.begin(), keys.end());
    if (std::adjacent_find(keys.begin(), keys.end()) == keys.end()) return;
  }
  // Otherwise (or to name the first overlapping pair) every pair.
  for (size_t i = 0; i < table.size(); ++i)
    for (size_t j = i + 1; j < table.size(); ++j)
      if (intersect(table[i], table[j]))
        throw std::invalid_argument("compress_table: entries " + std::to_string(i) + " (key " + hex(table[i].key) +
                                    " mask " + hex(table[i].mask) + ") and " + std::to_string(j) + " (key " +
                                    hex(table[j].key) + " mask " + hex(table[j].mask) +
                                    ") overlap; the input must be orthogonal");
}

}  // namespace

std::vector<RoutingEntry> compress_table(std::span<const RoutingEntry> table, uint32_t capacity,
                                         CompressionStats* stats, CoveringSearch search) {
  CompressionStats st;
  st.entries_before = uint32_t(table.size());
  std::vector<RoutingEntry> out(table.begin(), table.end());
  if (table.size() > capacity) {
    check_orthogonal(table);
    OrderedCovering oc(table, search);
    while (oc.table().size() > capacity) {
      if (!oc.merge_once(capacity))
        throw TableCapacityError("routing table of " + std::to_string(table.size()) + " entries compresses to " +
                                 std::to_string(oc.table().size()) + " at best, the router holds " +
                                 std::to_string(capacity));
      ++st.merges;
    }
    out = oc.table();
  }
  st.entries_after = uint32_t(out.size());
  if (stats) *stats = st;
  return out;
}

std::vector<RoutingEntry> minimise_table(std::span<const RoutingEntry> table, CoveringSearch search,
                                         CompressionStats* stats) {
  CompressionStats st;
  st.entries_before = uint32_t(table.size());
  check_orthogonal(table);
  OrderedCovering oc(table, search);
  while (oc.merge_once(0)) ++st.merges;
  std::vector<RoutingEntry> out = oc.table();
  st.entries_after = uint32_t(out.size());
  if (stats) *stats = st;
  return out;
}

namespace {

CompressedTable compress_chip(const ChipTable& t, const Partition& partition, const KeyAllocation& keys,
                              uint32_t capacity) {
  const std::string chip = "chip (" + std::to_string(t.chip.x) + "," + std::to_string(t.chip.y) + ")";
  CompressedTable ct;
  ct.chip = t.chip;
  ct.entries_before = uint32_t(t.entries.size());
  CompressionStats st;
  try {
    ct.entries = compress_table(t.entries, capacity, &st);
  } catch (const TableCapacityError& e) {
    throw TableCapacityError(chip + ": " + e.what());
  }
  ct.merges = st.merges;
  if (st.merges > 0) {
    std::vector<KeyRange> ranges;
    ranges.reserve(t.source_slice.size());
    for (uint32_t s : t.source_slice) ranges.push_back(KeyRange{keys.keys[s].base, partition.slices[s].n_atoms});
    if (auto bad = verify_compressed(t.entries, ct.entries, ranges, 8, 1, &ct.keys_verified))
      throw std::logic_error(chip + ": compressed routing table is not equivalent to the uncompressed one: " + *bad);
  }
  return ct;
}

}  // namespace

std::vector<CompressedTable> compress_routes(const Routes& routes, const Partition& partition,
                                             const KeyAllocation& keys, uint32_t capacity, unsigned threads) {
  // Chips are independent: workers take the next chip, each result goes to
  // its chip's slot, so the output does not depend on the thread count.
  const size_t n = routes.tables.size();
  std::vector<CompressedTable> out(n);
  // The first failing chip in table order is reported, whatever the timing.
  ParallelIndices chips(n);
  chips.run(threads, [&] {
    chips.each([&](size_t i) { out[i] = compress_chip(routes.tables[i], partition, keys, capacity); });
  });
  return out;
}

}  // namespace spindle::host
