// Fuzz target: bytes -> the firmware's core image parser -> Core::load, and
// a few ticks of a core that accepted the image.
//
// The first input byte is a mode, the rest is the image. With mode bit 0
// set, the harness re-signs the image (fresh region and header CRCs) before
// parsing, so that mutated images get past the checksums and reach the
// region contents Core::load checks; without it the container checks,
// checksums included, see the bytes as they are. The image is copied into
// a heap buffer of exactly its size, so ASan reports any read past its end
// (DESIGN.md: a bad image never makes a core read outside its memory).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "image/format.h"
#include "image/parser.h"
#include "platform/native_platform.h"
#include "runtime/core.h"
#include "support/image_edit.h"

namespace {

namespace fw = spindle::fw;
namespace img = spindle::fw::image;

// Ticks a loaded core runs: enough for a spike to arrive through a ring
// slot and for sources to fire, few enough to keep an input fast.
constexpr uint32_t kTicks = 4;

// The population table's keys, read through the parser's own view: spikes
// that match entries make the core process the synaptic rows it accepted.
std::vector<uint32_t> table_keys(const uint8_t* image, size_t size) {
  img::ImageReader reader;
  std::vector<uint32_t> keys;
  if (!reader.open(image, size).ok()) return keys;
  // Static and plastic tables: the packets reach both kinds of rows.
  for (const img::RegionId id : {img::RegionId::kPopulationTable, img::RegionId::kPlasticTable}) {
    const img::RegionView t = reader.region(id);
    if (t.size < sizeof(img::PopulationTableHeader)) continue;
    img::PopulationTableHeader h;
    std::memcpy(&h, t.data, sizeof h);
    const size_t room = (t.size - sizeof h) / sizeof(img::PopulationTableEntry);
    for (size_t i = 0; i < h.n_entries && i < room; ++i) {
      img::PopulationTableEntry e;
      std::memcpy(&e, t.data + sizeof h + i * sizeof e, sizeof e);
      keys.push_back(e.key);
      keys.push_back(e.key | (~e.mask & (e.n_rows > 0 ? e.n_rows - 1 : 0)));  // the entry's last row
    }
  }
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool resign = (data[0] & 1) != 0;
  std::vector<uint8_t> bytes(data + 1, data + size);
  if (resign) spindle::test::resign_image(bytes);

  // Exactly the image's bytes, 4-byte aligned (operator new[] aligns to 16).
  const size_t n = bytes.size();
  std::unique_ptr<uint8_t[]> image(new uint8_t[n == 0 ? 1 : n]);
  if (n > 0) std::memcpy(image.get(), bytes.data(), n);

  // The core is large (its memory is all fixed arrays) and Core::load resets
  // everything it uses, so one is kept across inputs, as a board keeps its
  // cores across image loads.
  static auto* platform = new fw::NativePlatform();
  static auto* core = new fw::Core();
  // Writable, as the engine's and a board's link buffers are: plastic
  // images load and run (their rows and history are written in place).
  platform->set_writable_image(image.get(), static_cast<uint32_t>(n));
  platform->clear_outbox();
  const img::ImageStatus status = core->load(*platform);
  if (!status.ok() || core->state() != fw::CoreState::kReady) return 0;

  const std::vector<uint32_t> keys = table_keys(image.get(), n);
  for (uint32_t t = 0; t < kTicks; ++t) {
    for (uint32_t key : keys) core->on_packet(fw::Packet{key, 0, false});
    core->process_packets();
    core->tick();
    platform->clear_outbox();
    core->clear_records();
  }
  return 0;
}
