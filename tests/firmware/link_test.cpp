// The link protocol's firmware half: COBS + CRC framing (round trip, every
// single-bit flip and every truncation detected, resynchronisation after
// garbage) and the core server (chunked load checked by CRC before the core
// sees it, retried requests answered without running again, state rules).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "link/core_server.h"
#include "link/frame.h"
#include "link/messages.h"
#include "platform/native_platform.h"
#include "support/test_images.h"
#include "util/crc32.h"

namespace spindle::test {
namespace {

using namespace fw::link;

std::vector<uint8_t> wire(MessageType t, uint16_t seq, const std::vector<uint8_t>& payload, uint8_t attempt = 0) {
  std::vector<uint8_t> out(kMaxWireFrame);
  const uint32_t n = encode_frame(static_cast<uint8_t>(t), attempt, seq, payload.data(),
                                  static_cast<uint32_t>(payload.size()), out.data(), kMaxWireFrame);
  out.resize(n);
  return out;
}

struct Decoded {
  std::vector<FrameView> frames;
  std::vector<std::vector<uint8_t>> payloads;
  std::vector<FrameError> errors;
};

Decoded decode(const std::vector<uint8_t>& bytes) {
  fw::link::Deframer d;
  Decoded r;
  for (uint8_t b : bytes) {
    const auto res = d.feed(b);
    if (res == Deframer::Result::kFrame) {
      r.frames.push_back(d.frame());
      r.payloads.emplace_back(d.frame().payload, d.frame().payload + d.frame().length);
    } else if (res == Deframer::Result::kError) {
      r.errors.push_back(d.error());
    }
  }
  return r;
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  Gen32 g(seed);
  // Plenty of zeros and 0xFF runs: the COBS edge cases.
  for (size_t i = 0; i < n; ++i) v[i] = (i % 7 == 0) ? 0 : (i % 300 < 260 ? static_cast<uint8_t>(g()) : 0xFF);
  return v;
}

TEST(LinkFrame, CobsRoundTripAtBlockEdges) {
  for (size_t n : {0u, 1u, 253u, 254u, 255u, 508u, 1000u}) {
    for (uint8_t fill : {uint8_t{0}, uint8_t{1}, uint8_t{0xFF}}) {
      std::vector<uint8_t> in(n, fill), enc(n + n / 254 + 2), out(n + 1);
      const uint32_t e = cobs_encode(in.data(), static_cast<uint32_t>(n), enc.data(), static_cast<uint32_t>(enc.size()));
      ASSERT_GT(e, 0u);
      for (uint32_t i = 0; i < e; ++i) ASSERT_NE(enc[i], 0) << "n=" << n;
      uint32_t m = 0;
      ASSERT_TRUE(cobs_decode(enc.data(), e, out.data(), static_cast<uint32_t>(out.size()), m));
      ASSERT_EQ(m, n);
      EXPECT_TRUE(std::equal(in.begin(), in.end(), out.begin()));
    }
  }
}

TEST(LinkFrame, RoundTripKeepsHeaderAndPayload) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{300}, size_t{kMaxPayload}}) {
    const auto payload = pattern(n, static_cast<uint32_t>(n));
    const auto bytes = wire(MessageType::kTick, 0xBEEF, payload, 3);
    ASSERT_FALSE(bytes.empty());
    ASSERT_LE(bytes.size(), kMaxWireFrame);
    const Decoded d = decode(bytes);
    ASSERT_EQ(d.frames.size(), 1u);
    EXPECT_TRUE(d.errors.empty());
    EXPECT_EQ(d.frames[0].type, static_cast<uint8_t>(MessageType::kTick));
    EXPECT_EQ(d.frames[0].seq, 0xBEEF);
    EXPECT_EQ(d.frames[0].attempt, 3);
    EXPECT_EQ(d.payloads[0], payload);
  }
}

TEST(LinkFrame, OversizedPayloadIsRefused) {
  std::vector<uint8_t> p(kMaxPayload + 1), out(2 * kMaxWireFrame);
  EXPECT_EQ(encode_frame(1, 0, 0, p.data(), static_cast<uint32_t>(p.size()), out.data(),
                         static_cast<uint32_t>(out.size())), 0u);
}

