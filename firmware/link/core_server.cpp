#include "link/core_server.h"

#include "image/format.h"
#include "link/messages.h"
#include "link/wire.h"
#include "util/crc32.h"

namespace spindle::fw::link {

static_assert(sizeof(Provenance) == 4 * kProvenanceWords, "provenance wire format lists every counter");

CoreServer::CoreServer(Core& core, OutboxPlatform& platform, const Config& config, WriteFn write, void* context)
    : core_(core), platform_(platform), config_(config), write_(write), context_(context) {}

void CoreServer::on_byte(uint8_t byte) {
  switch (deframer_.feed(byte)) {
    case Deframer::Result::kNone: return;
    case Deframer::Result::kFrame: handle(deframer_.frame()); return;
    case Deframer::Result::kError: {
      ++bad_frames_;
      const uint8_t reason = static_cast<uint8_t>(deframer_.error());
      const uint32_t n = encode_frame(static_cast<uint8_t>(MessageType::kNak), 0, 0, &reason, 1, tx_, sizeof tx_);
      write_(context_, tx_, n);
      return;
    }
  }
}

void CoreServer::send(MessageType type, const uint8_t* payload, uint32_t length) {
  const uint32_t n = encode_frame(static_cast<uint8_t>(type), attempt_, seq_, payload, length, tx_, sizeof tx_);
  write_(context_, tx_, n);
}

void CoreServer::send_kept(MessageType type, const uint8_t* payload, uint32_t length) {
  kept_type_ = type;
  kept_length_ = length <= kKeptReplyBytes ? length : kKeptReplyBytes;
  for (uint32_t i = 0; i < kept_length_; ++i) kept_[i] = payload[i];
  kept_valid_ = true;
  send(type, payload, length);
}

void CoreServer::ack(MessageType request, uint32_t value) {
  uint8_t p[5];
  Writer w(p, sizeof p);
  w.u8(static_cast<uint8_t>(request)).u32(value);
  send_kept(MessageType::kAck, p, w.size());
}

void CoreServer::error(ErrorCode code, uint32_t d0, uint32_t d1, uint32_t d2) {
  uint8_t p[kKeptReplyBytes];
  Writer w(p, sizeof p);
  w.u16(static_cast<uint16_t>(code)).u16(last_type_).u32(d0).u32(d1).u32(d2);
  send_kept(MessageType::kError, p, w.size());
}

void CoreServer::handle(const FrameView& f) {
  seq_ = f.seq;
  attempt_ = f.attempt;
  const auto type = static_cast<MessageType>(f.type);
  // HELLO opens a session: always answered, never a retry.
  if (type != MessageType::kHello && have_last_ && f.seq == last_seq_ && f.type == last_type_) {
    if (type == MessageType::kTick && !kept_valid_) send_tick_output();
    else if (type == MessageType::kGetProvenance) send_provenance();
    else if (type == MessageType::kReadPlastic && !kept_valid_) read_plastic(f);  // flushing again changes nothing
    else if (kept_valid_) send(kept_type_, kept_, kept_length_);
    return;
  }
  have_last_ = type != MessageType::kHello;
  last_seq_ = f.seq;
  last_type_ = f.type;
  kept_valid_ = false;
  execute(f);
}

void CoreServer::execute(const FrameView& f) {
  const auto type = static_cast<MessageType>(f.type);
  const bool empty = f.length == 0;
  switch (type) {
    case MessageType::kHello:
      send_hello();
      return;
    case MessageType::kLoadBegin:
      load_begin(f);
      return;
    case MessageType::kLoadChunk:
      load_chunk(f);
      return;
    case MessageType::kLoadEnd:
      if (!empty) return error(ErrorCode::kBadPayload, f.length);
      load_end();
      return;
    case MessageType::kStart:
      if (!empty) return error(ErrorCode::kBadPayload, f.length);
      if (state_ != ServerState::kLoaded && state_ != ServerState::kRunning)
        return error(ErrorCode::kBadState, static_cast<uint32_t>(state_));
      state_ = ServerState::kRunning;
      return ack(type, core_.current_tick());
    case MessageType::kStop:
      if (!empty) return error(ErrorCode::kBadPayload, f.length);
      if (state_ == ServerState::kRunning) state_ = ServerState::kLoaded;
      return ack(type, core_.current_tick());
    case MessageType::kPacketsIn:
      packets_in(f);
      return;
    case MessageType::kTick:
      tick(f);
      return;
    case MessageType::kGetProvenance:
      if (!empty) return error(ErrorCode::kBadPayload, f.length);
      send_provenance();
      return;
    case MessageType::kReadPlastic:
      read_plastic(f);
      return;
    case MessageType::kSetMode:
      set_mode(f);
      return;
    case MessageType::kSetLearningScale:
      set_learning_scale(f);
      return;
    default:
      error(ErrorCode::kUnknownType, f.type);
      return;
  }
}

void CoreServer::send_hello() {
  uint8_t p[64];
  Writer w(p, sizeof p);
  uint32_t name_len = 0;
  while (config_.board_name[name_len] != 0 && name_len < 32) ++name_len;
  w.u16(kProtocolVersion).u16(static_cast<uint16_t>(kMaxPayload)).u32(config_.image_capacity)
      .u8(static_cast<uint8_t>(name_len)).bytes(reinterpret_cast<const uint8_t*>(config_.board_name), name_len);
  send(MessageType::kHelloInfo, p, w.size());
}

void CoreServer::send_provenance() {
  uint8_t p[12 + 4 * kProvenanceWords];
  Writer w(p, sizeof p);
  w.u32(core_.current_tick()).u32(static_cast<uint32_t>(core_.state())).u32(static_cast<uint32_t>(state_));
  write_provenance(w, core_.provenance());
  send(MessageType::kProvenance, p, w.size());
}

void CoreServer::load_begin(const FrameView& f) {
  Reader r(f.payload, f.length);
  const uint32_t size = r.u32();
  const uint32_t crc = r.u32();
  if (!r.done()) return error(ErrorCode::kBadPayload, f.length);
  if (state_ == ServerState::kRunning) return error(ErrorCode::kBadState, static_cast<uint32_t>(state_));
  if (size > config_.image_capacity) return error(ErrorCode::kImageTooLarge, size, config_.image_capacity);
  // The old image is gone from here on: nothing runs until LOAD_END passes.
  state_ = ServerState::kLoading;
  image_size_ = size;
  image_crc_ = crc;
  image_received_ = 0;
  ack(MessageType::kLoadBegin, config_.image_capacity);
}

void CoreServer::load_chunk(const FrameView& f) {
  Reader r(f.payload, f.length);
  const uint32_t offset = r.u32();
  if (!r.ok()) return error(ErrorCode::kBadPayload, f.length);
  if (state_ != ServerState::kLoading) return error(ErrorCode::kBadState, static_cast<uint32_t>(state_));
  if (offset != image_received_) return error(ErrorCode::kChunkOffset, offset, image_received_);
  const uint32_t n = r.remaining();
  if (n > image_size_ - image_received_) return error(ErrorCode::kImageTooLarge, offset + n, image_size_);
  auto* dst = reinterpret_cast<uint8_t*>(config_.image_words) + offset;
  const uint8_t* src = r.rest();
  for (uint32_t i = 0; i < n; ++i) dst[i] = src[i];
  image_received_ += n;
  ack(MessageType::kLoadChunk, image_received_);
}

void CoreServer::load_end() {
  if (state_ != ServerState::kLoading) return error(ErrorCode::kBadState, static_cast<uint32_t>(state_));
  if (image_received_ != image_size_) {
    state_ = ServerState::kIdle;
    return error(ErrorCode::kImageIncomplete, image_received_, image_size_);
  }
  auto* image = reinterpret_cast<uint8_t*>(config_.image_words);
  const uint32_t crc = crc32(image, image_size_);
  if (crc != image_crc_) {
    state_ = ServerState::kIdle;
    return error(ErrorCode::kImageCrc, crc, image_crc_);
  }
  platform_.set_writable_image(image, image_size_);
  platform_.clear_outbox();
  const image::ImageStatus s = core_.load(platform_);
  if (!s.ok()) {
    state_ = ServerState::kIdle;
    return error(ErrorCode::kImageRejected, static_cast<uint32_t>(s.error), s.region, s.offset);
  }
  state_ = ServerState::kLoaded;
  ack(MessageType::kLoadEnd, core_.n_neurons());
}

bool CoreServer::valid_packets(const uint8_t* data, uint32_t size, uint32_t count) const {
  Reader r(data, size);
  Packet p;
  for (uint32_t i = 0; i < count; ++i)
    if (!read_packet(r, p)) return false;
  return r.done();
}

// The same order of events as the native engine's delivery phase: the input
// queue stands for the hardware packet buffer and is processed when full.
void CoreServer::deliver(const uint8_t* data, uint32_t size, uint32_t count) {
  Reader r(data, size);
  Packet p;
  for (uint32_t i = 0; i < count; ++i) {
    read_packet(r, p);
    if (core_.queued_packets() == kInputQueueCapacity) core_.process_packets();
    core_.on_packet(p);
  }
}

void CoreServer::packets_in(const FrameView& f) {
  Reader r(f.payload, f.length);
  const uint16_t count = r.u16();
  if (!r.ok() || !valid_packets(r.rest(), r.remaining(), count)) return error(ErrorCode::kBadPayload, f.length);
  if (state_ != ServerState::kRunning) return error(ErrorCode::kBadState, static_cast<uint32_t>(state_));
  deliver(r.rest(), r.remaining(), count);
  ack(MessageType::kPacketsIn, count);
}

void CoreServer::tick(const FrameView& f) {
  Reader r(f.payload, f.length);
  const uint32_t n_ticks = r.u32();
  const uint16_t count = r.u16();
  if (!r.ok() || !valid_packets(r.rest(), r.remaining(), count)) return error(ErrorCode::kBadPayload, f.length);
  if (state_ != ServerState::kRunning) return error(ErrorCode::kBadState, static_cast<uint32_t>(state_));
  if (n_ticks > kMaxTicksPerRequest) return error(ErrorCode::kTooManyTicks, n_ticks);
  deliver(r.rest(), r.remaining(), count);
  core_.process_packets();
  // The previous tick's output has been taken by the host (it moved on).
  platform_.clear_outbox();
  core_.clear_records();
  for (uint32_t t = 0; t < n_ticks; ++t) core_.tick();
  send_tick_output();
}

void CoreServer::read_plastic(const FrameView& f) {
  Reader r(f.payload, f.length);
  const uint32_t offset = r.u32();
  if (!r.done()) return error(ErrorCode::kBadPayload, f.length);
  if (state_ != ServerState::kLoaded && state_ != ServerState::kRunning)
    return error(ErrorCode::kBadState, static_cast<uint32_t>(state_));
  // Core::load checked the region table; the plastic regions' CRCs no longer
  // hold once the core has written them, so the region is found by its id.
  const auto* bytes = reinterpret_cast<const uint8_t*>(config_.image_words);
  const auto* header = reinterpret_cast<const image::ImageHeader*>(bytes);
  const auto* entries = reinterpret_cast<const image::RegionEntry*>(bytes + sizeof(image::ImageHeader));
  const image::RegionEntry* matrix = nullptr;
  for (uint32_t i = 0; i < header->region_count && i < image::kMaxRegions; ++i)
    if (entries[i].id == static_cast<uint32_t>(image::RegionId::kPlasticMatrix)) matrix = &entries[i];
  if (matrix == nullptr || !core_.has_plastic()) return error(ErrorCode::kNoPlastic);
  if (offset > matrix->size) return error(ErrorCode::kPlasticOffset, offset, matrix->size);
  if (offset == 0) core_.flush_plastic();
  const uint32_t left = matrix->size - offset;
  const uint32_t n = left < kMaxPlasticChunk ? left : kMaxPlasticChunk;
  uint8_t p[kMaxPayload];
  Writer w(p, sizeof p);
  w.u32(matrix->size).u32(offset).bytes(bytes + matrix->offset + offset, n);
  send(MessageType::kPlasticData, p, w.size());
}

void CoreServer::set_mode(const FrameView& f) {
  Reader r(f.payload, f.length);
  ModeChange c;
  c.first = r.u32();
  c.count = r.u32();
  c.threshold_offset = Accum{static_cast<int32_t>(r.u32())};
  c.gain = r.u32();
  if (!r.done()) return error(ErrorCode::kBadPayload, f.length);
  if (state_ != ServerState::kLoaded && state_ != ServerState::kRunning)
    return error(ErrorCode::kBadState, static_cast<uint32_t>(state_));
  if (!mode_values_valid(c.threshold_offset, c.gain))
    return error(ErrorCode::kModeValue, static_cast<uint32_t>(c.threshold_offset.raw), c.gain);
  if (!core_.set_mode(c)) return error(ErrorCode::kModeRange, c.first, c.count, core_.n_neurons());
  ack(MessageType::kSetMode, c.count);
}

void CoreServer::set_learning_scale(const FrameView& f) {
  Reader r(f.payload, f.length);
  const uint32_t scale = r.u32();
  if (!r.done()) return error(ErrorCode::kBadPayload, f.length);
  if (state_ != ServerState::kLoaded && state_ != ServerState::kRunning)
    return error(ErrorCode::kBadState, static_cast<uint32_t>(state_));
  if (!core_.has_plastic()) return error(ErrorCode::kNoPlastic);
  if (scale > stdp::kLearningScaleMax) return error(ErrorCode::kScaleValue, scale);
  core_.set_learning_scale(scale);
  ack(MessageType::kSetLearningScale, scale);
}

void CoreServer::send_tick_output() {
  uint8_t p[kMaxPayload];
  const PacketView out = platform_.outbox();
  for (uint32_t i = 0; i < out.size();) {
    Writer w(p, sizeof p);
    w.u16(0);
    uint16_t n = 0;
    while (i < out.size() && w.remaining() >= packet_bytes(out[i])) {
      write_packet(w, out[i++]);
      ++n;
    }
    p[0] = static_cast<uint8_t>(n);
    p[1] = static_cast<uint8_t>(n >> 8);
    send(MessageType::kPacketsOut, p, w.size());
  }
  const SpikeRecordBuffer& spikes = core_.spikes();
  for (uint32_t i = 0; i < spikes.size();) {
    Writer w(p, sizeof p);
    w.u8(kRecordSpikes).u16(0);
    uint16_t n = 0;
    for (; i < spikes.size() && w.remaining() >= kSpikeRecordBytes; ++i, ++n) write_spike(w, spikes[i]);
    p[1] = static_cast<uint8_t>(n);
    p[2] = static_cast<uint8_t>(n >> 8);
    send(MessageType::kRecordings, p, w.size());
  }
  const StateRecordBuffer& states = core_.states();
  for (uint32_t i = 0; i < states.size();) {
    Writer w(p, sizeof p);
    w.u8(kRecordStates).u16(0);
    uint16_t n = 0;
    for (; i < states.size() && w.remaining() >= kStateRecordBytes; ++i, ++n) write_state(w, states[i]);
    p[1] = static_cast<uint8_t>(n);
    p[2] = static_cast<uint8_t>(n >> 8);
    send(MessageType::kRecordings, p, w.size());
  }
  Writer w(p, sizeof p);
  w.u32(core_.current_tick()).u32(static_cast<uint32_t>(core_.state())).u32(out.size()).u32(spikes.size())
      .u32(states.size());
  write_provenance(w, core_.provenance());
  send(MessageType::kTickDone, p, w.size());
}

}  // namespace spindle::fw::link
