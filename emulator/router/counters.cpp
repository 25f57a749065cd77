#include "router/counters.h"

namespace spindle::emu {

std::string_view drop_reason_name(DropReason r) {
  switch (r) {
    case DropReason::kUnroutedLocal: return "unrouted_local";
    case DropReason::kEmptyRoute: return "empty_route";
    case DropReason::kDeadCore: return "dead_core";
    case DropReason::kNoLink: return "no_link";
    case DropReason::kDumpFull: return "dump_full";
    case DropReason::kReinjectLimit: return "reinject_limit";
    case DropReason::kHopLimit: return "hop_limit";
    case DropReason::kBadSource: return "bad_source";
    case DropReason::kDiscarded: return "discarded";
    case DropReason::kCount: break;
  }
  return "unknown";
}

uint64_t RouterCounters::dropped_total() const {
  uint64_t n = 0;
  for (uint64_t d : dropped) n += d;
  return n;
}

RouterCounters& RouterCounters::operator+=(const RouterCounters& o) {
  injected += o.injected;
  received += o.received;
  copies += o.copies;
  delivered += o.delivered;
  delivered_late += o.delivered_late;
  table_hits += o.table_hits;
  default_routed += o.default_routed;
  blocked += o.blocked;
  emergency_routed += o.emergency_routed;
  emergency_forwarded += o.emergency_forwarded;
  dumped += o.dumped;
  reinjected += o.reinjected;
  for (uint32_t i = 0; i < kDropReasonCount; ++i) dropped[i] += o.dropped[i];
  return *this;
}

LinkCounters& LinkCounters::operator+=(const LinkCounters& o) {
  carried += o.carried;
  carried_emergency += o.carried_emergency;
  refused_full += o.refused_full;
  refused_dead += o.refused_dead;
  return *this;
}

}  // namespace spindle::emu
