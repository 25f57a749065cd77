// Framing over a byte stream: header + payload + CRC-32, COBS-encoded so the
// frame holds no 0x00, and delimited by 0x00 on both sides. The receiver
// resynchronises at the next 0x00 after garbage, a lost byte or a truncated
// frame; the CRC catches what COBS cannot.
#pragma once

#include <cstdint>

#include "link/protocol.h"

namespace spindle::fw::link {

struct FrameView {
  uint8_t type = 0;
  uint8_t attempt = 0;
  uint16_t seq = 0;
  const uint8_t* payload = nullptr;
  uint16_t length = 0;
};

// Writes 0x00, the COBS-encoded frame, 0x00 into out. Returns the bytes
// written, or 0 if length > kMaxPayload or out is smaller than needed
// (kMaxWireFrame always suffices).
uint32_t encode_frame(uint8_t type, uint8_t attempt, uint16_t seq, const uint8_t* payload, uint32_t length,
                      uint8_t* out, uint32_t capacity);

// COBS on its own (exposed for tests). encode returns the encoded size or 0
// if it does not fit; decode returns false on a malformed input or overflow.
uint32_t cobs_encode(const uint8_t* in, uint32_t size, uint8_t* out, uint32_t capacity);
bool cobs_decode(const uint8_t* in, uint32_t size, uint8_t* out, uint32_t capacity, uint32_t& out_size);

// Byte-at-a-time receiver with fixed buffers. Empty frames (two delimiters
// in a row) are ignored silently.
class Deframer {
 public:
  enum class Result : uint8_t { kNone, kFrame, kError };
  Result feed(uint8_t byte);
  // Valid after kFrame until the next feed(); the payload points into this object.
  const FrameView& frame() const { return frame_; }
  // Valid after kError.
  FrameError error() const { return error_; }
  void reset() {
    n_ = 0;
    overflow_ = false;
  }

 private:
  Result finish();

  uint8_t encoded_[kMaxEncodedFrame] = {};
  uint8_t raw_[kMaxRawFrame] = {};
  uint32_t n_ = 0;
  bool overflow_ = false;
  FrameView frame_{};
  FrameError error_ = FrameError::kNone;
};

}  // namespace spindle::fw::link
