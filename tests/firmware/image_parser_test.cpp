// Core image validation: the container parser (ImageReader) on every
// truncation, every single-bit flip and every malformed header or region
// table; then Core::load on images that are well signed (fresh checksums)
// but semantically wrong. Buffers hold exactly the image's bytes, so under
// AddressSanitizer any read past the end fails the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "image/parser.h"
#include "synapse/plasticity/post_history.h"
#include "synapse/plasticity/stdp_lut_builder.h"
#include "synapses/stdp_params.h"
#include "support/image_edit.h"
#include "cells/if_curr_exp_segments.h"
#include "support/test_images.h"

namespace spindle::test {
namespace {

namespace img = fw::image;
using img::ImageError;
using img::RegionId;

constexpr uint32_t kNeuronKey = 0x30000;
constexpr uint32_t kBlockAKey = 0x10000;  // 40 sources: mask ~63
constexpr uint32_t kBlockBKey = 0x20000;  // 10 sources: mask ~15
constexpr uint32_t kNeurons = 20;         // not a power of two: index 20..31 encodable but invalid

host::CoreImageSpec neuron_core_spec() {
  std::mt19937 rng(1234);
  host::IfCurrExpParams p;
  p.cm = 0.25;
  p.i_offset = 0.3;
  return neuron_spec(host::uniform_block(p, kNeurons, 1.0), kNeuronKey,
                     {random_block(rng, kBlockAKey, 40, kNeurons, 0.3, 0.1, 0.8, 5),
                      random_block(rng, kBlockBKey, 10, kNeurons, 0.5, 0.2, 1.0, 3)},
                     img::kRecordSpikes | img::kRecordV);
}
std::vector<uint8_t> neuron_image() { return host::build_core_image(neuron_core_spec()); }

std::vector<uint8_t> poisson_image() {
  std::vector<img::PoissonSource> s;
  for (uint32_t i = 0; i < 12; ++i) s.push_back(host::poisson_source(50.0 + 10 * i, 0, 1e6, 1.0));
  return host::build_core_image(poisson_spec(s, 0x40000, {5, 6, 7, 8}));
}

std::vector<uint8_t> array_image() {
  return host::build_core_image(array_spec(6, {{0, 1}, {2, 0}, {2, 5}, {3, 3}, {3, 3}, {9, 2}}, 0x50000));
}

img::ImageStatus open_exact(const std::vector<uint8_t>& image, size_t len, size_t misalign = 0) {
  ExactBuffer b(image.data(), len, misalign);
  img::ImageReader reader;
  return reader.open(b.data(), b.size());
}

// --- the container ---------------------------------------------------------

TEST(ImageParser, ValidImageParses) {
  for (const auto& image : {neuron_image(), poisson_image(), array_image()}) {
    ExactBuffer b(image.data(), image.size());
    img::ImageReader reader;
    ASSERT_TRUE(reader.open(b.data(), b.size()).ok());
    const img::ImageHeader h = read_header(image);
    EXPECT_EQ(h.magic, img::kMagic);
    EXPECT_EQ(h.total_size, image.size());
    for (uint32_t i = 0; i < h.region_count; ++i) {
      const img::RegionEntry e = read_entry(image, i);
      const img::RegionView v = reader.region(static_cast<RegionId>(e.id));
      ASSERT_TRUE(v.present());
      EXPECT_EQ(v.data, b.data() + e.offset);
      EXPECT_EQ(v.size, e.size);
    }
    EXPECT_FALSE(reader.region(static_cast<RegionId>(0)).present());
    EXPECT_FALSE(reader.region(static_cast<RegionId>(99)).present());
    LoadedCore c(image);
    EXPECT_TRUE(c.status().ok()) << to_string(c.status().error);
    EXPECT_EQ(c.core().state(), fw::CoreState::kReady);
  }
}

TEST(ImageParser, ExtraBytesAfterTheImageAreIgnored) {
  std::vector<uint8_t> image = neuron_image();
  image.resize(image.size() + 12, 0xAB);
  EXPECT_TRUE(open_exact(image, image.size()).ok());
}

TEST(ImageParser, NullOrEmpty) {
  img::ImageReader reader;
  EXPECT_EQ(reader.open(nullptr, 1000).error, ImageError::kTooSmall);
  const std::vector<uint8_t> image = neuron_image();
  EXPECT_EQ(open_exact(image, 0).error, ImageError::kTooSmall);
}

TEST(ImageParser, EveryTruncationIsRejected) {
  for (const auto& image : {neuron_image(), poisson_image(), array_image()}) {
    auto platform = std::make_unique<fw::NativePlatform>();
    auto core = std::make_unique<fw::Core>();
    for (size_t len = 0; len < image.size(); ++len) {
      ExactBuffer b(image.data(), len);
      img::ImageReader reader;
      const img::ImageStatus s = reader.open(b.data(), b.size());
      const ImageError want = len < sizeof(img::ImageHeader) ? ImageError::kTooSmall : ImageError::kBadTotalSize;
      ASSERT_EQ(s.error, want) << "length " << len;
      EXPECT_FALSE(reader.region(RegionId::kSystem).present());
      platform->set_image(b.data(), static_cast<uint32_t>(len));
      ASSERT_EQ(core->load(*platform).error, want) << "length " << len;
      ASSERT_EQ(core->state(), fw::CoreState::kError);
    }
  }
}

TEST(ImageParser, EveryBitFlipIsRejected) {
  const std::vector<uint8_t> image = neuron_image();
  const img::ImageHeader h = read_header(image);
  const size_t table_end = entry_offset(h.region_count);
  // Which region each payload byte belongs to.
  std::vector<uint32_t> owner(image.size(), 0);
  for (uint32_t i = 0; i < h.region_count; ++i) {
    const img::RegionEntry e = read_entry(image, i);
    for (uint32_t k = e.offset; k < e.offset + e.size; ++k) owner[k] = e.id;
  }
  std::vector<uint8_t> flipped = image;
  for (size_t byte = 0; byte < image.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      flipped[byte] = static_cast<uint8_t>(image[byte] ^ (1u << bit));
      const img::ImageStatus s = open_exact(flipped, flipped.size());
      flipped[byte] = image[byte];
      SCOPED_TRACE("byte " + std::to_string(byte) + " bit " + std::to_string(bit));
      ASSERT_FALSE(s.ok());
      std::set<ImageError> allowed;
      if (byte < 4) allowed = {ImageError::kBadMagic};
      else if (byte < 6) allowed = {ImageError::kBadVersion};
      else if (byte < 8) allowed = {ImageError::kHeaderChecksum};  // minor version: compatible, but signed
      else if (byte < 12) allowed = {ImageError::kBadTotalSize, ImageError::kRegionOutOfBounds, ImageError::kHeaderChecksum};
      else if (byte < 16) allowed = {ImageError::kTooManyRegions, ImageError::kRegionOutOfBounds, ImageError::kHeaderChecksum};
      else if (byte < table_end) allowed = {ImageError::kHeaderChecksum};
      else allowed = {ImageError::kRegionChecksum};
      ASSERT_TRUE(allowed.count(s.error)) << "got " << to_string(s.error);
      if (byte >= table_end) {
        EXPECT_EQ(s.region, owner[byte]);
      }
    }
  }
}

TEST(ImageParser, UnalignedBufferIsRejected) {
  const std::vector<uint8_t> image = neuron_image();
  for (size_t misalign = 1; misalign < 4; ++misalign) {
    EXPECT_EQ(open_exact(image, image.size(), misalign).error, ImageError::kMisaligned);
    ExactBuffer b(image.data(), image.size(), misalign);
    fw::NativePlatform platform;
    platform.set_image(b.data(), static_cast<uint32_t>(b.size()));
    auto core = std::make_unique<fw::Core>();
    EXPECT_EQ(core->load(platform).error, ImageError::kMisaligned);
    EXPECT_EQ(core->state(), fw::CoreState::kError);
  }
  EXPECT_TRUE(open_exact(image, image.size(), 4).ok());
}

// Edits the header of a copy of the image, re-signs it, and parses it.
template <class F>
img::ImageStatus with_header(const std::vector<uint8_t>& image, F&& f, bool resign = true) {
  std::vector<uint8_t> copy = image;
  img::ImageHeader h = read_header(copy);
  f(h);
  write_header(copy, h);
  if (resign) resign_image(copy);
  return open_exact(copy, copy.size());
}

TEST(ImageParser, HeaderFields) {
  const std::vector<uint8_t> image = neuron_image();
  const auto size = static_cast<uint32_t>(image.size());
  EXPECT_EQ(with_header(image, [](auto& h) { h.magic = 0x4C444E54; }).error, ImageError::kBadMagic);
  EXPECT_EQ(with_header(image, [](auto& h) { h.magic = 0; }).error, ImageError::kBadMagic);
  EXPECT_EQ(with_header(image, [](auto& h) { h.magic = 0x534E444C; }).error, ImageError::kBadMagic);  // byte-swapped
  // 1: before NeuronRegionHeader.model_id, 2: padded rows, 3: Poisson exp(-lambda), 4: recording mask of 256
  // neurons, 5: four synapse types
  const uint16_t majors[] = {0, 1, 2, 3, 4, 5, 7, 0xFFFF};
  for (uint16_t major : majors) {
    const img::ImageStatus s = with_header(image, [&](auto& h) { h.version_major = major; });
    EXPECT_EQ(s.error, ImageError::kBadVersion) << major;
    EXPECT_EQ(s.offset, 4u);
  }
  EXPECT_TRUE(with_header(image, [](auto& h) { h.version_minor = 7; }).ok());  // compatible addition
  EXPECT_EQ(with_header(image, [](auto& h) { h.version_minor = 7; }, false).error, ImageError::kHeaderChecksum);
  EXPECT_EQ(with_header(image, [&](auto& h) { h.total_size = size + 4; }).error, ImageError::kBadTotalSize);
  EXPECT_EQ(with_header(image, [&](auto& h) { h.total_size = size - 2; }).error, ImageError::kBadTotalSize);
  EXPECT_EQ(with_header(image, [&](auto& h) { h.total_size = 28; }).error, ImageError::kBadTotalSize);
  EXPECT_EQ(with_header(image, [&](auto& h) { h.total_size = 0; }).error, ImageError::kBadTotalSize);
  EXPECT_EQ(with_header(image, [&](auto& h) { h.total_size = 0xFFFFFFFC; }).error, ImageError::kBadTotalSize);
  // A smaller total size cuts into the regions.
  EXPECT_EQ(with_header(image, [&](auto& h) { h.total_size = size - 4; }).error, ImageError::kRegionOutOfBounds);
  EXPECT_EQ(with_header(image, [](auto& h) { h.region_count = 17; }).error, ImageError::kTooManyRegions);
  EXPECT_EQ(with_header(image, [](auto& h) { h.region_count = 0xFFFFFFFF; }).error, ImageError::kTooManyRegions);
  EXPECT_EQ(with_header(image, [](auto& h) { h.header_crc ^= 1; }, false).error, ImageError::kHeaderChecksum);
  // Fewer regions than written: the rest of the table becomes unlisted bytes.
  EXPECT_TRUE(with_header(image, [](auto& h) { h.region_count = 1; }).ok());
  // No regions at all is a valid container (Core::load then misses System).
  {
    std::vector<uint8_t> empty(sizeof(img::ImageHeader));
    img::ImageHeader h = read_header(image);
    h.region_count = 0;
    h.total_size = sizeof h;
    write_header(empty, h);
    resign_image(empty);
    EXPECT_TRUE(open_exact(empty, empty.size()).ok());
    LoadedCore c(empty);
    EXPECT_EQ(c.status().error, ImageError::kMissingRegion);
    EXPECT_EQ(c.status().region, static_cast<uint32_t>(RegionId::kSystem));
    // A table that runs past total_size.
    h.region_count = 1;
    write_header(empty, h);
    resign_image(empty);
    EXPECT_EQ(open_exact(empty, empty.size()).error, ImageError::kRegionOutOfBounds);
  }
}

// Edits region-table entry i of a copy, re-signs (CRCs of in-bounds regions
// and of the header), parses it.
template <class F>
img::ImageStatus with_entry(const std::vector<uint8_t>& image, uint32_t i, F&& f) {
  std::vector<uint8_t> copy = image;
  img::RegionEntry e = read_entry(copy, i);
  f(e);
  write_entry(copy, i, e);
  resign_image(copy);
  return open_exact(copy, copy.size());
}

TEST(ImageParser, RegionTableEntries) {
  const std::vector<uint8_t> image = neuron_image();
  const img::ImageHeader h = read_header(image);
  const auto table_end = static_cast<uint32_t>(entry_offset(h.region_count));
  const auto size = static_cast<uint32_t>(image.size());
  ASSERT_GE(h.region_count, 4u);
  const uint32_t last = h.region_count - 1;
  const img::RegionEntry e0 = read_entry(image, 0), e1 = read_entry(image, 1), el = read_entry(image, last);

  // The status names the table entry found bad: the edited one, or for an
  // overlap possibly the later of the two.
  auto expect = [&](uint32_t i, auto f, ImageError err, const char* what, bool overlap = false) {
    const img::ImageStatus s = with_entry(image, i, f);
    EXPECT_EQ(s.error, err) << what << ": got " << to_string(s.error);
    if (err == ImageError::kOk) return;
    if (overlap) EXPECT_GE(s.offset, entry_offset(i)) << what;
    else EXPECT_EQ(s.offset, entry_offset(i)) << what;
  };
  // Bounds.
  expect(0, [](auto& e) { e.offset = 0; }, ImageError::kRegionOutOfBounds, "offset inside the header");
  expect(0, [&](auto& e) { e.offset = table_end - 4; }, ImageError::kRegionOutOfBounds, "offset inside the table");
  expect(last, [&](auto& e) { e.size += 4; }, ImageError::kRegionOutOfBounds, "past total_size");
  expect(last, [&](auto& e) { e.offset = size; e.size = 4; }, ImageError::kRegionOutOfBounds, "starts at the end");
  expect(last, [&](auto& e) { e.offset = size + 4; e.size = 0; }, ImageError::kRegionOutOfBounds, "empty, past the end");
  expect(0, [](auto& e) { e.offset = 0xFFFFFFF0; e.size = 0x20; }, ImageError::kRegionOutOfBounds, "offset+size wraps");
  expect(0, [&](auto& e) { e.size = 0xFFFFFFFC; }, ImageError::kRegionOutOfBounds, "huge size wraps");
  expect(0, [](auto& e) { e.offset = 0xFFFFFFFC; e.size = 4; }, ImageError::kRegionOutOfBounds, "offset near 2^32");
  expect(last, [&](auto& e) { e.offset = size; e.size = 0; }, ImageError::kOk, "empty region at the very end");
  // Alignment.
  expect(0, [](auto& e) { e.offset += 2; }, ImageError::kRegionMisaligned, "offset not a multiple of 4");
  expect(0, [](auto& e) { e.offset += 1; }, ImageError::kRegionMisaligned, "odd offset");
  expect(0, [](auto& e) { e.size -= 1; }, ImageError::kRegionMisaligned, "size not a multiple of 4");
  // Ids.
  expect(1, [&](auto& e) { e.id = e0.id; }, ImageError::kDuplicateRegion, "duplicate id");
  expect(last, [&](auto& e) { e.id = e0.id; }, ImageError::kDuplicateRegion, "duplicate id (last)");
  for (uint32_t id : {0u, 11u, 15u, 16u, 255u, 0x80000001u, 0xFFFFFFFFu})
    expect(0, [&](auto& e) { e.id = id; }, ImageError::kUnknownRegion, "unknown id");
  // Overlap between regions: same bytes claimed twice, each with a valid CRC.
  expect(1, [&](auto& e) { e.offset = e0.offset; e.size = e0.size; }, ImageError::kRegionOutOfBounds, "same bytes", true);
  expect(1, [&](auto& e) { e.offset = e0.offset + e0.size - 4; }, ImageError::kRegionOutOfBounds, "tail overlap", true);
  expect(0, [&](auto& e) { e.size += 4; }, ImageError::kRegionOutOfBounds, "runs into the next region", true);
  expect(last, [&](auto& e) { e.offset = e1.offset; e.size = 4; }, ImageError::kRegionOutOfBounds, "inside another", true);
  expect(0, [&](auto& e) { e.offset = el.offset; e.size = 0; }, ImageError::kOk, "empty region touches another");
  // Checksum mismatch names the region.
  {
    std::vector<uint8_t> copy = image;
    copy[e1.offset] ^= 0x40;
    const img::ImageStatus s = open_exact(copy, copy.size());
    EXPECT_EQ(s.error, ImageError::kRegionChecksum);
    EXPECT_EQ(s.region, e1.id);
    EXPECT_EQ(s.offset, e1.offset);
  }
}

// --- Core::load on well-signed but wrong images -----------------------------

void expect_load_error(const std::vector<uint8_t>& image, ImageError err, RegionId region, const char* what) {
  LoadedCore c(image);
  EXPECT_EQ(c.status().error, err) << what << ": got " << to_string(c.status().error);
  EXPECT_EQ(c.status().region, static_cast<uint32_t>(region)) << what;
  EXPECT_EQ(c.core().state(), fw::CoreState::kError) << what;
  EXPECT_EQ(c.core().load_status().error, err) << what;
  // A core in error runs nothing.
  c.core().tick();
  EXPECT_EQ(c.core().current_tick(), 0u) << what;
  EXPECT_EQ(c.core().provenance().ticks, 0u) << what;
}

template <class F>
std::vector<uint8_t> edited(const std::vector<uint8_t>& image, F&& f) {
  ImageEditor ed(image);
  f(ed);
  return ed.build();
}

template <class T, class F>
std::vector<uint8_t> edit_field(const std::vector<uint8_t>& image, RegionId id, size_t offset, F&& f) {
  return edited(image, [&](ImageEditor& ed) { ed.edit<T>(id, offset, f); });
}

std::vector<uint8_t> edit_system(const std::vector<uint8_t>& image, void (*f)(img::SystemRegion&)) {
  return edit_field<img::SystemRegion>(image, RegionId::kSystem, 0, f);
}

TEST(CoreLoad, EditorRebuildsTheSameBytes) {
  for (const auto& image : {neuron_image(), poisson_image(), array_image()}) {
    EXPECT_EQ(ImageEditor(image).build(), image);
    EXPECT_TRUE(LoadedCore(ImageEditor(image).build()).status().ok());
  }
}

TEST(CoreLoad, SystemRegion) {
  const std::vector<uint8_t> image = neuron_image();
  const auto sys = RegionId::kSystem;
  struct Case {
    const char* what;
    void (*edit)(img::SystemRegion&);
    ImageError err;
    size_t field;
  };
  const Case cases[] = {
      {"core kind 0", [](auto& s) { s.core_kind = 0; }, ImageError::kBadSystem, offsetof(img::SystemRegion, core_kind)},
      {"core kind 4", [](auto& s) { s.core_kind = 4; }, ImageError::kBadSystem, offsetof(img::SystemRegion, core_kind)},
      {"no neurons", [](auto& s) { s.n_neurons = 0; }, ImageError::kBadSystem, offsetof(img::SystemRegion, n_neurons)},
      {"n_neurons > max", [](auto& s) { s.n_neurons = fw::kMaxNeuronsPerCore + 1; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, n_neurons)},
      {"n_neurons huge", [](auto& s) { s.n_neurons = 0xFFFFFFFF; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, n_neurons)},
      {"timer period 0", [](auto& s) { s.timer_period_us = 0; }, ImageError::kBadSystem, offsetof(img::SystemRegion, timer_period_us)},
      {"key_base inside the index bits", [](auto& s) { s.key_base |= 1; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, key_base)},
      {"mask covers an index bit", [](auto& s) { s.key_mask |= 0x10; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, key_base)},
      {"emits_spikes 2", [](auto& s) { s.emits_spikes = 2; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, emits_spikes)},
      {"13 synapse types", [](auto& s) { s.n_synapse_types = fw::kMaxSynapseTypes + 1; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, n_synapse_types)},
      {"3 types in a 1-bit field", [](auto& s) { s.n_synapse_types = 3; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, index_bits)},
      {"index field too narrow", [](auto& s) { s.index_bits = 4; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, index_bits)},
      {"fields wider than 16 bits", [](auto& s) { s.delay_bits = 11; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, index_bits)},
      {"index_bits 40", [](auto& s) { s.index_bits = 40; }, ImageError::kBadSystem, offsetof(img::SystemRegion, index_bits)},
      {"field widths whose 32-bit sum wraps to 8",
       [](auto& s) { s.index_bits = 0u - (s.type_bits + s.delay_bits) + 8; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, index_bits)},
      {"delay width whose 32-bit sum wraps", [](auto& s) { s.delay_bits = 0xFFFFFFFFu; s.type_bits = 2; },
       ImageError::kBadSystem, offsetof(img::SystemRegion, index_bits)},
      {"weight shift 32", [](auto& s) { s.weight_shift[2] = 32; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, weight_shift) + 8},
      {"weight shift -32", [](auto& s) { s.weight_shift[0] = -32; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, weight_shift)},
      {"ring not a power of two", [](auto& s) { s.ring_slots = 12; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, ring_slots)},
      {"ring of 0 slots", [](auto& s) { s.ring_slots = 0; }, ImageError::kBadSystem, offsetof(img::SystemRegion, ring_slots)},
      {"ring shorter than the longest delay", [](auto& s) { s.ring_slots = 4; }, ImageError::kBadSystem,
       offsetof(img::SystemRegion, ring_slots)},
      {"ring over kMaxRingSlots", [](auto& s) { s.ring_slots = 2 * fw::kMaxRingSlots; }, ImageError::kRingTooLarge,
       offsetof(img::SystemRegion, ring_slots)},
      {"ring over kRingBufferWords", [](auto& s) { s.ring_slots = 64; s.index_bits = 8; }, ImageError::kRingTooLarge,
       offsetof(img::SystemRegion, ring_slots)},
      {"unknown model", [](auto& s) { s.model_id = 99; }, ImageError::kBadSystem, offsetof(img::SystemRegion, model_id)},
      {"model none", [](auto& s) { s.model_id = 0; }, ImageError::kBadSystem, offsetof(img::SystemRegion, model_id)},
  };
  for (const Case& c : cases) {
    const std::vector<uint8_t> bad = edit_system(image, c.edit);
    expect_load_error(bad, c.err, sys, c.what);
    EXPECT_EQ(LoadedCore(bad).status().offset, c.field) << c.what;
  }
  // Values just inside the limits still load.
  EXPECT_TRUE(LoadedCore(edit_system(image, [](auto& s) { s.weight_shift[3] = 31; })).status().ok());
  EXPECT_TRUE(LoadedCore(edit_system(image, [](auto& s) { s.weight_shift[3] = -31; })).status().ok());
  EXPECT_TRUE(LoadedCore(edit_system(image, [](auto& s) { s.ring_slots = 64; })).status().ok());
  EXPECT_TRUE(LoadedCore(edit_system(image, [](auto& s) { s.emits_spikes = 0; })).status().ok());

  expect_load_error(edited(image, [](ImageEditor& ed) { ed.payload(RegionId::kSystem).resize(16); }),
                    ImageError::kRegionTooSmall, sys, "system region too small");
  expect_load_error(edited(image, [](ImageEditor& ed) { ed.remove(RegionId::kSystem); }), ImageError::kMissingRegion,
                    sys, "no system region");
}

TEST(CoreLoad, NeuronRegion) {
  const std::vector<uint8_t> image = neuron_image();
  const auto nr = RegionId::kNeurons;
  using H = img::NeuronRegionHeader;
  expect_load_error(edit_field<H>(image, nr, 0, [](H& h) { h.param_bytes += 4; }), ImageError::kBadNeurons, nr,
                    "param_bytes mismatch");
  expect_load_error(edit_field<H>(image, nr, 0, [](H& h) { h.param_bytes -= 4; }), ImageError::kBadNeurons, nr,
                    "param_bytes smaller");
  expect_load_error(edit_field<H>(image, nr, 0, [](H& h) { h.state_bytes += 4; }), ImageError::kBadNeurons, nr,
                    "state_bytes mismatch");
  expect_load_error(edit_field<H>(image, nr, 0, [](H& h) { h.n_neurons = kNeurons - 1; }), ImageError::kBadNeurons,
                    nr, "n_neurons differs from the system region");
  expect_load_error(edit_field<H>(image, nr, 0, [](H& h) { h.n_neurons = 0xFFFFFFFF; }), ImageError::kBadNeurons, nr,
                    "n_neurons huge");
  expect_load_error(edit_system(image, [](auto& s) { s.n_synapse_types = 1; }), ImageError::kBadNeurons, nr,
                    "receptor count differs from the model's");
  expect_load_error(edited(image, [](ImageEditor& ed) { ed.payload(RegionId::kNeurons).resize(ed.payload(RegionId::kNeurons).size() - 4); }),
                    ImageError::kRegionTooSmall, nr, "params/state truncated");
  expect_load_error(edited(image, [](ImageEditor& ed) { ed.payload(RegionId::kNeurons).resize(8); }),
                    ImageError::kRegionTooSmall, nr, "shorter than its header");
  expect_load_error(edited(image, [](ImageEditor& ed) { ed.remove(RegionId::kNeurons); }), ImageError::kMissingRegion,
                    nr, "no neuron region");
  // The other model with the same receptor count but other struct sizes.
  // IF_cond_exp has two more parameter words than IF_curr_exp. (Izhikevich
  // has the same block sizes, so that confusion is not detectable here.)
  expect_load_error(edit_system(image, [](auto& s) { s.model_id = 2; }), ImageError::kBadNeurons, nr,
                    "region written for another model");
  // Izhikevich has the same block sizes as IF_curr_exp: only the region's
  // model id tells them apart, in either direction.
  static_assert(sizeof(fw::Izhikevich::Params) == sizeof(fw::IfCurrExp::Params) &&
                sizeof(fw::Izhikevich::State) == sizeof(fw::IfCurrExp::State));
  constexpr auto kIzh = static_cast<uint32_t>(fw::ModelId::kIzhikevich);
  expect_load_error(edit_system(image, [](auto& s) { s.model_id = kIzh; }), ImageError::kBadNeurons, nr,
                    "IF_curr_exp region loaded as Izhikevich");
  expect_load_error(edit_field<H>(image, nr, 0, [](H& h) { h.model_id = kIzh; }), ImageError::kBadNeurons, nr,
                    "Izhikevich region in an IF_curr_exp core");
  expect_load_error(edit_field<H>(image, nr, 0, [](H& h) { h.model_id = 0; }), ImageError::kBadNeurons, nr,
                    "region model id 0");
  {  // both ids changed together: a consistent Izhikevich image loads
    const std::vector<uint8_t> both = edit_field<H>(edit_system(image, [](auto& s) { s.model_id = kIzh; }), nr, 0,
                                                    [](H& h) { h.model_id = kIzh; });
    EXPECT_TRUE(LoadedCore(both).status().ok());
  }
}

// A core of IF_curr_exp_segments neurons with n segments each (the
// system region's synapse types: 2 receptors + n).
std::vector<uint8_t> segment_image(uint32_t neurons, uint32_t segments) {
  host::IfCurrExpSegmentsParams c;
  c.n_segments = segments;
  c.segment_threshold = 2;
  const auto p = host::to_fixed(c, 1.0);
  const auto st = host::initial_state(c);
  host::CoreImageSpec spec = neuron_spec(
      host::make_neuron_block<fw::IfCurrExpSegments>(fw::ModelId::kIfCurrExpSegments,
                                                     std::vector<fw::IfCurrExpSegments::Params>(neurons, p),
                                                     std::vector<fw::IfCurrExpSegments::State>(neurons, st)),
      kNeuronKey, {});
  spec.n_synapse_types = 2 + segments;
  return host::build_core_image(spec);
}

// A segment model's neurons must match the core's dendrite types, and a
// core holds fewer of them (their state block is 13 words).
TEST(CoreLoad, DendriteSegmentNeurons) {
  using P = fw::IfCurrExpSegments::Params;
  const auto nr = RegionId::kNeurons;
  const std::vector<uint8_t> image = segment_image(10, 3);
  EXPECT_TRUE(LoadedCore(image).status().ok());
  {  // two dendrite types in the core, three segments in every neuron: neuron 0 refused at its dendrites
    const std::vector<uint8_t> bad = edit_system(image, [](auto& s) { s.n_synapse_types = 4; });
    expect_load_error(bad, ImageError::kBadNeurons, nr, "fewer dendrite types than segments");
    EXPECT_EQ(LoadedCore(bad).status().offset, sizeof(img::NeuronRegionHeader) + offsetof(P, dendrites));
  }
  {  // neuron 7 with a 5-step window
    const std::vector<uint8_t> bad = edit_field<P>(image, nr, sizeof(img::NeuronRegionHeader) + 7 * sizeof(P),
                                                   [](P& p) { p.dendrites.shape = fw::DendriteSegments::shape(3, 5, 2); });
    expect_load_error(bad, ImageError::kBadNeurons, nr, "a window of 5 steps");
    EXPECT_EQ(LoadedCore(bad).status().offset, sizeof(img::NeuronRegionHeader) + 7 * sizeof(P) + offsetof(P, dendrites));
  }
  // 630 neurons of 13 state words fit a native core's 1024 x 8 words; 631 do not.
  constexpr uint32_t kMost = fw::max_neurons_per_core<fw::IfCurrExpSegments>(fw::kMaxNeuronsPerCore);
  EXPECT_TRUE(LoadedCore(segment_image(kMost, 1)).status().ok());
  const std::vector<uint8_t> big = segment_image(kMost + 1, 1);
  expect_load_error(big, ImageError::kBadNeurons, nr, "more neurons than the state buffer holds");
  EXPECT_EQ(LoadedCore(big).status().offset, offsetof(img::NeuronRegionHeader, n_neurons));
}

size_t table_entry(uint32_t i) {
  return sizeof(img::PopulationTableHeader) + i * sizeof(img::PopulationTableEntry);
}

TEST(CoreLoad, PopulationTable) {
  const std::vector<uint8_t> image = neuron_image();
  const auto pt = RegionId::kPopulationTable;
  using E = img::PopulationTableEntry;
  auto entry = [&](uint32_t i, void (*f)(E&)) { return edit_field<E>(image, pt, table_entry(i), f); };

  ImageEditor ed(image);
  const E a = ed.get<E>(pt, table_entry(0)), b = ed.get<E>(pt, table_entry(1));
  ASSERT_EQ(a.key, kBlockAKey);
  ASSERT_EQ(b.key, kBlockBKey);
  ASSERT_EQ(ed.get<uint32_t>(pt, 0), 2u);

  {  // unsorted
    ImageEditor e2(image);
    e2.set(pt, table_entry(0), b);
    e2.set(pt, table_entry(1), a);
    expect_load_error(e2.build(), ImageError::kBadPopulationTable, pt, "unsorted entries");
  }
  {  // the second range inside the first (sorted, overlapping)
    ImageEditor e2(image);
    E inner = b;
    inner.key = kBlockAKey | 0x10;
    inner.mask = 0xFFFFFFF0;
    e2.set(pt, table_entry(1), inner);
    expect_load_error(e2.build(), ImageError::kBadPopulationTable, pt, "overlapping ranges");
    // Control: the same entry just past the first range is fine.
    inner.key = kBlockAKey + 64;
    e2.set(pt, table_entry(1), inner);
    EXPECT_TRUE(LoadedCore(e2.build()).status().ok());
  }
  {  // the same key twice
    ImageEditor e2(image);
    E dup = b;
    dup.key = a.key;
    dup.mask = a.mask;
    e2.set(pt, table_entry(1), dup);
    expect_load_error(e2.build(), ImageError::kBadPopulationTable, pt, "duplicate key");
  }
  expect_load_error(entry(0, [](E& e) { e.key |= 1; }), ImageError::kBadPopulationTable, pt, "key has index bits");
  expect_load_error(entry(0, [](E& e) { e.n_rows = 0; }), ImageError::kBadPopulationTable, pt, "no rows");
  expect_load_error(entry(1, [](E& e) { e.n_rows = 17; }), ImageError::kBadPopulationTable, pt, "more rows than keys");
  expect_load_error(entry(1, [](E& e) { e.row_offsets = 0xFFFFFFFF; }), ImageError::kBadPopulationTable, pt,
                    "row offsets past the matrix (wrapping)");
  {  // the n_rows + 1 offsets of the last entry end one word past the matrix
    const uint32_t n_words = static_cast<uint32_t>(ed.payload(RegionId::kSynapticMatrix).size() / 4);
    ImageEditor e2(image);
    E past = b;
    past.row_offsets = n_words - b.n_rows;
    e2.set(pt, table_entry(1), past);
    const std::vector<uint8_t> bad = e2.build();
    expect_load_error(bad, ImageError::kBadPopulationTable, pt, "offsets one word past the matrix");
    EXPECT_EQ(LoadedCore(bad).status().offset, table_entry(1));
  }
  {
    const std::vector<uint8_t> bad = entry(1, [](E& e) { e.n_rows = 17; });
    EXPECT_EQ(LoadedCore(bad).status().offset, table_entry(1));
  }
  expect_load_error(edit_field<uint32_t>(image, pt, 0, [](uint32_t& n) { n = 3; }), ImageError::kRegionTooSmall, pt,
                    "more entries than the region holds");
  expect_load_error(edit_field<uint32_t>(image, pt, 0, [](uint32_t& n) { n = 0xFFFFFFFF; }),
                    ImageError::kRegionTooSmall, pt, "entry count huge");
  expect_load_error(edited(image, [](ImageEditor& e2) { e2.payload(RegionId::kPopulationTable).clear(); }),
                    ImageError::kRegionTooSmall, pt, "empty table region");
  expect_load_error(edited(image, [](ImageEditor& e2) { e2.remove(RegionId::kSynapticMatrix); }),
                    ImageError::kMissingRegion, RegionId::kSynapticMatrix, "table without matrix");
  // An empty table is a core nothing reaches; fine.
  EXPECT_TRUE(LoadedCore(edit_field<uint32_t>(image, pt, 0, [](uint32_t& n) { n = 0; })).status().ok());
  // A table on a source core.
  {
    ImageEditor src(poisson_image());
    ImageEditor nrn(image);
    src.put(RegionId::kPopulationTable, nrn.payload(RegionId::kPopulationTable));
    src.put(RegionId::kSynapticMatrix, nrn.payload(RegionId::kSynapticMatrix));
    expect_load_error(src.build(), ImageError::kBadPopulationTable, pt, "population table on a Poisson core");
  }
}

// The matrix's layout and table entries.
struct MatrixInfo {
  fw::SynapticWordLayout layout;
  std::vector<img::PopulationTableEntry> entries;
};

MatrixInfo matrix_info(ImageEditor& ed) {
  MatrixInfo m;
  const auto s = ed.get<img::SystemRegion>(RegionId::kSystem, 0);
  m.layout = fw::SynapticWordLayout{s.index_bits, s.type_bits, s.delay_bits};
  const auto n = ed.get<uint32_t>(RegionId::kPopulationTable, 0);
  for (uint32_t i = 0; i < n; ++i)
    m.entries.push_back(ed.get<img::PopulationTableEntry>(RegionId::kPopulationTable, table_entry(i)));
  return m;
}

// Word offset in the matrix of row offset r of an entry, and its value.
uint32_t offset_word(const img::PopulationTableEntry& e, uint32_t r) { return e.row_offsets + r; }
uint32_t row_offset(ImageEditor& ed, const img::PopulationTableEntry& e, uint32_t r) {
  return ed.get<uint32_t>(RegionId::kSynapticMatrix, 4 * offset_word(e, r));
}

struct RowAt {
  uint32_t entry = 0, row = 0;
  uint32_t first = 0;  // word offset of the row's first synaptic word
  uint32_t count = 0;
};

// First row for which pred(count) holds.
template <class P>
RowAt find_row(ImageEditor& ed, P&& pred) {
  const MatrixInfo m = matrix_info(ed);
  for (uint32_t i = 0; i < m.entries.size(); ++i)
    for (uint32_t r = 0; r < m.entries[i].n_rows; ++r) {
      const uint32_t first = row_offset(ed, m.entries[i], r), end = row_offset(ed, m.entries[i], r + 1);
      if (pred(end - first)) return {i, r, first, end - first};
    }
  ADD_FAILURE() << "no such row in the image";
  return {};
}

TEST(CoreLoad, RowOffsets) {
  const std::vector<uint8_t> image = neuron_image();
  const auto sm = RegionId::kSynapticMatrix;
  ImageEditor probe(image);
  const MatrixInfo info = matrix_info(probe);
  ASSERT_EQ(info.entries.size(), 2u);
  const img::PopulationTableEntry a = info.entries[0], b = info.entries[1];
  const uint32_t n_words = static_cast<uint32_t>(probe.payload(sm).size() / 4);
  // The builder's layout: each entry's offsets, then its rows, back to back.
  EXPECT_EQ(a.row_offsets, 0u);
  EXPECT_EQ(row_offset(probe, a, 0), a.n_rows + 1);
  EXPECT_EQ(b.row_offsets, row_offset(probe, a, a.n_rows));
  EXPECT_EQ(row_offset(probe, b, b.n_rows), n_words);

  auto set_offset = [&](const img::PopulationTableEntry& e, uint32_t r, uint32_t value) {
    return edited(image, [&](ImageEditor& ed) { ed.set<uint32_t>(sm, 4 * offset_word(e, r), value); });
  };
  // Each corrupt offset is reported as kBadRowOffset at its own byte in the matrix.
  auto expect_offset_error = [&](const img::PopulationTableEntry& e, uint32_t r, uint32_t value, const char* what) {
    const std::vector<uint8_t> bad = set_offset(e, r, value);
    expect_load_error(bad, ImageError::kBadRowOffset, sm, what);
    EXPECT_EQ(LoadedCore(bad).status().offset, 4 * offset_word(e, r)) << what;
  };
  expect_offset_error(a, 0, a.n_rows, "first row starts on the entry's own last offset");
  expect_offset_error(a, 0, 0, "first row starts at the matrix start");
  expect_offset_error(b, 0, b.row_offsets, "first row of the second entry on its offsets");
  expect_offset_error(b, b.n_rows, n_words + 1, "last row ends one word past the matrix");
  expect_offset_error(b, b.n_rows, 0xFFFFFFFF, "last row ends at 2^32 - 1");
  expect_offset_error(a, a.n_rows, n_words + 1, "the first entry's last row past the matrix");
  {  // a decreasing offset (a row of negative length)
    const RowAt row = find_row(probe, [](uint32_t count) { return count >= 2; });
    const img::PopulationTableEntry& e = info.entries[row.entry];
    expect_offset_error(e, row.row + 1, row.first - 1, "offset below the previous one");
    // Control: a boundary moved within the rows (both rows still in order) loads.
    EXPECT_EQ(LoadedCore(set_offset(e, row.row + 1, row.first + 1)).status().error, ImageError::kOk)
        << "moving a row boundary inside the rows is a valid image";
  }
  expect_offset_error(a, 1, n_words + 1, "middle offset past the matrix");
  // Control: the last row made empty (its words then belong to no row) is a valid image.
  EXPECT_TRUE(LoadedCore(set_offset(b, b.n_rows, row_offset(probe, b, b.n_rows - 1))).status().ok());
}

TEST(CoreLoad, SynapticRows) {
  const std::vector<uint8_t> image = neuron_image();
  const auto sm = RegionId::kSynapticMatrix;
  ImageEditor probe(image);
  const MatrixInfo info = matrix_info(probe);
  const RowAt found = find_row(probe, [](uint32_t count) { return count > 0; });
  const uint32_t first = found.first;
  const uint32_t word = probe.get<uint32_t>(sm, 4 * first);
  const fw::SynapticWordLayout L = info.layout;
  ASSERT_EQ(L.index_bits, 5u);
  ASSERT_EQ(L.type_bits, 1u);

  auto set_word = [&](uint32_t at, uint32_t value) {
    return edited(image, [&](ImageEditor& ed) { ed.set<uint32_t>(sm, 4 * at, value); });
  };
  auto expect_row_error = [&](uint32_t at, uint32_t value, const char* what) {
    const std::vector<uint8_t> bad = set_word(at, value);
    expect_load_error(bad, ImageError::kBadSynapticRow, sm, what);
    EXPECT_EQ(LoadedCore(bad).status().offset, 4 * at) << what;
  };
  const uint32_t w = L.weight(word), d = L.delay(word), t = L.type(word);
  expect_row_error(first, L.pack(w, d, t, kNeurons), "target == n_neurons");
  expect_row_error(first, L.pack(w, d, t, 31), "target >= n_neurons");
  expect_row_error(first, L.pack(w, 0, t, 0), "delay 0");
  // Controls: the largest valid target, the longest encodable delay.
  EXPECT_TRUE(LoadedCore(set_word(first, L.pack(w, d, t, kNeurons - 1))).status().ok());
  EXPECT_TRUE(LoadedCore(set_word(first, L.pack(w, 7, t, 0))).status().ok());
  {  // every word of a row is checked, the last one too
    const RowAt longer = find_row(probe, [](uint32_t count) { return count >= 2; });
    expect_row_error(longer.first + longer.count - 1, L.pack(w, 0, t, 0), "delay 0 in a row's last word");
  }

  // A type beyond n_synapse_types needs a wider type field: re-encode the
  // whole matrix with type_bits = 2, then name type 2 (and 3).
  auto widened = [&](uint32_t bad_type) {
    return edited(image, [&](ImageEditor& ed) {
      ed.edit<img::SystemRegion>(RegionId::kSystem, 0, [](img::SystemRegion& s) { s.type_bits = 2; });
      const fw::SynapticWordLayout wide{L.index_bits, 2, L.delay_bits};
      for (const auto& e : info.entries)
        for (uint32_t k = row_offset(ed, e, 0); k < row_offset(ed, e, e.n_rows); ++k)
          ed.edit<uint32_t>(sm, 4 * k, [&](uint32_t& x) {
            x = wide.pack(L.weight(x), L.delay(x), L.type(x), L.index(x));
          });
      if (bad_type != 0)
        ed.edit<uint32_t>(sm, 4 * first, [&](uint32_t& x) { x = wide.pack(wide.weight(x), wide.delay(x), bad_type, 0); });
    });
  };
  EXPECT_TRUE(LoadedCore(widened(0)).status().ok());
  expect_load_error(widened(2), ImageError::kBadSynapticRow, sm, "type == n_synapse_types");
  expect_load_error(widened(3), ImageError::kBadSynapticRow, sm, "type > n_synapse_types");
}

TEST(CoreLoad, Sources) {
  const auto src = RegionId::kSources;
  const std::vector<uint8_t> poisson = poisson_image();
  const std::vector<uint8_t> array = array_image();
  expect_load_error(edit_field<uint32_t>(poisson, src, 0, [](uint32_t& n) { n = 11; }), ImageError::kBadSources, src,
                    "fewer Poisson sources than neurons");
  expect_load_error(edit_field<uint32_t>(poisson, src, 0, [](uint32_t& n) { n = 13; }), ImageError::kBadSources, src,
                    "more Poisson sources than neurons");
  expect_load_error(edited(poisson, [](ImageEditor& ed) { ed.payload(RegionId::kSources).resize(4 + 11 * sizeof(img::PoissonSource)); }),
                    ImageError::kRegionTooSmall, src, "Poisson region truncated");
  expect_load_error(edited(poisson, [](ImageEditor& ed) { ed.remove(RegionId::kSources); }), ImageError::kMissingRegion,
                    src, "no Poisson sources");
  expect_load_error(edited(poisson, [](ImageEditor& ed) { ed.payload(RegionId::kSources).clear(); }),
                    ImageError::kRegionTooSmall, src, "empty sources region");
  {
    using P = img::PoissonSource;
    const uint32_t at = sizeof(img::SourcesHeader) + 5 * sizeof(P) + offsetof(P, interval_shift);
    const std::vector<uint8_t> bad = edit_field<uint32_t>(poisson, src, at, [](uint32_t& s) { s = 64; });
    expect_load_error(bad, ImageError::kBadSources, src, "interval_shift > 63");
    EXPECT_EQ(LoadedCore(bad).status().offset, at) << "the error names the field";
    EXPECT_TRUE(LoadedCore(edit_field<uint32_t>(poisson, src, at, [](uint32_t& s) { s = 63; })).status().ok());
  }

  using S = img::SpikeTime;
  auto spike_at = [](uint32_t i) { return sizeof(img::SourcesHeader) + i * sizeof(S); };
  {
    const std::vector<uint8_t> bad = edit_field<S>(array, src, spike_at(3), [](S& s) { s.tick = 1; });
    expect_load_error(bad, ImageError::kBadSources, src, "spike array unsorted");
    EXPECT_EQ(LoadedCore(bad).status().offset, spike_at(3));
  }
  expect_load_error(edit_field<S>(array, src, spike_at(5), [](S& s) { s.neuron = 6; }), ImageError::kBadSources, src,
                    "spike of a neuron past the slice");
  expect_load_error(edit_field<S>(array, src, spike_at(0), [](S& s) { s.neuron = 0xFFFFFFFF; }),
                    ImageError::kBadSources, src, "neuron index huge");
  expect_load_error(edit_field<uint32_t>(array, src, 0, [](uint32_t& n) { n = 7; }), ImageError::kRegionTooSmall, src,
                    "more spikes than the region holds");
  expect_load_error(edit_field<uint32_t>(array, src, 0, [](uint32_t& n) { n = 0x20000000; }),
                    ImageError::kRegionTooSmall, src, "spike count x 8 wraps 32 bits");
  // Equal ticks are sorted; an empty array is fine.
  EXPECT_TRUE(LoadedCore(edit_field<S>(array, src, spike_at(1), [](S& s) { s.tick = 0; })).status().ok());
  EXPECT_TRUE(LoadedCore(edit_field<uint32_t>(array, src, 0, [](uint32_t& n) { n = 0; })).status().ok());
}

TEST(CoreLoad, Recording) {
  const auto rec = RegionId::kRecording;
  using R = img::RecordingRegion;
  const std::vector<uint8_t> image = neuron_image();
  expect_load_error(edit_field<R>(image, rec, 0, [](R& r) { r.flags |= 1u << 6; }), ImageError::kBadRecording, rec,
                    "unknown flag");
  expect_load_error(edit_field<R>(image, rec, 0, [](R& r) { r.flags = 0x80000000u; }), ImageError::kBadRecording, rec,
                    "unknown high flag");
  {
    const std::vector<uint8_t> bad = edit_field<R>(image, rec, 0, [](R& r) { r.sample_interval_ticks = 0; });
    expect_load_error(bad, ImageError::kBadRecording, rec, "sample interval 0");
    EXPECT_EQ(LoadedCore(bad).status().offset, 4u);
  }
  expect_load_error(edited(image, [](ImageEditor& ed) { ed.payload(RegionId::kRecording).resize(8); }),
                    ImageError::kRegionTooSmall, rec, "recording region truncated");
  expect_load_error(edit_field<R>(poisson_image(), rec, 0, [](R& r) { r.flags |= img::kRecordV; }),
                    ImageError::kBadRecording, rec, "a source core recording v");
  // No recording region: records nothing, loads fine.
  EXPECT_TRUE(LoadedCore(edited(image, [](ImageEditor& ed) { ed.remove(RegionId::kRecording); })).status().ok());
}

// Random well-signed corruption of region contents: whatever Core::load
// accepts must then run (ticks, packets for every known key) without reading
// out of bounds. ASan/UBSan make this test meaningful.
TEST(CoreLoad, RandomSignedCorruptionNeverCrashes) {
  const std::vector<std::vector<uint8_t>> bases = {neuron_image(), poisson_image(), array_image()};
  std::mt19937 rng(99);
  const uint32_t specials[] = {0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 0x7FFFFFFF, 0x80000000,
                               0xFFFFFFFE, 0xFFFFFFFF, kBlockAKey, kBlockBKey, 0xFFFFFFC0};
  int loaded = 0, rejected = 0;
  for (int iter = 0; iter < 10000; ++iter) {
    const std::vector<uint8_t>& base = bases[iter % bases.size()];
    ImageEditor ed(base);
    const int n_edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < n_edits; ++k) {
      const auto id = static_cast<RegionId>(1 + rng() % 6);
      if (!ed.has(id) || ed.payload(id).size() < 4) continue;
      const size_t at = 4 * (rng() % (ed.payload(id).size() / 4));
      ed.edit<uint32_t>(id, at, [&](uint32_t& w) {
        switch (rng() % 5) {
          case 0: w = specials[rng() % std::size(specials)]; break;
          case 1: w ^= 1u << (rng() % 32); break;
          case 2: w += (rng() % 2) ? 1u : 0xFFFFFFFFu; break;
          case 3: w = static_cast<uint32_t>(rng()); break;
          default: w = w >> (rng() % 8); break;
        }
      });
    }
    LoadedCore c(ed.build());
    if (!c.status().ok()) {
      ++rejected;
      ASSERT_EQ(c.core().state(), fw::CoreState::kError);
      c.core().tick();
      ASSERT_EQ(c.core().current_tick(), 0u);
      continue;
    }
    ++loaded;
    for (uint32_t t = 0; t < 10; ++t) {
      for (uint32_t i = 0; i < 64; ++i) c.core().on_packet({kBlockAKey | i, 0, false});
      for (uint32_t i = 0; i < 16; ++i) c.core().on_packet({kBlockBKey | i, 0, false});
      for (uint32_t i = 0; i < 8; ++i) c.core().on_packet({static_cast<uint32_t>(rng()), 0, false});
      c.core().tick();
      c.core().clear_records();
      c.platform().clear_outbox();
    }
    ASSERT_EQ(c.core().current_tick(), 10u);
  }
  RecordProperty("loaded", loaded);
  RecordProperty("rejected", rejected);
  EXPECT_GT(loaded, 1000);
  EXPECT_GT(rejected, 1000);
}

