#include "mapping/compress.h"

#include <algorithm>
#include <bit>
#include <map>

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

struct Candidate {
  std::vector<uint32_t> members;  // table indices, ascending
  RoutingEntry merged;
};

class OrderedCovering {
 public:
  OrderedCovering(std::span<const RoutingEntry> table) : t_(table.begin(), table.end()) {
    std::stable_sort(t_.begin(), t_.end(),
                     [](const RoutingEntry& a, const RoutingEntry& b) { return generality(a) < generality(b); });
    for (const RoutingEntry& e : t_) aliases_.push_back({e});
  }

  const std::vector<RoutingEntry>& table() const { return t_; }

  // One merge that brings the table closest to fitting; false if none is valid.
  bool merge_once(uint32_t capacity) {
    const size_t needed = t_.size() - capacity;
    std::map<uint32_t, std::vector<uint32_t>> by_route;
    for (uint32_t i = 0; i < t_.size(); ++i) by_route[t_[i].route].push_back(i);
    std::vector<Candidate> found;
    for (auto& [route, members] : by_route) {
      if (members.size() < 2) continue;
      std::stable_sort(members.begin(), members.end(), [&](uint32_t a, uint32_t b) { return t_[a].key < t_[b].key; });
      trie(members, 0, members.size(), needed, found);
    }
    if (found.empty()) return false;
    // Smallest merge that is enough, else the largest; ties: the least general merged entry, then the first found.
    const Candidate* best = nullptr;
    for (const Candidate& c : found) {
      if (!best) {
        best = &c;
        continue;
      }
      const size_t rc = c.members.size() - 1, rb = best->members.size() - 1;
      const bool c_enough = rc >= needed, b_enough = rb >= needed;
      bool better = false;
      if (c_enough != b_enough) better = c_enough;
      else if (rc != rb) better = c_enough ? rc < rb : rc > rb;
      else better = generality(c.merged) < generality(best->merged);
      if (better) best = &c;
    }
    apply(*best);
    return true;
  }

 private:
  RoutingEntry cover(const std::vector<uint32_t>& m) const {
    const uint32_t k0 = t_[m[0]].key;
    uint32_t mask = ~0u;
    for (uint32_t i : m) mask &= t_[i].mask & ~(t_[i].key ^ k0);
    return RoutingEntry{k0 & mask, mask, t_[m[0]].route};
  }

  size_t insert_pos(const RoutingEntry& e) const {
    const uint32_t g = generality(e);
    return size_t(std::upper_bound(t_.begin(), t_.end(), g,
                                   [](uint32_t gen, const RoutingEntry& x) { return gen < generality(x); }) -
                  t_.begin());
  }

  // Each entry stands for the original entries it replaced (its aliases):
  // only their keys are in use, so only they must keep their routes.
  bool valid(const std::vector<uint32_t>& members, const RoutingEntry& m) const {
    const size_t p = insert_pos(m);
    // Below the merged entry: no original key of another route may fall under it.
    for (size_t i = p; i < t_.size(); ++i) {
      if (t_[i].route == m.route || !intersect(m, t_[i])) continue;
      for (const RoutingEntry& a : aliases_[i])
        if (intersect(m, a)) return false;
    }
    // Between a member and the merged entry's place: no entry of another
    // route may match a key of that member (it would now win).
    size_t mi = 0;
    for (size_t j = members[0] + 1; j < p; ++j) {
      while (mi < members.size() && members[mi] < j) ++mi;
      if (mi < members.size() && members[mi] == j) continue;
      if (t_[j].route == m.route || !intersect(m, t_[j])) continue;
      for (size_t k = 0; k < mi; ++k)
        for (const RoutingEntry& a : aliases_[members[k]])
          if (intersect(a, t_[j])) return false;
    }
    return true;
  }

  // Candidate merges: the nodes of a binary trie over one route's entries (sorted by key).
  void trie(const std::vector<uint32_t>& by_key, size_t lo, size_t hi, size_t needed, std::vector<Candidate>& out) const {
    if (hi - lo < 2) return;
    std::vector<uint32_t> m(by_key.begin() + std::ptrdiff_t(lo), by_key.begin() + std::ptrdiff_t(hi));
    std::sort(m.begin(), m.end());
    const RoutingEntry merged = cover(m);
    const bool ok = valid(m, merged);
    const size_t reduction = hi - lo - 1;
    if (ok) out.push_back(Candidate{m, merged});
    if (ok && reduction <= needed) return;  // no subset is a better choice
    const uint32_t d = t_[by_key[lo]].key ^ t_[by_key[hi - 1]].key;
    if (d == 0) return;
    const uint32_t bit = 1u << (31 - std::countl_zero(d));
    size_t split = lo;
    while (split < hi && !(t_[by_key[split]].key & bit)) ++split;
    trie(by_key, lo, split, needed, out);
    trie(by_key, split, hi, needed, out);
  }

  void apply(const Candidate& c) {
    std::vector<RoutingEntry> next;
    std::vector<std::vector<RoutingEntry>> next_aliases, merged_aliases(1);
    next.reserve(t_.size() - c.members.size() + 1);
    size_t mi = 0;
    for (uint32_t i = 0; i < t_.size(); ++i) {
      if (mi < c.members.size() && c.members[mi] == i) {
        ++mi;
        merged_aliases[0].insert(merged_aliases[0].end(), aliases_[i].begin(), aliases_[i].end());
        continue;
      }
      next.push_back(t_[i]);
      next_aliases.push_back(std::move(aliases_[i]));
    }
    t_ = std::move(next);
    aliases_ = std::move(next_aliases);
    const auto at = std::ptrdiff_t(insert_pos(c.merged));
    t_.insert(t_.begin() + at, c.merged);
    aliases_.insert(aliases_.begin() + at, std::move(merged_aliases[0]));
  }

