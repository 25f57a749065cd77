#include "link/frame.h"

#include "link/wire.h"
#include "util/crc32.h"

namespace spindle::fw::link {

uint32_t cobs_encode(const uint8_t* in, uint32_t size, uint8_t* out, uint32_t capacity) {
  if (capacity == 0) return 0;
  uint32_t code_at = 0, o = 1;
  uint8_t code = 1;
  for (uint32_t i = 0; i < size; ++i) {
    if (in[i] == 0) {
      out[code_at] = code;
      if (o >= capacity) return 0;
      code_at = o++;
      code = 1;
      continue;
    }
    if (o >= capacity) return 0;
    out[o++] = in[i];
    if (++code == 0xFF) {
      out[code_at] = code;
      if (o >= capacity) return 0;
      code_at = o++;
      code = 1;
    }
  }
  out[code_at] = code;
  return o;
}

bool cobs_decode(const uint8_t* in, uint32_t size, uint8_t* out, uint32_t capacity, uint32_t& out_size) {
  uint32_t i = 0, o = 0;
  while (i < size) {
    const uint8_t code = in[i++];
    if (code == 0) return false;
    for (uint32_t k = 1; k < code; ++k) {
      if (i >= size || o >= capacity || in[i] == 0) return false;
      out[o++] = in[i++];
    }
    if (code != 0xFF && i < size) {
      if (o >= capacity) return false;
      out[o++] = 0;
    }
  }
  out_size = o;
  return true;
}

uint32_t encode_frame(uint8_t type, uint8_t attempt, uint16_t seq, const uint8_t* payload, uint32_t length,
                      uint8_t* out, uint32_t capacity) {
  if (length > kMaxPayload || capacity < 2) return 0;
  uint8_t raw[kMaxRawFrame];
  Writer w(raw, sizeof raw);
  w.u8(type).u8(attempt).u16(seq).u16(static_cast<uint16_t>(length)).bytes(payload, length);
  w.u32(crc32(raw, w.size()));
  if (!w.ok()) return 0;
  out[0] = 0;
  const uint32_t n = cobs_encode(raw, w.size(), out + 1, capacity - 2);
  if (n == 0) return 0;
  out[n + 1] = 0;
  return n + 2;
}

Deframer::Result Deframer::feed(uint8_t byte) {
  if (byte == 0) return finish();
  if (n_ == kMaxEncodedFrame) {
    overflow_ = true;  // keep discarding until the delimiter
    return Result::kNone;
  }
  encoded_[n_++] = byte;
  return Result::kNone;
}

Deframer::Result Deframer::finish() {
  const uint32_t n = n_;
  const bool overflow = overflow_;
  reset();
  if (overflow) {
    error_ = FrameError::kTooLong;
    return Result::kError;
  }
  if (n == 0) return Result::kNone;
  uint32_t size = 0;
  if (!cobs_decode(encoded_, n, raw_, sizeof raw_, size)) {
    error_ = FrameError::kBadCobs;
    return Result::kError;
  }
  if (size < kHeaderBytes + kCrcBytes) {
    error_ = FrameError::kTooShort;
    return Result::kError;
  }
  Reader r(raw_, size);
  frame_.type = r.u8();
  frame_.attempt = r.u8();
  frame_.seq = r.u16();
  frame_.length = r.u16();
  if (uint32_t{frame_.length} + kHeaderBytes + kCrcBytes != size) {
    error_ = FrameError::kBadLength;
    return Result::kError;
  }
  Reader crc_at(raw_ + size - kCrcBytes, kCrcBytes);
  if (crc32(raw_, size - kCrcBytes) != crc_at.u32()) {
    error_ = FrameError::kBadCrc;
    return Result::kError;
  }
  frame_.payload = raw_ + kHeaderBytes;
  return Result::kFrame;
}

const char* to_string(FrameError e) {
  switch (e) {
    case FrameError::kNone: return "none";
    case FrameError::kTooLong: return "frame too long";
    case FrameError::kBadCobs: return "bad COBS encoding";
    case FrameError::kTooShort: return "frame too short";
    case FrameError::kBadLength: return "length field does not match";
    case FrameError::kBadCrc: return "CRC mismatch";
  }
  return "unknown frame error";
}

const char* to_string(MessageType t) {
  switch (t) {
    case MessageType::kHello: return "HELLO";
    case MessageType::kLoadBegin: return "LOAD_BEGIN";
    case MessageType::kLoadChunk: return "LOAD_CHUNK";
    case MessageType::kLoadEnd: return "LOAD_END";
    case MessageType::kStart: return "START";
    case MessageType::kStop: return "STOP";
    case MessageType::kPacketsIn: return "PACKETS_IN";
    case MessageType::kTick: return "TICK";
    case MessageType::kGetProvenance: return "GET_PROVENANCE";
    case MessageType::kReadPlastic: return "READ_PLASTIC";
    case MessageType::kSetMode: return "SET_MODE";
    case MessageType::kSetLearningScale: return "SET_LEARNING_SCALE";
    case MessageType::kAck: return "ACK";
    case MessageType::kNak: return "NAK";
    case MessageType::kHelloInfo: return "HELLO_INFO";
    case MessageType::kPacketsOut: return "PACKETS_OUT";
    case MessageType::kRecordings: return "RECORDINGS";
    case MessageType::kTickDone: return "TICK_DONE";
    case MessageType::kProvenance: return "PROVENANCE";
    case MessageType::kError: return "ERROR";
    case MessageType::kPlasticData: return "PLASTIC_DATA";
  }
  return "unknown message";
}

const char* to_string(ErrorCode e) {
  switch (e) {
    case ErrorCode::kBadState: return "request not allowed in this state";
    case ErrorCode::kBadPayload: return "malformed payload";
    case ErrorCode::kUnknownType: return "unknown message type";
    case ErrorCode::kImageTooLarge: return "image larger than the core's buffer";
    case ErrorCode::kChunkOffset: return "chunk at the wrong offset";
    case ErrorCode::kImageIncomplete: return "image incomplete";
    case ErrorCode::kImageCrc: return "image CRC mismatch";
    case ErrorCode::kImageRejected: return "core image rejected by the parser";
    case ErrorCode::kTooManyTicks: return "too many ticks in one request";
    case ErrorCode::kNoPlastic: return "the core's image has no plastic synapses";
    case ErrorCode::kPlasticOffset: return "offset past the plastic matrix region";
    case ErrorCode::kModeRange: return "neurons outside the core's neurons (or not a neuron core)";
    case ErrorCode::kModeValue: return "neuron mode offset or gain out of bounds";
    case ErrorCode::kScaleValue: return "learning-rate scale out of bounds";
  }
  return "unknown error";
}

}  // namespace spindle::fw::link