// --- plastic synapses (regions 7-9) ------------------------------------------

// The neuron core with block B's synapses plastic (a key with only plastic
// rows) and an additive all-to-all rule.
std::vector<uint8_t> plastic_image() {
  host::CoreImageSpec spec = neuron_core_spec();
  std::mt19937 rng(99);
  std::vector<host::IncomingBlock> in = {random_block(rng, kBlockAKey, 40, kNeurons, 0.3, 0.1, 0.8, 5),
                                         random_block(rng, kBlockBKey, 10, kNeurons, 0.5, 0.2, 1.0, 3, 1)};
  in[1].plastic = true;
  spec.synapses = host::build_synaptic_matrix(std::move(in), kNeurons, 2, nullptr,
                                              host::receptor_unit_shifts(spec.neurons->model));
  img::StdpRegionHeader h{};
  h.pair_scheme = 0;
  h.weight_dependence = 1;
  h.w_max = 0xFFFF;  // the matrix scales the largest weight to 65535
  h.a_plus = 300;
  h.a_minus = 320;
  const fw::stdp::ExpLut lut = fw::stdp::build_exp_lut(20.0);
  h.plus_time_shift = h.minus_time_shift = lut.time_shift;
  for (uint32_t k = 0; k < img::kStdpTableEntries; ++k) h.plus[k] = h.minus[k] = lut.values[k];
  h.history_size = fw::stdp::kPostHistorySize;
  spec.stdp = h;
  return host::build_core_image(spec);
}

