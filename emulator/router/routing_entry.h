// One multicast table entry. A packet key k matches when (k & mask) == key;
// bits of `key` outside `mask` must therefore be zero (such an entry could
// never match, and RoutingTable::add rejects it).
#pragma once

#include <cstdint>

namespace spindle::emu {

struct RoutingEntry {
  uint32_t key = 0;
  uint32_t mask = 0;
  uint32_t route = 0;  // see route_word.h

  constexpr bool matches(uint32_t packet_key) const { return (packet_key & mask) == key; }
  friend constexpr bool operator==(const RoutingEntry&, const RoutingEntry&) = default;
};

}  // namespace spindle::emu
