// The core's end of the link: takes bytes from the host, answers requests
// (load an image in chunks, start, stop, tick barriers with packets in and
// out, recordings, provenance, the plastic matrix read back in chunks), and
// writes reply frames through a callback.
// Freestanding, no heap: the board firmware runs it over its UART, tests run
// it natively over a socket pair.
//
// Retries are idempotent: a request with the same type and sequence number
// as the last one executed is not executed again; its reply is sent again
// (a tick's output stays in the outbox and recording buffers until the next
// TICK). The image is written into the caller's buffer and only handed to
// Core::load after its CRC matches what LOAD_BEGIN announced.
#pragma once

#include <cstdint>

#include "link/frame.h"
#include "link/protocol.h"
#include "platform/outbox_platform.h"
#include "runtime/core.h"

namespace spindle::fw::link {

class CoreServer {
 public:
  using WriteFn = void (*)(void* context, const uint8_t* data, uint32_t size);

  struct Config {
    const char* board_name = "";
    uint32_t* image_words = nullptr;  // the image buffer (word-aligned for the parser)
    uint32_t image_capacity = 0;      // in bytes
  };

  CoreServer(Core& core, OutboxPlatform& platform, const Config& config, WriteFn write, void* context);

  // Feeds one received byte; may write replies before returning.
  void on_byte(uint8_t byte);

  ServerState state() const { return state_; }
  // Frames thrown away (each answered with a NAK), for diagnostics.
  uint32_t bad_frames() const { return bad_frames_; }

 private:
  void handle(const FrameView& f);
  void execute(const FrameView& f);
  void send(MessageType type, const uint8_t* payload, uint32_t length);
  // ACK and ERROR are small: kept so a retried request gets the same answer.
  void send_kept(MessageType type, const uint8_t* payload, uint32_t length);
  void ack(MessageType request, uint32_t value);
  void error(ErrorCode code, uint32_t d0 = 0, uint32_t d1 = 0, uint32_t d2 = 0);
  void send_hello();
  void send_provenance();
  void send_tick_output();

  void load_begin(const FrameView& f);
  void load_chunk(const FrameView& f);
  void load_end();
  // Checks every packet entry of a payload before any is delivered.
  bool valid_packets(const uint8_t* data, uint32_t size, uint32_t count) const;
  void deliver(const uint8_t* data, uint32_t size, uint32_t count);
  void packets_in(const FrameView& f);
  void tick(const FrameView& f);
  // READ_PLASTIC(offset): flushes the plastic rows (offset 0) and sends one
  // chunk of the plastic matrix region the core writes in the image buffer.
  void read_plastic(const FrameView& f);
  void set_mode(const FrameView& f);
  void set_learning_scale(const FrameView& f);

  Core& core_;
  OutboxPlatform& platform_;
  Config config_;
  WriteFn write_;
  void* context_;
  Deframer deframer_;
  uint8_t tx_[kMaxWireFrame] = {};

  ServerState state_ = ServerState::kIdle;
  uint32_t image_size_ = 0;
  uint32_t image_crc_ = 0;
  uint32_t image_received_ = 0;

  // The request being answered (its seq and attempt go into every reply)
  // and the last one executed, for retries.
  uint16_t seq_ = 0;
  uint8_t attempt_ = 0;
  bool have_last_ = false;
  uint16_t last_seq_ = 0;
  uint8_t last_type_ = 0;
  static constexpr uint32_t kKeptReplyBytes = 16;
  MessageType kept_type_ = MessageType::kAck;
  uint8_t kept_[kKeptReplyBytes] = {};
  uint32_t kept_length_ = 0;
  bool kept_valid_ = false;

  uint32_t bad_frames_ = 0;
};

}  // namespace spindle::fw::link