// The byte offset in region 7 of the first plastic row's header.
uint32_t first_plastic_row(const std::vector<uint8_t>& image) {
  ImageEditor ed(image);
  const auto e = ed.get<img::PopulationTableEntry>(RegionId::kPlasticTable, sizeof(img::PopulationTableHeader));
  for (uint32_t r = 0; r < e.n_rows; ++r) {
    const auto o = ed.get<uint32_t>(RegionId::kPlasticMatrix, 4 * (e.row_offsets + r));
    const auto end = ed.get<uint32_t>(RegionId::kPlasticMatrix, 4 * (e.row_offsets + r + 1));
    if (end != o) return 4 * o;
  }
  return 0;
}

TEST(CoreLoad, PlasticImagesLoadInWritableMemoryOnly) {
  const std::vector<uint8_t> image = plastic_image();
  ImageEditor ed(image);
  ASSERT_TRUE(ed.has(RegionId::kPlasticMatrix) && ed.has(RegionId::kPlasticTable) && ed.has(RegionId::kStdp));
  LoadedCore c(image);
  ASSERT_TRUE(c.status().ok()) << to_string(c.status().error) << " region " << c.status().region;
  EXPECT_TRUE(c.core().has_plastic());
  // Packets to both tables' keys run, and nothing is unmatched.
  for (uint32_t t = 0; t < 50; ++t) {
    c.core().on_packet(fw::Packet{kBlockAKey | (t % 40), 0, false});
    c.core().on_packet(fw::Packet{kBlockBKey | (t % 10), 0, false});
    c.core().tick();
  }
  EXPECT_EQ(c.core().provenance().packets_no_match, 0u);
  EXPECT_GT(c.core().provenance().synaptic_events, 0u);
  c.core().flush_plastic();
  // The same image in read-only memory (flash) is refused, the core runs nothing.
  LoadedCore ro(image, false);
  EXPECT_EQ(ro.status().error, ImageError::kImageNotWritable);
  EXPECT_EQ(ro.status().region, static_cast<uint32_t>(RegionId::kPlasticMatrix));
  EXPECT_EQ(ro.core().state(), fw::CoreState::kError);
  // A static image still loads read-only.
  EXPECT_TRUE(LoadedCore(neuron_image(), false).status().ok());
}