TEST(LinkFrame, EverySingleBitFlipIsDetected) {
  const auto payload = pattern(200, 7);
  const auto bytes = wire(MessageType::kPacketsIn, 17, payload);
  // Flip every bit of everything between the delimiters.
  for (size_t i = 1; i + 1 < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = bytes;
      bad[i] ^= static_cast<uint8_t>(1u << bit);
      const Decoded d = decode(bad);
      ASSERT_TRUE(d.frames.empty()) << "byte " << i << " bit " << bit << " passed as a frame";
      ASSERT_FALSE(d.errors.empty()) << "byte " << i << " bit " << bit << " went unreported";
    }
  }
}

TEST(LinkFrame, EveryTruncationIsDetected) {
  const auto bytes = wire(MessageType::kRecordings, 5, pattern(300, 9));
  for (size_t keep = 2; keep + 1 < bytes.size(); ++keep) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(keep));
    cut.push_back(0);  // the next frame's delimiter ends the truncated one
    const Decoded d = decode(cut);
    ASSERT_TRUE(d.frames.empty()) << "kept " << keep;
    ASSERT_EQ(d.errors.size(), 1u) << "kept " << keep;
  }
}

TEST(LinkFrame, ResynchronisesAfterGarbageAndOverlongRuns) {
  std::vector<uint8_t> stream = {0x13, 0x37, 0xFF, 0x01};  // garbage, no delimiter
  const auto a = wire(MessageType::kHello, 1, {});
  stream.insert(stream.end(), a.begin(), a.end());
  stream.insert(stream.end(), kMaxEncodedFrame + 50, 0x55);  // overlong junk
  const auto b = wire(MessageType::kStart, 2, {1, 2, 3});
  stream.insert(stream.end(), b.begin(), b.end());
  const Decoded d = decode(stream);
  ASSERT_EQ(d.frames.size(), 2u);
  EXPECT_EQ(d.frames[0].seq, 1);
  EXPECT_EQ(d.frames[1].seq, 2);
  EXPECT_EQ(d.payloads[1], (std::vector<uint8_t>{1, 2, 3}));
  ASSERT_EQ(d.errors.size(), 2u);
  EXPECT_EQ(d.errors[0], FrameError::kBadCobs);  // the garbage before the first delimiter
  EXPECT_EQ(d.errors[1], FrameError::kTooLong);
}

TEST(LinkMessages, ProvenanceAndRecordsRoundTrip) {
  fw::Provenance p;
  uint32_t v = 1;
  p.ticks = v++, p.packets_received = v++, p.packets_sent = v++, p.packets_send_failed = v++;
  p.input_queue_overflows = v++, p.packets_no_match = v++, p.synaptic_events = v++, p.ring_saturations = v++;
  p.tick_overruns = v++, p.max_queue_depth = v++, p.spike_records_dropped = v++, p.state_records_dropped = v++;
  p.spikes_emitted = v++, p.poisson_capped = v++;
  uint8_t buf[256];
  Writer w(buf, sizeof buf);
  write_provenance(w, p);
  write_state(w, {77, 12, 2, -12345});
  write_packet(w, {0xABCD, 9, true});
  Reader r(buf, w.size());
  const fw::Provenance q = read_provenance(r);
  EXPECT_EQ(std::memcmp(&p, &q, sizeof p), 0);
  const fw::StateRecord s = read_state(r);
  EXPECT_EQ(s.tick, 77u);
  EXPECT_EQ(s.neuron, 12);
  EXPECT_EQ(s.variable, 2);
  EXPECT_EQ(s.value, -12345);
  fw::Packet pk;
  ASSERT_TRUE(read_packet(r, pk));
  EXPECT_EQ(pk.key, 0xABCDu);
  EXPECT_TRUE(pk.has_payload);
  EXPECT_EQ(pk.payload, 9u);
  EXPECT_TRUE(r.done());
}

// --- core server ------------------------------------------------------------

std::vector<uint8_t> u32s(std::initializer_list<uint32_t> v) {
  std::vector<uint8_t> out;
  for (uint32_t x : v)
    for (int s = 0; s < 32; s += 8) out.push_back(static_cast<uint8_t>(x >> s));
  return out;
}

