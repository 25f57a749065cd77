// What routers and links count, and the report a Fabric gives at the end of
// a run. Accounting unit: one packet copy. A multicast packet routed to k
// outputs (cores and links) becomes k copies (k - 1 are counted in
// `copies`). The invariant, checked by FabricReport::balanced():
//   injected + copies == delivered + dropped + pending
// where pending is what sits in dump queues between ticks (0 after
// Fabric::drain or Fabric::discard_pending).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace spindle::emu {

enum class DropReason : uint8_t {
  kUnroutedLocal,   // multicast from a local core that matches no entry
  kEmptyRoute,      // matched an entry whose route word is 0
  kDeadCore,        // delivery to a dead or nonexistent core
  kNoLink,          // output link leads off the mesh or to a dead/absent chip
  kDumpFull,        // had to be dumped but the dump queue was full
  kReinjectLimit,   // had to be dumped again after max_reinjections reinjections
  kHopLimit,        // crossed more than max_hops links (routing loop)
  kBadSource,       // injected from a dead/absent chip or core, or P2P to a dead/absent chip
  kDiscarded,       // still in a dump queue at Fabric::discard_pending()
  kCount
};
inline constexpr uint32_t kDropReasonCount = static_cast<uint32_t>(DropReason::kCount);
std::string_view drop_reason_name(DropReason r);

struct RouterCounters {
  uint64_t injected = 0;             // packets accepted from this chip's cores
  uint64_t received = 0;             // packets arrived over links
  uint64_t copies = 0;               // extra copies made by multicast fan-out
  uint64_t delivered = 0;            // copies put in a core's inbox
  uint64_t delivered_late = 0;       // ... of which had been dumped and reinjected (a tick late)
  uint64_t table_hits = 0;           // multicast packets that matched an entry
  uint64_t default_routed = 0;       // unmatched multicast packets sent straight on
  uint64_t blocked = 0;              // copies that found their link full or dead at least once
  uint64_t emergency_routed = 0;     // copies sent round the triangle from this chip (leg 1)
  uint64_t emergency_forwarded = 0;  // emergency copies passed on by this chip (leg 2)
  uint64_t dumped = 0;               // copies put in the dump queue
  uint64_t reinjected = 0;           // copies taken from the dump queue and routed again
  std::array<uint64_t, kDropReasonCount> dropped{};

  uint64_t dropped_total() const;
  uint64_t dropped_by(DropReason r) const { return dropped[static_cast<uint32_t>(r)]; }
  RouterCounters& operator+=(const RouterCounters& o);
};

// One direction of one link: chip -> neighbour across the link.
struct LinkCounters {
  uint64_t carried = 0;            // packets carried (including emergency ones)
  uint64_t carried_emergency = 0;  // ... of which on an emergency leg
  uint64_t refused_full = 0;       // send attempts refused: buffer full or tick budget spent
  uint64_t refused_dead = 0;       // send attempts refused: link failed
  LinkCounters& operator+=(const LinkCounters& o);
};

struct FabricReport {
  std::vector<RouterCounters> routers;  // by chip index (mesh.index); zeros for absent chips
  std::vector<LinkCounters> links;      // chip index * 6 + link
  RouterCounters totals;                // sum of routers
  LinkCounters link_totals;             // sum of links
  uint64_t pending = 0;                 // copies waiting in dump queues

  bool balanced() const {
    return totals.injected + totals.copies == totals.delivered + totals.dropped_total() + pending;
  }
};

}  // namespace spindle::emu
