// Bit-parallel search over the original entries of a table being compressed
// (the aliases, whose keys are the ones in use): which aliases of another
// route, sitting at or below a given generality, share a key with an entry.
// One bitset per (key bit, value) holds the aliases that allow that value
// there, so "shares a key with entry e" is the AND of the bitsets of e's
// cared-about bits: a few thousand aliases cost ~50 words per bit instead
// of a scan of the table with its alias lists on every check.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "router/routing_entry.h"

namespace spindle::host {

class AliasSets {
 public:
  // `aliases` in id order; each starts at its own generality.
  explicit AliasSets(std::span<const emu::RoutingEntry> aliases)
      : n_(uint32_t(aliases.size())), words_((n_ + 63) / 64), allows_(64 * size_t(words_)), gen_(n_),
        at_gen_(34 * size_t(words_)), below_(35 * size_t(words_)) {
    for (uint32_t a = 0; a < n_; ++a) {
      const emu::RoutingEntry& e = aliases[a];
      for (uint32_t b = 0; b < 32; ++b)
        for (uint32_t v = 0; v < 2; ++v)
          if (!((e.mask >> b) & 1u) || ((e.key >> b) & 1u) == v) set(allows_, 2 * b + v, a);
      const auto [r, added] = route_row_.try_emplace(e.route, uint32_t(route_row_.size()));
      if (added) of_route_.resize(of_route_.size() + words_);
      set(of_route_, r->second, a);
      gen_[a] = uint32_t(std::popcount(~e.mask));
      set(at_gen_, gen_[a], a);
    }
    refresh();
  }

  // Alias `a` now belongs to an entry of generality g; refresh() afterwards.
  void move(uint32_t a, uint32_t g) {
    at_gen_[size_t(gen_[a]) * words_ + a / 64] &= ~(uint64_t(1) << (a % 64));
    gen_[a] = g;
    set(at_gen_, g, a);
  }
  void refresh() {
    std::fill(below_.begin() + 33 * std::ptrdiff_t(words_), below_.end(), 0);
    for (uint32_t g = 33; g-- > 0;)
      for (uint32_t w = 0; w < words_; ++w)
        below_[size_t(g) * words_ + w] = below_[size_t(g + 1) * words_ + w] | at_gen_[size_t(g) * words_ + w];
  }

  // Calls f(alias) in id order for each alias of generality >= min_generality
  // whose route is not e.route and that shares a key with e; stops when f
  // returns false.
  template <class F>
  void for_each_clash(const emu::RoutingEntry& e, uint32_t min_generality, F&& f) const {
    if (min_generality > 33) return;
    const uint64_t* below = below_.data() + size_t(min_generality) * words_;
    const auto r = route_row_.find(e.route);
    const uint64_t* same = r == route_row_.end() ? nullptr : of_route_.data() + size_t(r->second) * words_;
    uint32_t rows[32];
    uint32_t n_rows = 0;
    for (uint32_t s = e.mask; s; s &= s - 1) {
      const uint32_t b = uint32_t(std::countr_zero(s));
      rows[n_rows++] = 2 * b + ((e.key >> b) & 1u);
    }
    for (uint32_t w = 0; w < words_; ++w) {
      uint64_t x = below[w] & (same ? ~same[w] : ~uint64_t(0));
      for (uint32_t i = 0; i < n_rows && x; ++i) x &= allows_[size_t(rows[i]) * words_ + w];
      for (; x; x &= x - 1)
        if (!f(w * 64 + uint32_t(std::countr_zero(x)))) return;
    }
  }
  bool any_clash(const emu::RoutingEntry& e, uint32_t min_generality) const {
    bool any = false;
    for_each_clash(e, min_generality, [&](uint32_t) { return !(any = true); });
    return any;
  }

 private:
  void set(std::vector<uint64_t>& v, uint32_t row, uint32_t a) {
    v[size_t(row) * words_ + a / 64] |= uint64_t(1) << (a % 64);
  }

  uint32_t n_, words_;
  std::vector<uint64_t> allows_;    // row 2b + v: aliases that allow value v at bit b
  std::unordered_map<uint32_t, uint32_t> route_row_;  // route -> row of of_route_
  std::vector<uint64_t> of_route_;                     // aliases with that route
  std::vector<uint32_t> gen_;       // generality of each alias's current entry
  std::vector<uint64_t> at_gen_;    // row g: aliases whose entry has generality g
  std::vector<uint64_t> below_;     // row g: aliases whose entry has generality >= g
};

}  // namespace spindle::host
