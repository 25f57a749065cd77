// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the checksum of core
// image headers and regions. Same value as zlib's crc32(), so host tools in
// any language can check an image.
#pragma once

#include <cstddef>
#include <cstdint>

namespace spindle::fw {

uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

}  // namespace spindle::fw