// Dopamine-modulated STDP: a plastic block with neuromodulated rows and a
// reward block onto the types after IF_curr_exp's two receptors (2 and 3).
std::vector<uint8_t> neuromodulated_image() {
  host::CoreImageSpec spec = neuron_core_spec();
  std::mt19937 rng(7);
  std::vector<host::IncomingBlock> in = {random_block(rng, kBlockAKey, 10, kNeurons, 0.5, 0.1, 0.9, 3, 1),
                                         random_block(rng, kBlockBKey, 2, kNeurons, 0.5, 0.1, 1.0, 2, 1)};
  in[0].plastic = in[0].neuromodulated = true;
  for (host::SynapseSpec& syn : in[1].synapses) syn.type = 2;
  spec.n_synapse_types = 4;
  spec.synapses = host::build_synaptic_matrix(std::move(in), kNeurons, 4, nullptr,
                                              host::receptor_unit_shifts(spec.neurons->model));
  v1::StdpMechanism m;
  m.mutable_timing_dependence();
  m.mutable_additive()->set_w_max(0.9);
  m.mutable_neuromodulation();
  const host::synapses::StdpKernelParams k = host::synapses::stdp_kernel_params(m, 0.1, spec.synapses->scale[0]);
  spec.stdp = host::synapses::stdp_region(k);
  spec.neuromodulation = host::synapses::neuromodulation_region(k, 2, 3);
  return host::build_core_image(spec);
}