class ServerFixture : public ::testing::Test {
 protected:
  ServerFixture() {
    server_ = std::make_unique<CoreServer>(*core_, *platform_, CoreServer::Config{"test", image_, sizeof image_},
                                           &ServerFixture::collect, this);
  }
  static void collect(void* self, const uint8_t* data, uint32_t size) {
    auto* f = static_cast<ServerFixture*>(self);
    f->sent_.insert(f->sent_.end(), data, data + size);
  }
  // Sends one request, returns what came back.
  Decoded request(MessageType t, uint16_t seq, const std::vector<uint8_t>& payload) {
    sent_.clear();
    for (uint8_t b : wire(t, seq, payload)) server_->on_byte(b);
    return decode(sent_);
  }
  static std::vector<uint8_t> small_image() {
    host::IfCurrExpParams p;
    p.i_offset = 2.0;  // fires on its own
    return host::build_core_image(neuron_spec(host::uniform_block(p, 8, 1.0), 0x10000, {}));
  }
  uint16_t load(const std::vector<uint8_t>& image, uint32_t chunk, uint32_t crc) {
    uint16_t seq = 1;
    EXPECT_EQ(request(MessageType::kLoadBegin, seq++, u32s({static_cast<uint32_t>(image.size()), crc})).frames[0].type,
              static_cast<uint8_t>(MessageType::kAck));
    for (uint32_t off = 0; off < image.size(); off += chunk) {
      auto p = u32s({off});
      p.insert(p.end(), image.begin() + off, image.begin() + std::min<size_t>(image.size(), off + chunk));
      request(MessageType::kLoadChunk, seq++, p);
    }
    return seq;
  }

  std::unique_ptr<fw::Core> core_ = std::make_unique<fw::Core>();
  std::unique_ptr<fw::NativePlatform> platform_ = std::make_unique<fw::NativePlatform>();
  alignas(4) uint32_t image_[16384] = {};
  std::unique_ptr<CoreServer> server_;
  std::vector<uint8_t> sent_;
};

TEST_F(ServerFixture, HelloReportsBoardAndLimits) {
  const Decoded d = request(MessageType::kHello, 0, {});
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(d.frames[0].type, static_cast<uint8_t>(MessageType::kHelloInfo));
  Reader r(d.payloads[0].data(), static_cast<uint32_t>(d.payloads[0].size()));
  EXPECT_EQ(r.u16(), kProtocolVersion);
  EXPECT_EQ(r.u16(), kMaxPayload);
  EXPECT_EQ(r.u32(), sizeof image_);
  EXPECT_EQ(r.u8(), 4);
}

TEST_F(ServerFixture, ImageWithWrongCrcNeverLoads) {
  const auto image = small_image();
  const uint16_t seq = load(image, 100, fw::crc32(image.data(), image.size()) ^ 1u);
  const Decoded d = request(MessageType::kLoadEnd, seq, {});
  ASSERT_EQ(d.frames.size(), 1u);
  ASSERT_EQ(d.frames[0].type, static_cast<uint8_t>(MessageType::kError));
  Reader r(d.payloads[0].data(), static_cast<uint32_t>(d.payloads[0].size()));
  EXPECT_EQ(r.u16(), static_cast<uint16_t>(ErrorCode::kImageCrc));
  EXPECT_EQ(core_->state(), fw::CoreState::kUnloaded);
  EXPECT_EQ(server_->state(), ServerState::kIdle);
  EXPECT_EQ(request(MessageType::kStart, seq + 1, {}).frames[0].type, static_cast<uint8_t>(MessageType::kError));
}

TEST_F(ServerFixture, ChunkAtWrongOffsetIsRefused) {
  const auto image = small_image();
  request(MessageType::kLoadBegin, 1, u32s({static_cast<uint32_t>(image.size()), 0}));
  auto p = u32s({4});
  p.insert(p.end(), image.begin(), image.begin() + 8);
  const Decoded d = request(MessageType::kLoadChunk, 2, p);
  ASSERT_EQ(d.frames[0].type, static_cast<uint8_t>(MessageType::kError));
  Reader r(d.payloads[0].data(), static_cast<uint32_t>(d.payloads[0].size()));
  EXPECT_EQ(r.u16(), static_cast<uint16_t>(ErrorCode::kChunkOffset));
}

