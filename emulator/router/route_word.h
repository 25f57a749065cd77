// The route word of a multicast table entry (SpiNNaker layout): bits 0-5 are
// the six outgoing links (E, NE, N, W, SW, S), bits 6-23 the chip's cores
// 0-17 (core 0 is the monitor). Bits 24-31 must be zero.
#pragma once

#include <cstdint>

#include "machine/geometry.h"

namespace spindle::emu {

inline constexpr uint32_t kRouteLinkBits = 6;
inline constexpr uint32_t kRouteCoreBits = 18;
inline constexpr uint32_t kRouteLinkMask = (1u << kRouteLinkBits) - 1;                              // 0x00003F
inline constexpr uint32_t kRouteCoreMask = ((1u << kRouteCoreBits) - 1) << kRouteLinkBits;          // 0xFFFFC0
inline constexpr uint32_t kRouteValidMask = kRouteLinkMask | kRouteCoreMask;                        // 0xFFFFFF

constexpr uint32_t route_link(Link l) { return 1u << static_cast<uint32_t>(l); }
constexpr uint32_t route_link(uint32_t l) { return 1u << l; }
constexpr uint32_t route_core(uint32_t core) { return 1u << (kRouteLinkBits + core); }
// The link bits (0-5) and the core bits shifted down so that bit c is core c.
constexpr uint32_t route_links(uint32_t route) { return route & kRouteLinkMask; }
constexpr uint32_t route_cores(uint32_t route) { return (route & kRouteCoreMask) >> kRouteLinkBits; }

}  // namespace spindle::emu
