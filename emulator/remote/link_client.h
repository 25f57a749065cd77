// The host's end of the link protocol (docs/link-protocol.md): loads a core
// image in acknowledged chunks, starts the core and runs tick barriers over
// any ByteTransport. Every request is retried on a NAK, a corrupted or
// missing reply or a timeout, with the same sequence number (the core
// answers a retry without running it again) and the next attempt number
// (replies to an older attempt are ignored).
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "link/frame.h"
#include "link/protocol.h"
#include "platform/platform.h"
#include "remote/transport.h"
#include "runtime/core.h"
#include "runtime/provenance.h"
#include "runtime/recording.h"

namespace spindle::emu::remote {

// The core refused a request or the link gave up; what() says which.
class LinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LinkConfig {
  // How long one attempt waits for its reply; a tick that takes longer
  // counts as a hang once every attempt has timed out.
  std::chrono::milliseconds reply_timeout{5000};
  uint32_t max_attempts = 4;
  // After a corrupted reply frame: how long the rest of the reply may stay
  // silent before the request is sent again.
  std::chrono::milliseconds quiet_after_error{100};
};

struct HelloInfo {
  uint16_t protocol_version = 0;
  uint16_t max_payload = 0;
  uint32_t image_capacity = 0;
  std::string board;
};

struct CoreStatus {
  uint32_t tick = 0;
  fw::CoreState state = fw::CoreState::kUnloaded;
  fw::Provenance provenance{};
};

struct TickOutput {
  std::vector<fw::Packet> sent;
  std::vector<fw::SpikeRecord> spikes;
  std::vector<fw::StateRecord> states;
  CoreStatus status;
};

struct LinkStats {
  uint64_t requests = 0;
  uint64_t resends = 0;        // requests sent again (NAK, bad reply, timeout)
  uint64_t bad_frames = 0;     // corrupted frames received
  uint64_t naks = 0;
  uint64_t bytes_sent = 0, bytes_received = 0;
};

class LinkClient {
 public:
  LinkClient(ByteTransport& transport, LinkConfig config = {});

  HelloInfo hello();
  // LOAD_BEGIN, LOAD_CHUNK..., LOAD_END; throws LinkError with the core's
  // reason (size, CRC, the image parser's error, region and offset).
  void load(const std::vector<uint8_t>& image);
  void start();
  void stop();
  // Sends the inbox (in PACKETS_IN frames if it does not fit the TICK frame)
  // and the TICK request for n ticks; finish_tick() collects the reply.
  void begin_tick(const std::vector<fw::Packet>& inbox, uint32_t n_ticks);
  TickOutput finish_tick();
  CoreStatus status();
  // The core's plastic matrix region (image region 7) after the core applied
  // its pending potentiation (Core::flush_plastic), read in READ_PLASTIC
  // chunks; throws LinkError if the core has no plastic synapses.
  std::vector<uint8_t> read_plastic_matrix();
  // SET_MODE; throws LinkError with the core's reason (range, bounds).
  void set_mode(const fw::ModeChange& change);
  // SET_LEARNING_SCALE; throws LinkError with the core's reason.
  void set_learning_scale(uint32_t scale);

  // The last status a TICK_DONE or PROVENANCE reply carried.
  const CoreStatus& last_status() const { return last_status_; }
  // What the link was doing when it last failed or is doing now ("TICK").
  const char* current_request() const;
  const LinkStats& stats() const { return stats_; }
  // Timeouts and retries from the next request on.
  void set_config(const LinkConfig& config) { config_ = config; }
  const LinkConfig& config() const { return config_; }

 private:
  struct Reply {
    fw::link::MessageType type;
    std::vector<uint8_t> payload;
  };
  void send_request(fw::link::MessageType type, const std::vector<uint8_t>& payload, uint8_t attempt);
  // One request and its single-frame reply, retried.
  Reply exchange(fw::link::MessageType type, const std::vector<uint8_t>& payload);
  // Reads until a frame of the current request and attempt arrives (true),
  // a NAK or a bad frame (false, `bad` set), or the deadline passes (false).
  enum class Event { kFrame, kBad, kTimeout };
  Event next_frame(std::chrono::steady_clock::time_point deadline, Reply& out);
  [[noreturn]] void fail_with_error(const Reply& r) const;
  [[noreturn]] void give_up(const std::string& why) const;
  void expect_ack(const Reply& r, fw::link::MessageType request) const;

  ByteTransport& transport_;
  LinkConfig config_;
  fw::link::Deframer deframer_;
  std::vector<uint8_t> rx_;
  size_t rx_at_ = 0;
  size_t rx_len_ = 0;
  uint16_t seq_ = 0;
  uint8_t attempt_ = 0;
  fw::link::MessageType current_ = fw::link::MessageType::kHello;
  std::vector<uint8_t> tick_payload_;
  uint32_t max_payload_ = fw::link::kMaxPayload;
  CoreStatus last_status_;
  LinkStats stats_;
};

}  // namespace spindle::emu::remote
