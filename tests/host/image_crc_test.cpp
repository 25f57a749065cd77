// The host's CRC-32 (zlib) must give exactly the firmware's value,
// since cores check every image region with fw::crc32.
#include "image/image_crc.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "util/crc32.h"

namespace spindle::host {
namespace {

TEST(ImageCrc, CheckValue) {
  const char* s = "123456789";
  EXPECT_EQ(image_crc32(reinterpret_cast<const uint8_t*>(s), std::strlen(s)), 0xCBF43926u);
  EXPECT_EQ(image_crc32(nullptr, 0), 0u);
}

TEST(ImageCrc, MatchesFirmwareOnRandomBuffersLengthsAndOffsets) {
  std::mt19937 rng(12345);
  std::vector<uint8_t> buf(4096 + 16);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t offset = 0; offset < 8; ++offset)
    for (size_t len : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{15}, size_t{16}, size_t{63},
                       size_t{1000}, size_t{4096}}) {
      const uint8_t* p = buf.data() + offset;
      ASSERT_EQ(image_crc32(p, len), fw::crc32(p, len)) << "offset " << offset << " length " << len;
    }
}

TEST(ImageCrc, ContinuesAPreviousCrcLikeTheFirmware) {
  std::mt19937 rng(7);
  std::vector<uint8_t> buf(777);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t split : {size_t{0}, size_t{3}, size_t{8}, size_t{400}, size_t{777}}) {
    const uint32_t first = image_crc32(buf.data(), split);
    EXPECT_EQ(image_crc32(buf.data() + split, buf.size() - split, first), fw::crc32(buf.data(), buf.size()));
    EXPECT_EQ(image_crc32(buf.data() + split, buf.size() - split, first),
              fw::crc32(buf.data() + split, buf.size() - split, fw::crc32(buf.data(), split)));
  }
}

}  // namespace
}  // namespace spindle::host
