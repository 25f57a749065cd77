// A chip's multicast routing table: an ordered list of (key, mask, route)
// entries of bounded size; the first matching entry wins. lookup() here is
// the reference linear scan; FastLookup (fast_lookup.h) answers the same
// questions faster and is what the router uses on its hot path.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "router/routing_entry.h"

namespace spindle::emu {

inline constexpr uint32_t kDefaultTableCapacity = 1024;
inline constexpr uint32_t kNoMatch = UINT32_MAX;

enum class AddStatus : uint8_t {
  kOk,
  kTableFull,       // size() == capacity()
  kKeyOutsideMask,  // key has bits set where mask is 0: the entry could never match
  kBadRoute,        // route word has bits above bit 23
};
std::string_view describe(AddStatus s);

class RoutingTable {
 public:
  explicit RoutingTable(uint32_t capacity = kDefaultTableCapacity);

  // Appends an entry (it has lower priority than every entry already there).
  // Nothing is added unless the result is kOk.
  [[nodiscard]] AddStatus add(const RoutingEntry& entry);
  // add() that throws std::length_error / std::invalid_argument with a
  // message naming the entry and the reason.
  void add_or_throw(const RoutingEntry& entry);
  void clear();

  uint32_t size() const { return static_cast<uint32_t>(entries_.size()); }
  uint32_t capacity() const { return capacity_; }
  bool full() const { return entries_.size() >= capacity_; }
  std::span<const RoutingEntry> entries() const { return entries_; }
  const RoutingEntry& operator[](uint32_t i) const { return entries_[i]; }

  // Index of the first entry matching key, or kNoMatch. Linear scan.
  uint32_t find_first(uint32_t key) const;
  // Route word of the first matching entry, if any. Linear scan.
  std::optional<uint32_t> lookup(uint32_t key) const;

  // Changes each time the table changes (to rebuild derived lookup structures).
  uint64_t generation() const { return generation_; }

 private:
  std::vector<RoutingEntry> entries_;
  uint32_t capacity_;
  uint64_t generation_ = 0;
};

}  // namespace spindle::emu
