// Writes the fuzz targets' seed corpora from the example networks, with the
// project's own code: each example in the three network formats, the core
// images the mapping builds for the small examples, link sessions that load
// one of those images and run it, and SubmitNetwork requests of the small
// examples with a few injections.
//
//   fuzz_make_seeds EXAMPLES_DIR OUT_DIR
//
// OUT_DIR gets one folder per target (network, core_image, link_frame,
// daemon). The committed corpus in tests/fuzz/corpus was made with it; run
// it again after a format change and commit what changed.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "daemon_input.pb.h"
#include "link/frame.h"
#include "link/protocol.h"
#include "machine/machine.h"
#include "mapping/core_images.h"
#include "mapping/from_network.h"
#include "mapping/pipeline.h"
#include "network/load.h"
#include "util/crc32.h"

namespace {

namespace fs = std::filesystem;
namespace net = spindle::host::network;
namespace link = spindle::fw::link;

// The examples whose images and requests seed the core image, link and
// daemon targets (shrunk for the images, see shrunk()).
const char* const kSmallExamples[] = {"tiny", "cuba", "coba", "song_abbott_additive"};  // the last: plastic rows
constexpr size_t kMaxSeedImageBytes = 64 * 1024;

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string bytes_of(const std::vector<uint8_t>& v) { return {v.begin(), v.end()}; }

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// network target: '0' text, '1' JSON, '2' binary, then the file.
void network_seeds(const fs::path& examples, const fs::path& out) {
  const fs::path tmp = fs::temp_directory_path() / "spindle_fuzz_seed";
  for (const auto& e : fs::directory_iterator(examples)) {
    if (e.path().extension() != ".textproto") continue;
    const std::string stem = e.path().stem().string();
    const spindle::v1::Network n = net::load_network(e.path());
    write(out / "network" / (stem + ".textproto"), "0" + read(e.path()));
    net::save_network(n, tmp.string() + ".json");
    write(out / "network" / (stem + ".json"), "1" + read(tmp.string() + ".json"));
    write(out / "network" / (stem + ".pb"), "2" + n.SerializeAsString());
  }
  fs::remove(tmp.string() + ".json");
}

std::vector<std::vector<uint8_t>> images_of(const spindle::v1::Network& n) {
  const auto machine = spindle::emu::machine_from_shape("2x2");
  spindle::host::MappingOptions options;
  options.cost = spindle::host::cost_model_for(n);
  const auto graph = spindle::host::graph_from_network(n);
  const auto mapping = spindle::host::map_graph(graph, machine, options);
  std::vector<std::vector<uint8_t>> images;
  for (auto& c : spindle::host::build_machine_load(n, graph, mapping, nullptr, 1).cores)
    if (c.image.size() <= kMaxSeedImageBytes) images.push_back(std::move(c.image));
  return images;
}

// The network with populations of at most 40 neurons, so that its neuron
// cores' images (whose synaptic matrices grow with the sources) stay small.
spindle::v1::Network shrunk(spindle::v1::Network n) {
  for (auto& p : *n.mutable_populations())
    if (p.size() > 40) p.set_size(std::max<uint32_t>(1, p.size() / 100));
  return n;
}

// core_image target: mode byte 0 (as is), then the image.
void core_image_seeds(const std::string& stem, const std::vector<std::vector<uint8_t>>& images, const fs::path& out) {
  for (size_t i = 0; i < images.size(); ++i)
    write(out / "core_image" / (stem + "_" + std::to_string(i)), std::string(1, '\0') + bytes_of(images[i]));
}

void put_u32(std::vector<uint8_t>& v, uint32_t x) {
  for (int s = 0; s < 32; s += 8) v.push_back(static_cast<uint8_t>(x >> s));
}

// A frame record as the link target's framed mode reads it.
void record(std::vector<uint8_t>& out, link::MessageType type, uint16_t seq, const std::vector<uint8_t>& payload) {
  out.push_back(static_cast<uint8_t>(type));
  out.push_back(0);
  out.push_back(static_cast<uint8_t>(seq));
  out.push_back(static_cast<uint8_t>(seq >> 8));
  out.push_back(static_cast<uint8_t>(payload.size()));
  out.push_back(static_cast<uint8_t>(payload.size() >> 8));
  out.insert(out.end(), payload.begin(), payload.end());
}

// A session with the core's end: hello, the image in chunks, start, ticks
// with a packet in, provenance, stop.
std::vector<uint8_t> session(const std::vector<uint8_t>& image) {
  using link::MessageType;
  std::vector<uint8_t> r;
  uint16_t seq = 0;
  record(r, MessageType::kHello, seq++, {});
  std::vector<uint8_t> begin;
  put_u32(begin, static_cast<uint32_t>(image.size()));
  put_u32(begin, spindle::fw::crc32(image.data(), image.size()));
  record(r, MessageType::kLoadBegin, seq++, begin);
  for (uint32_t off = 0; off < image.size(); off += 1000) {
    std::vector<uint8_t> chunk;
    put_u32(chunk, off);
    chunk.insert(chunk.end(), image.begin() + off, image.begin() + std::min<size_t>(image.size(), off + 1000));
    record(r, MessageType::kLoadChunk, seq++, chunk);
  }
  record(r, MessageType::kLoadEnd, seq++, {});
  record(r, MessageType::kStart, seq++, {});
  std::vector<uint8_t> packets{1, 0, link::kPacketKeyOnly};  // count u16, then the packet
  put_u32(packets, 0);
  std::vector<uint8_t> tick;
  put_u32(tick, 1);  // ticks, then no packets
  tick.push_back(0);
  tick.push_back(0);
  record(r, MessageType::kPacketsIn, seq++, packets);
  record(r, MessageType::kTick, seq++, tick);
  record(r, MessageType::kTick, seq - 1, tick);  // a retry
  record(r, MessageType::kGetProvenance, seq++, {});
  record(r, MessageType::kStop, seq++, {});
  return r;
}

// The same records as wire bytes, for the raw mode.
std::vector<uint8_t> wire_of(const std::vector<uint8_t>& records) {
  std::vector<uint8_t> out;
  uint8_t w[link::kMaxWireFrame];
  for (size_t i = 0; i + 6 <= records.size();) {
    const size_t len = records[i + 4] | records[i + 5] << 8;
    const uint16_t seq = static_cast<uint16_t>(records[i + 2] | records[i + 3] << 8);
    const uint32_t n = link::encode_frame(records[i], records[i + 1], seq, records.data() + i + 6,
                                          static_cast<uint32_t>(len), w, sizeof w);
    out.insert(out.end(), w, w + n);
    i += 6 + len;
  }
  return out;
}

// Replies a core would send the host's end: HELLO_INFO, ACKs, TICK_DONE.
std::vector<uint8_t> host_replies() {
  using link::MessageType;
  std::vector<uint8_t> r;
  std::vector<uint8_t> hello;
  hello.push_back(static_cast<uint8_t>(link::kProtocolVersion));
  hello.push_back(0);
  hello.push_back(static_cast<uint8_t>(link::kMaxPayload & 0xFF));
  hello.push_back(static_cast<uint8_t>(link::kMaxPayload >> 8));
  put_u32(hello, 65536);
  hello.push_back(4);
  for (char c : std::string("fuzz")) hello.push_back(static_cast<uint8_t>(c));
  record(r, MessageType::kHelloInfo, 1, hello);
  uint16_t seq = 2;
  for (MessageType t : {MessageType::kLoadBegin, MessageType::kLoadChunk, MessageType::kLoadChunk,
                        MessageType::kLoadChunk, MessageType::kLoadEnd, MessageType::kStart}) {
    std::vector<uint8_t> ack{static_cast<uint8_t>(t)};
    put_u32(ack, 0);
    record(r, MessageType::kAck, seq++, ack);
  }
  return r;
}

void link_seeds(const std::vector<uint8_t>& image, const fs::path& out) {
  const std::vector<uint8_t> s = session(image);
  write(out / "link_frame" / "core_session_framed", std::string(1, '\x01') + bytes_of(s));
  write(out / "link_frame" / "core_session_wire", std::string(1, '\x00') + bytes_of(wire_of(s)));
  write(out / "link_frame" / "core_session_wire_chunked", std::string(1, '\x14') + bytes_of(wire_of(s)));
  const std::vector<uint8_t> h = host_replies();
  write(out / "link_frame" / "host_replies_framed", std::string(1, '\x03') + bytes_of(h));
  write(out / "link_frame" / "host_replies_wire", std::string(1, '\x02') + bytes_of(wire_of(h)));
}

void daemon_seed(const std::string& stem, const spindle::v1::Network& n, const fs::path& out) {
  spindle::fuzz::DaemonInput in;
  *in.mutable_submit()->mutable_network() = n;
  in.mutable_submit()->set_name(stem);
  for (int p = 0; p < n.populations_size() && p < 2; ++p) {
    spindle::v1::InjectRequest* r = in.add_inject();
    r->set_population(n.populations(p).label());
    r->add_neuron_ids(0);
    r->add_neuron_ids(n.populations(p).size() - 1);
    if (p == 1) r->set_tick(3);
  }
  in.set_run_ticks(5);
  write(out / "daemon" / stem, in.SerializeAsString());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s EXAMPLES_DIR OUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path examples = argv[1], out = argv[2];
  network_seeds(examples, out);
  std::vector<uint8_t> smallest;
  for (const char* stem : kSmallExamples) {
    const spindle::v1::Network n = net::load_network(examples / (std::string(stem) + ".textproto"));
    const auto images = images_of(shrunk(n));
    core_image_seeds(stem, images, out);
    for (const auto& im : images)
      if (smallest.empty() || im.size() < smallest.size()) smallest = im;
    daemon_seed(stem, n, out);
  }
  link_seeds(smallest, out);
  return 0;
}
