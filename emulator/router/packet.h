// Packets as they travel through the fabric. Cores see fw::Packet (key,
// optional payload); the fabric adds the kind, the destination of P2P and NN
// packets and the routing state a real router keeps in the packet header or
// its pipeline (arrival link, emergency marking, age in hops).
#pragma once

#include <cstdint>

#include "platform/platform.h"

namespace spindle::emu {

enum class PacketKind : uint8_t {
  kMulticast = 0,         // routed by key through the tables
  kPointToPoint = 1,      // to one chip's monitor core, along a shortest path
  kNearestNeighbour = 2,  // to the monitor core of the chip across one link
};

// arrived_on for a packet injected by a core of this chip.
inline constexpr uint8_t kFromLocal = 6;

// Emergency routing around the triangle: a packet blocked on link l from chip
// A to B leaves A by next_link(l) to C (leg 1), and C sends it on by
// prev_link(l) to B (leg 2) without a table lookup.
enum class EmergencyLeg : uint8_t { kNone = 0, kFirst = 1, kSecond = 2 };

struct FabricPacket {
  uint32_t key = 0;
  uint32_t payload = 0;
  uint32_t dest = 0;          // P2P: target chip index; NN: the link (0-5); MC: unused
  uint16_t hops = 0;          // links travelled (packets older than RouterConfig::max_hops are dropped)
  PacketKind kind = PacketKind::kMulticast;
  bool has_payload = false;
  uint8_t arrived_on = kFromLocal;  // link it came in on (of the receiving chip), or kFromLocal
  EmergencyLeg emergency = EmergencyLeg::kNone;
  uint8_t blocked_link = 0;   // emergency packets: the link l they are going around
  uint8_t reinjections = 0;   // times taken out of a dump queue and reinjected (> 0: late)
  uint8_t source_core = 0;

  fw::Packet core_packet() const { return fw::Packet{key, payload, has_payload}; }
};
static_assert(sizeof(FabricPacket) <= 24, "keep the fabric packet small: it is copied on every hop");

}  // namespace spindle::emu
