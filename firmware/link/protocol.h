// Host <-> core link protocol (docs/link-protocol.md): message types, error
// codes and the fixed sizes every buffer on both ends is built from. One
// header for the board firmware and the host backends (qemu, serial).
#pragma once

#include <cstdint>

namespace spindle::fw::link {

inline constexpr uint16_t kProtocolVersion = 1;

// Frame layout before COBS: type u8, attempt u8, seq u16, length u16,
// payload[length], crc32 u32 (over header and payload). All little-endian.
inline constexpr uint32_t kHeaderBytes = 6;
inline constexpr uint32_t kCrcBytes = 4;
inline constexpr uint32_t kMaxPayload = 1024;
inline constexpr uint32_t kMaxRawFrame = kHeaderBytes + kMaxPayload + kCrcBytes;
// COBS adds one byte per 254 and one more; plus the leading and trailing
// 0x00 delimiters.
inline constexpr uint32_t kMaxEncodedFrame = kMaxRawFrame + kMaxRawFrame / 254 + 1;
inline constexpr uint32_t kMaxWireFrame = kMaxEncodedFrame + 2;

// Requests (host -> core) have the top bit clear, replies (core -> host) set.
enum class MessageType : uint8_t {
  kHello = 0x01,
  kLoadBegin = 0x02,
  kLoadChunk = 0x03,
  kLoadEnd = 0x04,
  kStart = 0x05,
  kStop = 0x06,
  kPacketsIn = 0x07,
  kTick = 0x08,
  kGetProvenance = 0x09,
  kReadPlastic = 0x0A,
  kSetMode = 0x0B,
  kSetLearningScale = 0x0C,

  kAck = 0x80,
  kNak = 0x81,
  kHelloInfo = 0x82,
  kPacketsOut = 0x83,
  kRecordings = 0x84,
  kTickDone = 0x85,
  kProvenance = 0x86,
  kError = 0x87,
  kPlasticData = 0x88,
};

const char* to_string(MessageType t);

// Why a received frame was thrown away (sent back in a NAK).
enum class FrameError : uint8_t {
  kNone = 0,
  kTooLong = 1,    // more bytes than kMaxEncodedFrame before a delimiter
  kBadCobs = 2,    // COBS code points past the end of the frame
  kTooShort = 3,   // shorter than header + CRC
  kBadLength = 4,  // header length does not match the bytes received
  kBadCrc = 5,
};

const char* to_string(FrameError e);

// ERROR codes: what the core refused, with up to three detail words.
enum class ErrorCode : uint16_t {
  kBadState = 1,       // request not allowed now; detail0 = server state
  kBadPayload = 2,     // payload malformed for its type; detail0 = payload length
  kUnknownType = 3,    // detail0 = the type byte
  kImageTooLarge = 4,  // detail0 = size asked, detail1 = capacity
  kChunkOffset = 5,    // detail0 = offset received, detail1 = offset expected
  kImageIncomplete = 6,// detail0 = bytes received, detail1 = size announced
  kImageCrc = 7,       // detail0 = CRC computed, detail1 = CRC announced
  kImageRejected = 8,  // Core::load failed: detail0 = ImageError, detail1 = region, detail2 = offset
  kTooManyTicks = 9,   // TICK n > kMaxTicksPerRequest; detail0 = n
  kNoPlastic = 10,     // READ_PLASTIC on an image without a plastic matrix (region 7)
  kPlasticOffset = 11, // READ_PLASTIC offset past the region; detail0 = offset, detail1 = region size
  kModeRange = 12,     // SET_MODE neurons outside the core's (or not a neuron core); detail0 = first, detail1 = count, detail2 = neurons
  kModeValue = 13,     // SET_MODE offset or gain out of bounds; detail0 = offset (s16.15 raw), detail1 = gain (u4.12)
  kScaleValue = 14,    // SET_LEARNING_SCALE above the maximum; detail0 = scale (u4.12)
};

const char* to_string(ErrorCode e);

// Server states, reported in ERROR kBadState and PROVENANCE.
enum class ServerState : uint8_t { kIdle = 0, kLoading = 1, kLoaded = 2, kRunning = 3 };

// Packet entry tags in PACKETS_IN / PACKETS_OUT / TICK.
inline constexpr uint8_t kPacketKeyOnly = 0;
inline constexpr uint8_t kPacketWithPayload = 1;

// RECORDINGS kinds.
inline constexpr uint8_t kRecordSpikes = 0;
inline constexpr uint8_t kRecordStates = 1;
inline constexpr uint32_t kSpikeRecordBytes = 8;   // tick u32, neuron u32
inline constexpr uint32_t kStateRecordBytes = 12;  // tick u32, neuron u16, variable u16, value i32

// One TICK request runs at most this many ticks: the outbox and recording
// buffers are drained once per request, so lock-step runs use 1.
inline constexpr uint32_t kMaxTicksPerRequest = 1000;

// PLASTIC_DATA: region size u32, offset u32, then at most this many bytes
// of the plastic matrix region (a multiple of 4).
inline constexpr uint32_t kPlasticDataHeader = 8;
inline constexpr uint32_t kMaxPlasticChunk = kMaxPayload - kPlasticDataHeader;
static_assert(kMaxPlasticChunk % 4 == 0);

// SET_MODE: first u32, count u32, threshold offset i32 (s16.15 mV), gain u32
// (u4.12); answered with ACK (value: count).
inline constexpr uint32_t kSetModeBytes = 16;

// Provenance counters on the wire, in for_each_counter order.
inline constexpr uint32_t kProvenanceWords = 16;

}  // namespace spindle::fw::link
