// Host CRC-32 of core images: zlib's crc32, the same IEEE 802.3 value as
// the firmware's fw::crc32 (reflected, polynomial 0xEDB88320, init and
// xorout 0xFFFFFFFF) that the cores check every region with
// (tests/host/image_crc_test.cpp). zlib's is table-driven and fast, which
// matters because the host checksums gigabytes of images; the firmware
// keeps its own small byte-at-a-time version.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace spindle::host {

inline uint32_t image_crc32(const uint8_t* data, size_t size, uint32_t crc = 0) {
  uLong c = crc;
  // zlib takes uInt lengths: whole buffers in pieces of at most 1 GiB.
  while (size > 0) {
    const size_t n = std::min<size_t>(size, size_t{1} << 30);
    c = ::crc32(c, data, static_cast<uInt>(n));
    data += n;
    size -= n;
  }
  return static_cast<uint32_t>(c);
}

}  // namespace spindle::host
