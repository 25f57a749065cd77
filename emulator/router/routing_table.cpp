#include "router/routing_table.h"

#include <cstdio>
#include <stdexcept>
#include <string>

#include "router/route_word.h"

namespace spindle::emu {

std::string_view describe(AddStatus s) {
  switch (s) {
    case AddStatus::kOk: return "ok";
    case AddStatus::kTableFull: return "routing table is full";
    case AddStatus::kKeyOutsideMask: return "entry key has bits outside its mask (it could never match)";
    case AddStatus::kBadRoute: return "route word has bits above bit 23 (only 6 links and 18 cores exist)";
  }
  return "unknown";
}

RoutingTable::RoutingTable(uint32_t capacity) : capacity_(capacity) { entries_.reserve(capacity); }

AddStatus RoutingTable::add(const RoutingEntry& entry) {
  if (entries_.size() >= capacity_) return AddStatus::kTableFull;
  if ((entry.key & ~entry.mask) != 0) return AddStatus::kKeyOutsideMask;
  if ((entry.route & ~kRouteValidMask) != 0) return AddStatus::kBadRoute;
  entries_.push_back(entry);
  ++generation_;
  return AddStatus::kOk;
}

void RoutingTable::add_or_throw(const RoutingEntry& entry) {
  const AddStatus s = add(entry);
  if (s == AddStatus::kOk) return;
  char buf[160];
  std::snprintf(buf, sizeof buf, "cannot add routing entry key=0x%08x mask=0x%08x route=0x%06x (table %u/%u): ",
                entry.key, entry.mask, entry.route, size(), capacity_);
  const std::string msg = std::string(buf) + std::string(describe(s));
  if (s == AddStatus::kTableFull) throw std::length_error(msg);
  throw std::invalid_argument(msg);
}

void RoutingTable::clear() {
  entries_.clear();
  ++generation_;
}

uint32_t RoutingTable::find_first(uint32_t key) const {
  const RoutingEntry* e = entries_.data();
  const uint32_t n = size();
  for (uint32_t i = 0; i < n; ++i)
    if ((key & e[i].mask) == e[i].key) return i;
  return kNoMatch;
}

std::optional<uint32_t> RoutingTable::lookup(uint32_t key) const {
  const uint32_t i = find_first(key);
  if (i == kNoMatch) return std::nullopt;
  return entries_[i].route;
}

}  // namespace spindle::emu
