#include "selftest/bundle.h"

#include <cstring>

namespace spindle::fw {

int32_t parse_bundle(const uint8_t* data, uint32_t size, BundleEntry* entries, uint32_t max_entries) {
  if (data == nullptr || size < 8) return -1;
  uint32_t magic, count;
  std::memcpy(&magic, data, 4);
  std::memcpy(&count, data + 4, 4);
  if (magic != kBundleMagic || count > max_entries) return -1;
  uint64_t offset = 8 + uint64_t{count} * 4;
  if (offset > size) return -1;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t n;
    std::memcpy(&n, data + 8 + 4 * i, 4);
    offset = (offset + 3) & ~uint64_t{3};
    if (offset + n > size) return -1;
    entries[i] = BundleEntry{data + offset, n};
    offset += n;
  }
  return static_cast<int32_t>(count);
}

}  // namespace spindle::fw
