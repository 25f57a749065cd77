// Fuzz target: the link protocol's frame decoder, on both ends of the link.
//
// Input: a mode byte, then a byte stream. Mode bits:
//   bit 0  0: the stream is wire bytes as they are (COBS, delimiters, CRCs
//             all up to the fuzzer);
//          1: the stream is a list of raw frames (type u8, attempt u8,
//             seq u16, length u16, payload) that the harness frames with
//             encode_frame, so well-formed frames with any contents reach
//             the message handlers;
//   bit 1  0: the core's end: CoreServer (with a core behind it) reads the
//             stream and answers;
//          1: the host's end: LinkClient reads the stream as the core's
//             replies while it runs hello, load, start, a tick, status, stop;
//   bits 2-7: seed of the chunking, how many bytes each read delivers.
//
// Checked besides ASan/UBSan: the decoder never yields a frame whose
// length disagrees with its bytes or whose re-encoding decodes differently,
// and whatever the core's end writes back decodes as well-formed frames.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "link/core_server.h"
#include "link/frame.h"
#include "link/protocol.h"
#include "platform/native_platform.h"
#include "remote/link_client.h"
#include "remote/transport.h"
#include "runtime/core.h"

namespace {

namespace fw = spindle::fw;
namespace link = spindle::fw::link;
namespace remote = spindle::emu::remote;

// A failed property: abort, so libFuzzer keeps the input as a crash.
#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) __builtin_trap(); \
  } while (0)

// Chunk sizes from a small LCG: 1 to 64 bytes, or everything left.
class Chunker {
 public:
  explicit Chunker(uint8_t seed) : state_(seed) {}
  size_t next(size_t left) {
    state_ = state_ * 1103515245u + 12345u;
    const uint32_t r = (state_ >> 16) & 0x7F;
    const size_t n = r >= 64 ? left : r + 1;
    return n < left ? n : left;
  }

 private:
  uint32_t state_;
};

std::vector<uint8_t> frame_records(const uint8_t* p, size_t n) {
  std::vector<uint8_t> out;
  uint8_t wire[link::kMaxWireFrame];
  size_t i = 0;
  while (i + 6 <= n) {
    const uint8_t type = p[i], attempt = p[i + 1];
    const auto seq = static_cast<uint16_t>(p[i + 2] | p[i + 3] << 8);
    size_t length = static_cast<size_t>(p[i + 4] | p[i + 5] << 8) % (link::kMaxPayload + 1);
    i += 6;
    if (length > n - i) length = n - i;
    const uint32_t w = link::encode_frame(type, attempt, seq, p + i, static_cast<uint32_t>(length), wire, sizeof wire);
    FUZZ_CHECK(w != 0);
    out.insert(out.end(), wire, wire + w);
    i += length;
  }
  return out;
}

// Every frame the decoder yields is consistent and survives a round trip.
void check_decoder(const std::vector<uint8_t>& stream) {
  link::Deframer d, again;
  uint8_t wire[link::kMaxWireFrame];
  for (uint8_t b : stream) {
    if (d.feed(b) != link::Deframer::Result::kFrame) continue;
    const link::FrameView& f = d.frame();
    FUZZ_CHECK(f.length <= link::kMaxPayload);
    const uint32_t w = link::encode_frame(f.type, f.attempt, f.seq, f.payload, f.length, wire, sizeof wire);
    FUZZ_CHECK(w != 0);
    link::Deframer::Result r = link::Deframer::Result::kNone;
    for (uint32_t k = 0; k < w; ++k) r = again.feed(wire[k]);
    FUZZ_CHECK(r == link::Deframer::Result::kFrame);
    const link::FrameView& g = again.frame();
    FUZZ_CHECK(g.type == f.type && g.attempt == f.attempt && g.seq == f.seq && g.length == f.length);
    FUZZ_CHECK(std::memcmp(g.payload, f.payload, f.length) == 0);
  }
}

// The core's end. Its replies are decoded as they come: none may be malformed.
struct ReplyChecker {
  link::Deframer d;
  static void write(void* self, const uint8_t* data, uint32_t size) {
    auto* c = static_cast<ReplyChecker*>(self);
    for (uint32_t i = 0; i < size; ++i) FUZZ_CHECK(c->d.feed(data[i]) != link::Deframer::Result::kError);
  }
};

void run_core_end(const std::vector<uint8_t>& stream, Chunker& chunks) {
  // One core and image buffer for all inputs (a board's are static too);
  // the server, whose state is the session, is new for each input.
  static auto* platform = new fw::NativePlatform();
  static auto* core = new fw::Core();
  alignas(4) static uint32_t image[16384];
  ReplyChecker replies;
  link::CoreServer server(*core, *platform, link::CoreServer::Config{"fuzz", image, sizeof image}, &ReplyChecker::write,
                          &replies);
  for (size_t at = 0; at < stream.size();) {
    const size_t n = chunks.next(stream.size() - at);
    for (size_t k = 0; k < n; ++k) server.on_byte(stream[at + k]);
    platform->clear_outbox();
    at += n;
  }
}

// The host's end: replies come from the stream, chunk by chunk; the end of
// the stream is a closed link.
class StreamTransport final : public remote::ByteTransport {
 public:
  StreamTransport(const std::vector<uint8_t>& stream, Chunker& chunks) : stream_(stream), chunks_(chunks) {}
  void write(const uint8_t*, size_t) override {}
  size_t read(uint8_t* data, size_t capacity, std::chrono::milliseconds) override {
    if (at_ == stream_.size()) throw remote::TransportClosed("end of input");
    size_t n = chunks_.next(stream_.size() - at_);
    if (n > capacity) n = capacity;
    std::memcpy(data, stream_.data() + at_, n);
    at_ += n;
    return n;
  }

 private:
  const std::vector<uint8_t>& stream_;
  Chunker& chunks_;
  size_t at_ = 0;
};

void run_host_end(const std::vector<uint8_t>& stream, Chunker& chunks) {
  StreamTransport transport(stream, chunks);
  remote::LinkClient client(transport);
  try {
    (void)client.hello();
    client.load(std::vector<uint8_t>(2100, 0x5A));  // three chunks of a (fake) image
    client.start();
    client.begin_tick({fw::Packet{0x10000, 0, false}, fw::Packet{0x10001, 7, true}}, 1);
    (void)client.finish_tick();
    (void)client.status();
    client.stop();
  } catch (const remote::LinkError&) {
  } catch (const remote::TransportClosed&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::vector<uint8_t> stream =
      (mode & 1) ? frame_records(data + 1, size - 1) : std::vector<uint8_t>(data + 1, data + size);
  check_decoder(stream);
  Chunker chunks(static_cast<uint8_t>(mode >> 2));
  if (mode & 2) run_host_end(stream, chunks);
  else run_core_end(stream, chunks);
  return 0;
}