// A bad field of region 10 is named at region 10, and one of region 9 at
// region 9, in a neuromodulated image as in a plain one.
TEST(CoreLoad, RejectsBadNeuromodulationRegions) {
  const std::vector<uint8_t> image = neuromodulated_image();
  LoadedCore good(image);
  ASSERT_TRUE(good.status().ok()) << to_string(good.status().error) << " region " << good.status().region;
  EXPECT_TRUE(good.core().has_plastic());
  const RegionId st = RegionId::kStdp, nm = RegionId::kNeuromodulation;
  using H = img::StdpRegionHeader;
  using N = img::NeuromodulationRegionHeader;
  expect_load_error(edit_field<H>(image, st, 0, [](H& h) { h.history_size = 8; }), ImageError::kBadStdp, st,
                    "STDP history size, neuromodulated");
  expect_load_error(edit_field<H>(image, st, 0, [](H& h) { h.pair_scheme = 2; }), ImageError::kBadStdp, st,
                    "pair scheme, neuromodulated");
  expect_load_error(edit_field<H>(image, st, 0, [](H& h) { h.weight_dependence = 2; }), ImageError::kBadStdp, nm,
                    "multiplicative under dopamine");
  expect_load_error(edit_field<N>(image, nm, 0, [](N& n) { n.history_size = 3; }), ImageError::kBadStdp, nm,
                    "dopamine history size");
  expect_load_error(edit_field<N>(image, nm, 0, [](N& n) { n.integral_scale = 0; }), ImageError::kBadStdp, nm,
                    "integral scale 0");
  expect_load_error(edit_field<N>(image, nm, 0, [](N& n) { n.c_max = 0x10000; }), ImageError::kBadStdp, nm,
                    "c_max past 16 bits");
  expect_load_error(edit_field<N>(image, nm, 0, [](N& n) { n.d_decay[4] = (1u << 31) + 1; }), ImageError::kBadStdp,
                    nm, "decay factor above 1");
  const auto swapped = edit_field<N>(image, nm, 0, [](N& n) { std::swap(n.reward_type, n.punishment_type); });
  expect_load_error(swapped, ImageError::kBadStdp, nm, "reward and punishment types swapped");
  EXPECT_EQ(LoadedCore(swapped).status().offset, offsetof(N, reward_type));
  const auto used = edit_field<uint32_t>(image, nm, sizeof(N) + 8, [](uint32_t& v) { v = 1; });
  expect_load_error(used, ImageError::kBadStdp, nm, "dopamine history not zero");
  EXPECT_EQ(LoadedCore(used).status().offset, sizeof(N) + 8);
  expect_load_error(edited(image, [](ImageEditor& e) { e.payload(RegionId::kNeuromodulation).resize(sizeof(N)); }),
                    ImageError::kRegionTooSmall, nm, "no room for the dopamine history");
}

