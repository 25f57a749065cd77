// A bundle of core images, as embedded in a board's self-test firmware:
//   u32 magic "SBND", u32 count, u32 sizes[count], then each image, each
//   starting on a 4-byte boundary.
#pragma once

#include <cstdint>

namespace spindle::fw {

inline constexpr uint32_t kBundleMagic = 0x444E4253;  // "SBND"

struct BundleEntry {
  const uint8_t* data = nullptr;
  uint32_t size = 0;
};

// Fills entries[0..count) and returns count, or -1 if the bundle is malformed
// (never reads outside [data, data + size)).
int32_t parse_bundle(const uint8_t* data, uint32_t size, BundleEntry* entries, uint32_t max_entries);

}  // namespace spindle::fw