TEST_F(ServerFixture, RetriedTickIsAnsweredAgainWithoutTicking) {
  const auto image = small_image();
  uint16_t seq = load(image, 64, fw::crc32(image.data(), image.size()));
  ASSERT_EQ(request(MessageType::kLoadEnd, seq++, {}).frames[0].type, static_cast<uint8_t>(MessageType::kAck));
  ASSERT_EQ(request(MessageType::kStart, seq++, {}).frames[0].type, static_cast<uint8_t>(MessageType::kAck));
  auto tick_payload = u32s({5});
  tick_payload.push_back(0), tick_payload.push_back(0);  // no packets
  const Decoded first = request(MessageType::kTick, seq, tick_payload);
  ASSERT_FALSE(first.frames.empty());
  EXPECT_EQ(first.frames.back().type, static_cast<uint8_t>(MessageType::kTickDone));
  EXPECT_EQ(core_->current_tick(), 5u);
  const Decoded again = request(MessageType::kTick, seq, tick_payload);
  EXPECT_EQ(core_->current_tick(), 5u);
  EXPECT_EQ(again.payloads, first.payloads);
  // A new sequence number runs again.
  request(MessageType::kTick, static_cast<uint16_t>(seq + 1), tick_payload);
  EXPECT_EQ(core_->current_tick(), 10u);
}

TEST_F(ServerFixture, CorruptFrameGetsANakAndChangesNothing) {
  auto bytes = wire(MessageType::kLoadBegin, 1, u32s({100, 0}));
  bytes[3] ^= 0x10;
  sent_.clear();
  for (uint8_t b : bytes) server_->on_byte(b);
  const Decoded d = decode(sent_);
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(d.frames[0].type, static_cast<uint8_t>(MessageType::kNak));
  EXPECT_EQ(server_->state(), ServerState::kIdle);
  EXPECT_EQ(server_->bad_frames(), 1u);
}

TEST_F(ServerFixture, ReadPlasticNeedsALoadedImageWithPlasticSynapses) {
  auto code_of = [](const Decoded& d) {
    EXPECT_EQ(d.frames.size(), 1u);
    EXPECT_EQ(d.frames[0].type, static_cast<uint8_t>(MessageType::kError));
    Reader r(d.payloads[0].data(), static_cast<uint32_t>(d.payloads[0].size()));
    const auto code = static_cast<ErrorCode>(r.u16());
    EXPECT_EQ(r.u16(), static_cast<uint16_t>(MessageType::kReadPlastic));
    return code;
  };
  EXPECT_EQ(code_of(request(MessageType::kReadPlastic, 1, u32s({0}))), ErrorCode::kBadState);
  const auto image = small_image();
  uint16_t seq = load(image, 256, fw::crc32(image.data(), image.size()));
  ASSERT_EQ(request(MessageType::kLoadEnd, seq++, {}).frames[0].type, static_cast<uint8_t>(MessageType::kAck));
  EXPECT_EQ(code_of(request(MessageType::kReadPlastic, seq++, {0, 0})), ErrorCode::kBadPayload);
  EXPECT_EQ(code_of(request(MessageType::kReadPlastic, seq++, u32s({0}))), ErrorCode::kNoPlastic);
  // A retry gets the same answer.
  EXPECT_EQ(code_of(request(MessageType::kReadPlastic, static_cast<uint16_t>(seq - 1), u32s({0}))), ErrorCode::kNoPlastic);
}