TEST(CoreLoad, RejectsBadPlasticRowsAndStdpRegions) {
  const std::vector<uint8_t> image = plastic_image();
  const RegionId pm = RegionId::kPlasticMatrix, st = RegionId::kStdp;
  const uint32_t row = first_plastic_row(image);
  ASSERT_GT(row, 0u);
  // A row that is not fresh, or whose count disagrees with its size.
  for (uint32_t word = 0; word < 3; ++word) {
    const auto bad = edit_field<uint32_t>(image, pm, row + 4 * word, [](uint32_t& v) { v = 7; });
    expect_load_error(bad, ImageError::kBadPlasticRow, pm, "row state not zero");
    EXPECT_EQ(LoadedCore(bad).status().offset, row + 4 * word);
  }
  expect_load_error(edit_field<uint32_t>(image, pm, row + 12, [](uint32_t& v) { v += 2; }), ImageError::kBadPlasticRow,
                    pm, "count larger than the row");
  expect_load_error(edit_field<uint32_t>(image, pm, row + 12, [](uint32_t& v) { v = 0x10000; }),
                    ImageError::kBadPlasticRow, pm, "count too large");
  // A control word naming a neuron the core does not have: the first
  // control word follows the header and ceil(count / 2) weight words.
  ImageEditor ed(image);
  const uint32_t count = ed.get<uint32_t>(pm, row + 12);
  const uint32_t control = row + 16 + 4 * ((count + 1) / 2);
  expect_load_error(edit_field<uint16_t>(image, pm, control, [](uint16_t& c) { c = static_cast<uint16_t>((c & ~31u) | 31u); }),
                    ImageError::kBadPlasticRow, pm, "control word index out of range");
  expect_load_error(edit_field<uint16_t>(image, pm, control, [](uint16_t& c) { c = 0xFFFF; }),
                    ImageError::kBadPlasticRow, pm, "control word with bits above the delay");
  // A weight outside [w_min, w_max], named at its word: the first row's
  // first weight just above w_max, or just below w_min.
  using H = img::StdpRegionHeader;
  const uint32_t w0 = ed.get<uint16_t>(pm, row + 16);
  ASSERT_GT(w0, 0u);
  ASSERT_LT(w0, 0xFFFFu);
  const auto heavy = edit_field<H>(image, st, 0, [&](H& h) { h.w_max = w0 - 1; });
  expect_load_error(heavy, ImageError::kBadPlasticRow, pm, "weight above w_max");
  EXPECT_EQ(LoadedCore(heavy).status().offset, row + 16);
  const auto light = edit_field<H>(image, st, 0, [&](H& h) { h.w_min = w0 + 1; });
  expect_load_error(light, ImageError::kBadPlasticRow, pm, "weight below w_min");
  EXPECT_EQ(LoadedCore(light).status().offset, row + 16);
  // The rule's values.
  expect_load_error(edit_field<H>(image, st, 0, [](H& h) { h.w_min = h.w_max + 1; }), ImageError::kBadStdp, st,
                    "w_min > w_max");
  expect_load_error(edit_field<H>(image, st, 0, [](H& h) { h.w_max = 70000; }), ImageError::kBadStdp, st,
                    "w_max past 16 bits");
  expect_load_error(edit_field<H>(image, st, 0, [](H& h) { h.history_size = 8; }), ImageError::kBadStdp, st,
                    "another history size");
  expect_load_error(edit_field<H>(image, st, 0, [](H& h) { h.plus[3] = 2049; }), ImageError::kBadStdp, st,
                    "table value above 1.0");
  expect_load_error(edit_field<H>(image, st, 0, [](H& h) { h.pair_scheme = 2; }), ImageError::kBadStdp, st,
                    "unknown pair scheme");
  expect_load_error(edit_field<H>(image, st, 0, [](H& h) { h.weight_dependence = 3; }), ImageError::kBadStdp, st,
                    "unknown weight dependence");
  expect_load_error(edit_field<H>(image, st, 0, [](H& h) { h.minus_time_shift = 32; }), ImageError::kBadStdp, st,
                    "time shift 32");
  // A history that is not fresh, named at its word; one too small.
  const auto used = edit_field<uint32_t>(image, st, sizeof(H) + 40, [](uint32_t& v) { v = 1; });
  expect_load_error(used, ImageError::kBadStdp, st, "history not zero");
  EXPECT_EQ(LoadedCore(used).status().offset, sizeof(H) + 40);
  expect_load_error(edited(image, [](ImageEditor& e) { e.payload(RegionId::kStdp).resize(sizeof(H) + 4); }),
                    ImageError::kRegionTooSmall, st, "history too small");
  // Regions that come together.
  expect_load_error(edited(image, [](ImageEditor& e) { e.remove(RegionId::kPlasticTable); }),
                    ImageError::kMissingRegion, RegionId::kPlasticTable, "matrix without table");
  expect_load_error(edited(image, [](ImageEditor& e) { e.remove(RegionId::kStdp); }), ImageError::kMissingRegion, st,
                    "rows without a rule");
  expect_load_error(edited(image, [](ImageEditor& e) { e.remove(RegionId::kPlasticMatrix); }),
                    ImageError::kMissingRegion, pm, "table without matrix");
}

}  // namespace
}  // namespace spindle::test
