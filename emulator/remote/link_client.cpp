#include "remote/link_client.h"

#include <algorithm>
#include <cstdio>

#include "image/parser.h"
#include "link/messages.h"
#include "link/wire.h"
#include "util/crc32.h"

namespace spindle::emu::remote {

using namespace fw::link;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kReadChunk = 4096;

std::string hex(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

std::vector<uint8_t> words(std::initializer_list<uint32_t> v) {
  std::vector<uint8_t> out;
  for (uint32_t x : v)
    for (int s = 0; s < 32; s += 8) out.push_back(static_cast<uint8_t>(x >> s));
  return out;
}

CoreStatus read_status(Reader& r) {
  CoreStatus s;
  s.tick = r.u32();
  s.state = static_cast<fw::CoreState>(r.u32());
  return s;
}

}  // namespace

LinkClient::LinkClient(ByteTransport& transport, LinkConfig config)
    : transport_(transport), config_(config), rx_(kReadChunk) {}

const char* LinkClient::current_request() const { return to_string(current_); }

void LinkClient::send_request(MessageType type, const std::vector<uint8_t>& payload, uint8_t attempt) {
  uint8_t buf[kMaxWireFrame];
  const uint32_t n = encode_frame(static_cast<uint8_t>(type), attempt, seq_, payload.data(),
                                  static_cast<uint32_t>(payload.size()), buf, sizeof buf);
  if (n == 0) throw LinkError(std::string(to_string(type)) + ": payload of " + std::to_string(payload.size()) +
                              " bytes exceeds the frame limit");
  transport_.write(buf, n);
  stats_.bytes_sent += n;
}

LinkClient::Event LinkClient::next_frame(Clock::time_point deadline, Reply& out) {
  for (;;) {
    while (rx_at_ < rx_len_) {
      switch (deframer_.feed(rx_[rx_at_++])) {
        case Deframer::Result::kNone: break;
        case Deframer::Result::kError: ++stats_.bad_frames; return Event::kBad;
        case Deframer::Result::kFrame: {
          const FrameView& f = deframer_.frame();
          if (f.type == static_cast<uint8_t>(MessageType::kNak)) {
            ++stats_.naks;
            return Event::kBad;
          }
          if (f.seq != seq_ || f.attempt != attempt_) break;  // a reply to an older request or attempt
          out.type = static_cast<MessageType>(f.type);
          out.payload.assign(f.payload, f.payload + f.length);
          return Event::kFrame;
        }
      }
    }
    const auto now = Clock::now();
    if (now >= deadline) return Event::kTimeout;
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + std::chrono::milliseconds(1);
    rx_len_ = transport_.read(rx_.data(), rx_.size(), wait);
    rx_at_ = 0;
    stats_.bytes_received += rx_len_;
  }
}

void LinkClient::give_up(const std::string& why) const {
  throw LinkError(std::string("no valid reply to ") + to_string(current_) + " after " +
                  std::to_string(config_.max_attempts) + " attempts (" + why + ")");
}

void LinkClient::fail_with_error(const Reply& r) const {
  Reader rd(r.payload.data(), static_cast<uint32_t>(r.payload.size()));
  const auto code = static_cast<ErrorCode>(rd.u16());
  const auto request = static_cast<MessageType>(rd.u16());
  const uint32_t d0 = rd.u32(), d1 = rd.u32(), d2 = rd.u32();
  std::string msg = std::string("core refused ") + to_string(request) + ": " + to_string(code);
  switch (code) {
    case ErrorCode::kImageRejected:
      msg += ": " + std::string(fw::image::to_string(static_cast<fw::image::ImageError>(d0))) + " (region " +
             std::to_string(d1) + ", offset " + std::to_string(d2) + ")";
      break;
    case ErrorCode::kImageCrc: msg += " (computed " + hex(d0) + ", announced " + hex(d1) + ")"; break;
    case ErrorCode::kImageTooLarge: msg += " (" + std::to_string(d0) + " bytes, room for " + std::to_string(d1) + ")"; break;
    case ErrorCode::kChunkOffset: msg += " (got " + std::to_string(d0) + ", expected " + std::to_string(d1) + ")"; break;
    case ErrorCode::kImageIncomplete: msg += " (" + std::to_string(d0) + " of " + std::to_string(d1) + " bytes)"; break;
    case ErrorCode::kBadState: msg += " (server state " + std::to_string(d0) + ")"; break;
    default: msg += " (" + std::to_string(d0) + ")"; break;
  }
  throw LinkError(msg);
}

LinkClient::Reply LinkClient::exchange(MessageType type, const std::vector<uint8_t>& payload) {
  ++seq_;
  current_ = type;
  ++stats_.requests;
  std::string why;
  for (uint32_t a = 0; a < config_.max_attempts; ++a) {
    attempt_ = static_cast<uint8_t>(a);
    if (a > 0) ++stats_.resends;
    send_request(type, payload, attempt_);
    Reply r;
    const Event ev = next_frame(Clock::now() + config_.reply_timeout, r);
    if (ev == Event::kFrame) {
      if (r.type == MessageType::kError) fail_with_error(r);
      return r;
    }
    why = ev == Event::kBad ? "corrupted reply or NAK"
                            : "no reply within " + std::to_string(config_.reply_timeout.count()) + " ms";
  }
  give_up(why);
}

void LinkClient::expect_ack(const Reply& r, MessageType request) const {
  if (r.type != MessageType::kAck || r.payload.empty() || r.payload[0] != static_cast<uint8_t>(request))
    throw LinkError(std::string("expected ACK of ") + to_string(request) + ", got " + to_string(r.type));
}

HelloInfo LinkClient::hello() {
  const Reply r = exchange(MessageType::kHello, {});
  if (r.type != MessageType::kHelloInfo) throw LinkError(std::string("expected HELLO_INFO, got ") + to_string(r.type));
  Reader rd(r.payload.data(), static_cast<uint32_t>(r.payload.size()));
  HelloInfo h;
  h.protocol_version = rd.u16();
  h.max_payload = rd.u16();
  h.image_capacity = rd.u32();
  const uint8_t n = rd.u8();
  if (!rd.ok() || rd.remaining() < n) throw LinkError("malformed HELLO_INFO");
  h.board.assign(reinterpret_cast<const char*>(rd.rest()), n);
  if (h.protocol_version != kProtocolVersion)
    throw LinkError("core speaks link protocol version " + std::to_string(h.protocol_version) + ", host " +
                    std::to_string(kProtocolVersion));
  max_payload_ = std::min<uint32_t>(h.max_payload, kMaxPayload);
  return h;
}

void LinkClient::load(const std::vector<uint8_t>& image) {
  const auto size = static_cast<uint32_t>(image.size());
  expect_ack(exchange(MessageType::kLoadBegin, words({size, fw::crc32(image.data(), image.size())})),
             MessageType::kLoadBegin);
  const uint32_t chunk = max_payload_ - 4;
  for (uint32_t off = 0; off < size; off += chunk) {
    std::vector<uint8_t> p = words({off});
    p.insert(p.end(), image.begin() + off, image.begin() + std::min(size, off + chunk));
    expect_ack(exchange(MessageType::kLoadChunk, p), MessageType::kLoadChunk);
  }
  expect_ack(exchange(MessageType::kLoadEnd, {}), MessageType::kLoadEnd);
}

void LinkClient::start() { expect_ack(exchange(MessageType::kStart, {}), MessageType::kStart); }
void LinkClient::stop() { expect_ack(exchange(MessageType::kStop, {}), MessageType::kStop); }

void LinkClient::begin_tick(const std::vector<fw::Packet>& inbox, uint32_t n_ticks) {
  // The last packets ride in the TICK frame; any before them go first in
  // PACKETS_IN frames. The core takes them in this order either way.
  constexpr uint32_t kTickHeader = 6;  // n_ticks u32, count u16
  size_t tail = inbox.size();
  uint32_t room = max_payload_ - kTickHeader;
  while (tail > 0 && packet_bytes(inbox[tail - 1]) <= room) room -= packet_bytes(inbox[--tail]);
  for (size_t i = 0; i < tail;) {
    std::vector<uint8_t> p(max_payload_);
    Writer w(p.data(), max_payload_);
    w.u16(0);
    uint16_t n = 0;
    for (; i < tail && w.remaining() >= packet_bytes(inbox[i]); ++i, ++n) write_packet(w, inbox[i]);
    p.resize(w.size());
    p[0] = static_cast<uint8_t>(n), p[1] = static_cast<uint8_t>(n >> 8);
    expect_ack(exchange(MessageType::kPacketsIn, p), MessageType::kPacketsIn);
  }
  tick_payload_.assign(max_payload_, 0);
  Writer w(tick_payload_.data(), max_payload_);
  w.u32(n_ticks).u16(static_cast<uint16_t>(inbox.size() - tail));
  for (size_t i = tail; i < inbox.size(); ++i) write_packet(w, inbox[i]);
  tick_payload_.resize(w.size());

  ++seq_;
  current_ = MessageType::kTick;
  ++stats_.requests;
  attempt_ = 0;
  send_request(MessageType::kTick, tick_payload_, attempt_);
}

TickOutput LinkClient::finish_tick() {
  std::string why;
  for (;;) {
    TickOutput out;
    bool bad = false;
    auto deadline = Clock::now() + config_.reply_timeout;
    for (;;) {
      Reply r;
      const Event ev = next_frame(bad ? std::min(deadline, Clock::now() + config_.quiet_after_error) : deadline, r);
      if (ev == Event::kTimeout) {
        if (!bad) why = "no reply within " + std::to_string(config_.reply_timeout.count()) + " ms";
        break;
      }
      if (ev == Event::kBad) {
        bad = true;
        why = "corrupted reply or NAK";
        continue;
      }
      if (r.type == MessageType::kError) fail_with_error(r);
      Reader rd(r.payload.data(), static_cast<uint32_t>(r.payload.size()));
      if (r.type == MessageType::kPacketsOut) {
        const uint16_t n = rd.u16();
        fw::Packet p;
        for (uint16_t i = 0; i < n && read_packet(rd, p); ++i) out.sent.push_back(p);
      } else if (r.type == MessageType::kRecordings) {
        const uint8_t kind = rd.u8();
        const uint16_t n = rd.u16();
        for (uint16_t i = 0; i < n && rd.ok(); ++i) {
          if (kind == kRecordSpikes) out.spikes.push_back(read_spike(rd));
          else out.states.push_back(read_state(rd));
        }
        if (kind != kRecordSpikes && kind != kRecordStates) bad = true;
      } else if (r.type == MessageType::kTickDone) {
        out.status = read_status(rd);
        const uint32_t n_sent = rd.u32(), n_spikes = rd.u32(), n_states = rd.u32();
        out.status.provenance = read_provenance(rd);
        if (!rd.done() || n_sent != out.sent.size() || n_spikes != out.spikes.size() || n_states != out.states.size()) {
          bad = true;
          why = "TICK_DONE counts do not match the frames received (" + std::to_string(n_sent) + "/" + std::to_string(out.sent.size()) + " " + std::to_string(n_spikes) + "/" + std::to_string(out.spikes.size()) + " " + std::to_string(n_states) + "/" + std::to_string(out.states.size()) + (rd.done() ? "" : " malformed") + ")";
        }
        if (!bad) {
          last_status_ = out.status;
          return out;
        }
        break;
      } else {
        bad = true;
        why = std::string("unexpected ") + to_string(r.type);
        continue;
      }
      if (!rd.done()) {
        bad = true;
        why = std::string("malformed ") + to_string(r.type);
      }
    }
    if (attempt_ + 1u >= config_.max_attempts) give_up(why);
    ++attempt_;
    ++stats_.resends;
    send_request(MessageType::kTick, tick_payload_, attempt_);
  }
}

CoreStatus LinkClient::status() {
  const Reply r = exchange(MessageType::kGetProvenance, {});
  if (r.type != MessageType::kProvenance) throw LinkError(std::string("expected PROVENANCE, got ") + to_string(r.type));
  Reader rd(r.payload.data(), static_cast<uint32_t>(r.payload.size()));
  CoreStatus s = read_status(rd);
  rd.u32();  // server state
  s.provenance = read_provenance(rd);
  if (!rd.done()) throw LinkError("malformed PROVENANCE");
  last_status_ = s;
  return s;
}

void LinkClient::set_mode(const fw::ModeChange& c) {
  expect_ack(exchange(MessageType::kSetMode, words({c.first, c.count, static_cast<uint32_t>(c.threshold_offset.raw), c.gain})),
             MessageType::kSetMode);
}

void LinkClient::set_learning_scale(uint32_t scale) {
  expect_ack(exchange(MessageType::kSetLearningScale, words({scale})), MessageType::kSetLearningScale);
}

std::vector<uint8_t> LinkClient::read_plastic_matrix() {
  std::vector<uint8_t> out;
  uint32_t size = 0;
  do {
    const auto offset = static_cast<uint32_t>(out.size());
    const Reply r = exchange(MessageType::kReadPlastic, words({offset}));
    if (r.type != MessageType::kPlasticData)
      throw LinkError(std::string("expected PLASTIC_DATA, got ") + to_string(r.type));
    Reader rd(r.payload.data(), static_cast<uint32_t>(r.payload.size()));
    const uint32_t region = rd.u32(), at = rd.u32();
    if (offset == 0) size = region;
    const uint32_t n = rd.remaining();
    if (!rd.ok() || region != size || at != offset || n > size - offset || (n == 0 && offset < size))
      throw LinkError("malformed PLASTIC_DATA (region " + std::to_string(region) + " bytes, offset " +
                      std::to_string(at) + ", " + std::to_string(n) + " bytes, asked for offset " +
                      std::to_string(offset) + ")");
    out.insert(out.end(), rd.rest(), rd.rest() + n);
  } while (out.size() < size);
  return out;
}

}  // namespace spindle::emu::remote
