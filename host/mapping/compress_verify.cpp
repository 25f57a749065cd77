// verify_compressed() (declared in compress.h): the compressed table must
// give the uncompressed one's first-match route on every key in use.
//
// Cheap but exhaustive: both tables are looked up through FastLookup tries
// (a few bit tests per key instead of a scan of thousands of entries), and
// a range of keys is walked in blocks of 2^z aligned keys, where z is the
// number of low bits that no entry of either table cares about (8 for the
// mapping's atom field): keys of one block match exactly the same entries
// in both tables, so one lookup per block decides every key in it.
#include <bit>
#include <stdexcept>

#include "mapping/compress.h"
#include "router/fast_lookup.h"
#include "router/routing_table.h"

namespace spindle::host {
namespace {

using emu::RoutingEntry;

std::string hex(uint32_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int i = 28; i >= 0; i -= 4) s += digits[(v >> i) & 0xF];
  return s;
}

std::string route_text(std::optional<uint32_t> r) { return r ? "route " + hex(*r) : "no entry"; }

// First-match lookup over any list of entries. The trie holds the entries
// that can match at all (an entry with key bits outside its mask never
// does) with route 0, so that any route word is accepted; routes and
// indices are read back from the list.
class TableLookup {
 public:
  explicit TableLookup(std::span<const RoutingEntry> t) : t_(t) {
    emu::RoutingTable table(uint32_t(t.size()));
    for (uint32_t i = 0; i < t.size(); ++i) {
      if ((t[i].key & ~t[i].mask) != 0) continue;
      if (table.add(RoutingEntry{t[i].key, t[i].mask, 0}) != emu::AddStatus::kOk)
        throw std::logic_error("verify_compressed: entry " + std::to_string(i) + " rejected by the lookup table");
      index_.push_back(i);
      cared_ |= t[i].mask;
    }
    trie_.build(table);
  }

  // Index in the list of the first entry matching key.
  std::optional<uint32_t> first(uint32_t key) const {
    const uint32_t i = trie_.find_first(key);
    if (i == emu::kNoMatch) return std::nullopt;
    return index_[i];
  }
  std::optional<uint32_t> route(uint32_t key) const {
    const auto i = first(key);
    if (!i) return std::nullopt;
    return t_[*i].route;
  }
  // Bits some entry that can match cares about.
  uint32_t cared_bits() const { return cared_; }

 private:
  std::span<const RoutingEntry> t_;
  std::vector<uint32_t> index_;  // trie entry -> list index
  emu::FastLookup trie_;
  uint32_t cared_ = 0;
};

}  // namespace

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
  const TableLookup lo(original), lc(compressed);
  // Keys that differ only below bit `block` match the same entries everywhere.
  const uint32_t cared = lo.cared_bits() | lc.cared_bits();
  const int block = cared == 0 ? 32 : std::countr_zero(cared);
  auto mismatch = [&](uint32_t key, std::optional<uint32_t> o, std::optional<uint32_t> c, const char* what) {
    return std::string(what) + " key " + hex(key) + ": uncompressed table gives " + route_text(o) +
           ", compressed table gives " + route_text(c);
  };
  for (const KeyRange& r : keys_in_use) {
    if (r.count == 0) continue;
    const uint64_t last = std::min<uint64_t>(uint64_t(r.base) + r.count - 1, UINT32_MAX);
    for (uint64_t k = r.base; k <= last;) {
      const uint64_t block_end = std::min(last + 1, ((k >> block) + 1) << block);
      const auto o = lo.route(uint32_t(k)), c = lc.route(uint32_t(k));
      // The block's first key in range is also its first mismatching key.
      if (o != c) return mismatch(uint32_t(k), o, c, "in-use");
      checked += block_end - k;
      k = block_end;
    }
    // Nearby keys: where the original routes them, the compressed table must agree.
    std::vector<uint32_t> near;
    for (uint32_t j = 1; j <= near_samples / 4 + 1; ++j) {
      if (last + j <= UINT32_MAX) near.push_back(uint32_t(last + j));
      if (r.base >= j) near.push_back(r.base - j);
    }
    const auto home = lo.first(r.base);
    const uint32_t d = r.base ^ uint32_t(last);
    const uint32_t bits = d ? uint32_t(32 - std::countl_zero(d)) : 0u;
    const uint32_t cover = bits >= 32 ? 0u : ~((1u << bits) - 1u);
    for (uint32_t j = 0; j < near_samples; ++j) {
      const uint32_t rnd = next();
      near.push_back(home ? original[*home].key | (rnd & ~original[*home].mask) : (r.base & cover) | (rnd & ~cover));
    }
    for (uint32_t k : near) {
      const auto o = lo.route(k);
      if (!o) continue;
      const auto c = lc.route(k);
      ++checked;
      if (o != c) return mismatch(k, o, c, "nearby");
    }
  }
  if (keys_checked) *keys_checked = checked;
  return std::nullopt;
}

}  // namespace spindle::host