TEST_F(ServerFixture, SetModeSwitchesNeuronsOrSaysWhatIsWrong) {
  auto error_of = [](const Decoded& d, std::vector<uint32_t>* details = nullptr) {
    EXPECT_EQ(d.frames.size(), 1u);
    EXPECT_EQ(d.frames[0].type, static_cast<uint8_t>(MessageType::kError));
    Reader r(d.payloads[0].data(), static_cast<uint32_t>(d.payloads[0].size()));
    const auto code = static_cast<ErrorCode>(r.u16());
    EXPECT_EQ(r.u16(), static_cast<uint16_t>(MessageType::kSetMode));
    if (details != nullptr)
      for (int i = 0; i < 3; ++i) details->push_back(r.u32());
    return code;
  };
  const uint32_t half_mv = 1u << 14;  // 0.5 mV in s16.15
  EXPECT_EQ(error_of(request(MessageType::kSetMode, 1, u32s({0, 8, half_mv, fw::kModeGainOne}))), ErrorCode::kBadState);
  const auto image = small_image();
  uint16_t seq = load(image, 256, fw::crc32(image.data(), image.size()));
  ASSERT_EQ(request(MessageType::kLoadEnd, seq++, {}).frames[0].type, static_cast<uint8_t>(MessageType::kAck));
  EXPECT_EQ(error_of(request(MessageType::kSetMode, seq++, u32s({0, 8, 0}))), ErrorCode::kBadPayload);
  std::vector<uint32_t> d;
  EXPECT_EQ(error_of(request(MessageType::kSetMode, seq++, u32s({4, 5, 0, fw::kModeGainOne})), &d), ErrorCode::kModeRange);
  EXPECT_EQ(d, (std::vector<uint32_t>{4, 5, 8}));
  d.clear();
  EXPECT_EQ(error_of(request(MessageType::kSetMode, seq++, u32s({0, 1, 0, fw::kModeGainMax + 1})), &d),
            ErrorCode::kModeValue);
  EXPECT_EQ(d[1], fw::kModeGainMax + 1);
  EXPECT_EQ(error_of(request(MessageType::kSetMode, seq++,
                             u32s({0, 1, static_cast<uint32_t>(fw::kModeMaxThresholdOffsetRaw + 1), 0}))),
            ErrorCode::kModeValue);
  EXPECT_EQ(core_->mode_gain(0), fw::kModeGainOne);  // nothing was switched
  const Decoded ok = request(MessageType::kSetMode, seq, u32s({2, 6, half_mv, 3 * fw::kModeGainOne}));
  ASSERT_EQ(ok.frames.size(), 1u);
  EXPECT_EQ(ok.frames[0].type, static_cast<uint8_t>(MessageType::kAck));
  EXPECT_EQ(core_->mode_gain(1), fw::kModeGainOne);
  EXPECT_EQ(core_->mode_gain(2), 3 * fw::kModeGainOne);
  EXPECT_EQ(core_->mode_threshold_offset(7).raw, static_cast<int32_t>(half_mv));
  // A retry is answered again; the mode is what it was.
  EXPECT_EQ(request(MessageType::kSetMode, seq, u32s({2, 6, half_mv, 3 * fw::kModeGainOne})).payloads, ok.payloads);
  EXPECT_EQ(core_->mode_threshold_offset(7).raw, static_cast<int32_t>(half_mv));
}

TEST_F(ServerFixture, SetLearningScaleNeedsPlasticSynapses) {
  auto code_of = [](const Decoded& d) {
    EXPECT_EQ(d.frames.size(), 1u);
    EXPECT_EQ(d.frames[0].type, static_cast<uint8_t>(MessageType::kError));
    Reader r(d.payloads[0].data(), static_cast<uint32_t>(d.payloads[0].size()));
    const auto code = static_cast<ErrorCode>(r.u16());
    EXPECT_EQ(r.u16(), static_cast<uint16_t>(MessageType::kSetLearningScale));
    return code;
  };
  EXPECT_EQ(code_of(request(MessageType::kSetLearningScale, 1, u32s({4096}))), ErrorCode::kBadState);
  const auto image = small_image();
  uint16_t seq = load(image, 256, fw::crc32(image.data(), image.size()));
  ASSERT_EQ(request(MessageType::kLoadEnd, seq++, {}).frames[0].type, static_cast<uint8_t>(MessageType::kAck));
  EXPECT_EQ(code_of(request(MessageType::kSetLearningScale, seq++, {0, 0})), ErrorCode::kBadPayload);
  EXPECT_EQ(code_of(request(MessageType::kSetLearningScale, seq++, u32s({4096}))), ErrorCode::kNoPlastic);
  EXPECT_FALSE(core_->set_learning_scale(4096));
}

TEST_F(ServerFixture, TickBeforeStartIsABadStateError) {
  const Decoded d = request(MessageType::kTick, 1, {1, 0, 0, 0, 0, 0});
  ASSERT_EQ(d.frames[0].type, static_cast<uint8_t>(MessageType::kError));
  Reader r(d.payloads[0].data(), static_cast<uint32_t>(d.payloads[0].size()));
  EXPECT_EQ(r.u16(), static_cast<uint16_t>(ErrorCode::kBadState));
  EXPECT_EQ(r.u16(), static_cast<uint16_t>(MessageType::kTick));
}

}  // namespace
}  // namespace spindle::test
