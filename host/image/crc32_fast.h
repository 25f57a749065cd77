#pragma once
// Host CRC-32 for core images: the same IEEE 802.3 value as fw::crc32
// (reflected, polynomial 0xEDB88320, init and xorout 0xFFFFFFFF), computed
// eight bytes per step (slicing-by-8) because the host checksums gigabytes
// of images; the firmware keeps its small byte-at-a-time version.
#include <cstddef>
#include <cstdint>

namespace spindle::host {

uint32_t crc32_fast(const uint8_t* data, size_t size, uint32_t crc = 0);

}  // namespace spindle::host