  std::vector<RoutingEntry> t_;
  std::vector<std::vector<RoutingEntry>> aliases_;  // parallel to t_
};

std::optional<uint32_t> first_match(std::span<const RoutingEntry> t, const std::vector<uint32_t>& idx, uint32_t key) {
  for (uint32_t i : idx)
    if (t[i].matches(key)) return t[i].route;
  return std::nullopt;
}

std::vector<uint32_t> candidates(std::span<const RoutingEntry> t, const RoutingEntry& cover) {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < t.size(); ++i)
    if (intersect(t[i], cover)) out.push_back(i);
  return out;
}

std::string route_text(std::optional<uint32_t> r) { return r ? "route " + hex(*r) : "no entry"; }

}  // namespace

std::vector<RoutingEntry> compress_table(std::span<const RoutingEntry> table, uint32_t capacity,
                                         CompressionStats* stats) {
  CompressionStats st;
  st.entries_before = uint32_t(table.size());
  std::vector<RoutingEntry> out(table.begin(), table.end());
  if (table.size() > capacity) {
    for (size_t i = 0; i < table.size(); ++i)
      for (size_t j = i + 1; j < table.size(); ++j)
        if (intersect(table[i], table[j]))
          throw std::invalid_argument("compress_table: entries " + std::to_string(i) + " (key " + hex(table[i].key) +
                                      " mask " + hex(table[i].mask) + ") and " + std::to_string(j) + " (key " +
                                      hex(table[j].key) + " mask " + hex(table[j].mask) +
                                      ") overlap; the input must be orthogonal");
    OrderedCovering oc(table);
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

std::optional<std::string> verify_compressed(std::span<const RoutingEntry> original,
                                             std::span<const RoutingEntry> compressed,
                                             std::span<const KeyRange> keys_in_use, uint32_t near_samples,
                                             uint64_t seed, uint64_t* keys_checked) {
  uint64_t checked = 0;
  uint64_t state = seed;
  auto next = [&] {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return uint32_t((z ^ (z >> 31)) >> 32);
  };
  std::vector<uint32_t> all_o(original.size()), all_c(compressed.size());
  for (uint32_t i = 0; i < all_o.size(); ++i) all_o[i] = i;
  for (uint32_t i = 0; i < all_c.size(); ++i) all_c[i] = i;
  auto mismatch = [&](uint32_t key, std::optional<uint32_t> o, std::optional<uint32_t> c, const char* what) {
    return std::string(what) + " key " + hex(key) + ": uncompressed table gives " + route_text(o) +
           ", compressed table gives " + route_text(c);
  };
  for (const KeyRange& r : keys_in_use) {
    if (r.count == 0) continue;
    const uint32_t last = uint32_t(std::min<uint64_t>(uint64_t(r.base) + r.count - 1, UINT32_MAX));
    const uint32_t d = r.base ^ last;
    const uint32_t bits = d ? uint32_t(32 - std::countl_zero(d)) : 0u;
    const uint32_t mask = bits >= 32 ? 0u : ~((1u << bits) - 1u);
    const RoutingEntry cover{r.base & mask, mask, 0};
    const auto io = candidates(original, cover), ic = candidates(compressed, cover);
    for (uint64_t k = r.base; k <= last; ++k) {
      const auto o = first_match(original, io, uint32_t(k)), c = first_match(compressed, ic, uint32_t(k));
      ++checked;
      if (o != c) return mismatch(uint32_t(k), o, c, "in-use");
    }
    // Nearby keys: where the original routes them, the compressed table must agree.
    std::vector<uint32_t> near;
    for (uint32_t j = 1; j <= near_samples / 4 + 1; ++j) {
      if (uint64_t(last) + j <= UINT32_MAX) near.push_back(last + j);
      if (r.base >= j) near.push_back(r.base - j);
    }
    const uint32_t home = original.empty() ? 0u : [&] {
      for (uint32_t i : io)
        if (original[i].matches(r.base)) return i;
      return uint32_t(original.size());
    }();
    for (uint32_t j = 0; j < near_samples; ++j) {
      const uint32_t rnd = next();
      near.push_back(home < original.size() ? original[home].key | (rnd & ~original[home].mask)
                                            : (r.base & mask) | (rnd & ~mask));
    }
    for (uint32_t k : near) {
      const auto o = first_match(original, all_o, k);
      if (!o) continue;
      const auto c = first_match(compressed, all_c, k);
      ++checked;
      if (o != c) return mismatch(k, o, c, "nearby");
    }
  }
  if (keys_checked) *keys_checked = checked;
  return std::nullopt;
}

std::vector<CompressedTable> compress_routes(const Routes& routes, const Partition& partition,
                                             const KeyAllocation& keys, uint32_t capacity) {
  std::vector<CompressedTable> out;
  out.reserve(routes.tables.size());
  for (const ChipTable& t : routes.tables) {
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
    out.push_back(std::move(ct));
  }
  return out;
}

}  // namespace spindle::host
