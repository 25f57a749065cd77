// Bounded little-endian writer and reader for message payloads. A write past
// the end or a read past the end sets a sticky failure flag instead of
// touching memory out of bounds.
#pragma once

#include <cstdint>

namespace spindle::fw::link {

class Writer {
 public:
  Writer(uint8_t* buf, uint32_t capacity) : buf_(buf), cap_(capacity) {}
  Writer& u8(uint8_t v) {
    if (room(1)) buf_[n_++] = v;
    return *this;
  }
  Writer& u16(uint16_t v) {
    if (room(2)) {
      buf_[n_++] = static_cast<uint8_t>(v);
      buf_[n_++] = static_cast<uint8_t>(v >> 8);
    }
    return *this;
  }
  Writer& u32(uint32_t v) {
    if (room(4))
      for (int s = 0; s < 32; s += 8) buf_[n_++] = static_cast<uint8_t>(v >> s);
    return *this;
  }
  Writer& bytes(const uint8_t* p, uint32_t size) {
    if (room(size))
      for (uint32_t i = 0; i < size; ++i) buf_[n_++] = p[i];
    return *this;
  }
  uint32_t size() const { return n_; }
  uint32_t remaining() const { return cap_ - n_; }
  bool ok() const { return ok_; }

 private:
  bool room(uint32_t k) {
    if (!ok_ || cap_ - n_ < k) ok_ = false;
    return ok_;
  }
  uint8_t* buf_;
  uint32_t cap_;
  uint32_t n_ = 0;
  bool ok_ = true;
};

class Reader {
 public:
  Reader(const uint8_t* buf, uint32_t size) : buf_(buf), size_(size) {}
  uint8_t u8() { return has(1) ? buf_[at_++] : 0; }
  uint16_t u16() {
    if (!has(2)) return 0;
    const uint16_t v = static_cast<uint16_t>(buf_[at_] | (buf_[at_ + 1] << 8));
    at_ += 2;
    return v;
  }
  uint32_t u32() {
    if (!has(4)) return 0;
    uint32_t v = 0;
    for (int k = 3; k >= 0; --k) v = (v << 8) | buf_[at_ + static_cast<uint32_t>(k)];
    at_ += 4;
    return v;
  }
  const uint8_t* rest() const { return buf_ + at_; }
  uint32_t remaining() const { return size_ - at_; }
  bool ok() const { return ok_; }
  // True when everything was read and nothing was missing.
  bool done() const { return ok_ && at_ == size_; }

 private:
  bool has(uint32_t k) {
    if (!ok_ || size_ - at_ < k) ok_ = false;
    return ok_;
  }
  const uint8_t* buf_;
  uint32_t size_;
  uint32_t at_ = 0;
  bool ok_ = true;
};

}  // namespace spindle::fw::link
