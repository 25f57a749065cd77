// Host core-image builder: the same spec gives the same bytes (whatever the
// order synapses were listed in), the container is laid out as
// docs/core-image.md says (region 10 for dopamine-modulated STDP included),
// and core_seed gives each core its own stream.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "image/core_image_builder.h"
#include "image/parser.h"
#include "support/image_edit.h"
#include "support/test_images.h"
#include "synapse/plasticity/dopamine_history.h"
#include "synapses/stdp_params.h"
#include "util/rng.h"

namespace spindle::host {
namespace {

namespace img = fw::image;
using test::Gen32;

std::vector<IncomingBlock> some_blocks(uint32_t seed) {
  Gen32 rng(seed);
  return {test::random_block(rng, 0x10000, 30, 24, 0.3, 0.1, 1.0, 5),
          test::random_block(rng, 0x20000, 8, 24, 0.5, 0.2, 0.9, 2)};
}

CoreImageSpec lif_spec(std::vector<IncomingBlock> blocks) {
  IfCurrExpParams p;
  p.i_offset = 0.2;
  CoreImageSpec spec = test::neuron_spec(uniform_block(p, 24, 1.0), 0x30000, std::move(blocks),
                                         img::kRecordSpikes | img::kRecordV);
  spec.seed = core_seed(1234, 3);
  return spec;
}

TEST(CoreImageBuilder, SameSpecSameBytes) {
  const CoreImageSpec spec = lif_spec(some_blocks(1));
  const std::vector<uint8_t> a = build_core_image(spec), b = build_core_image(spec);
  EXPECT_EQ(a, b);
  // A spec rebuilt from scratch from the same inputs.
  EXPECT_EQ(build_core_image(lif_spec(some_blocks(1))), a);
  // A different network gives a different image.
  EXPECT_NE(build_core_image(lif_spec(some_blocks(2))), a);
}

TEST(CoreImageBuilder, SynapseAndBlockOrderDoNotChangeTheImage) {
  const std::vector<uint8_t> ref = build_core_image(lif_spec(some_blocks(1)));
  Gen32 rng(9);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<IncomingBlock> blocks = some_blocks(1);
    for (auto& b : blocks) std::shuffle(b.synapses.begin(), b.synapses.end(), rng);
    std::shuffle(blocks.begin(), blocks.end(), rng);
    EXPECT_EQ(build_core_image(lif_spec(blocks)), ref) << "trial " << trial;
  }
  // Split one block into two with the same key: merged back into the same rows.
  std::vector<IncomingBlock> blocks = some_blocks(1);
  IncomingBlock half = blocks[0];
  half.synapses.assign(blocks[0].synapses.begin() + blocks[0].synapses.size() / 2, blocks[0].synapses.end());
  blocks[0].synapses.resize(blocks[0].synapses.size() / 2);
  blocks.push_back(half);
  EXPECT_EQ(build_core_image(lif_spec(blocks)), ref);
}

TEST(CoreImageBuilder, ContainerLayout) {
  std::vector<img::PoissonSource> poisson(7, poisson_source(20.0, 0, 100, 1.0));
  const std::vector<std::pair<CoreImageSpec, std::vector<img::RegionId>>> cases = {
      {lif_spec(some_blocks(3)),
       {img::RegionId::kSystem, img::RegionId::kNeurons, img::RegionId::kPopulationTable,
        img::RegionId::kSynapticMatrix, img::RegionId::kRecording}},
      {lif_spec({}), {img::RegionId::kSystem, img::RegionId::kNeurons, img::RegionId::kRecording}},
      {test::poisson_spec(poisson, 0x40000, core_seed(1, 1), false),
       {img::RegionId::kSystem, img::RegionId::kSources}},
      {test::array_spec(3, {{1, 2}, {4, 0}}, 0x50000),
       {img::RegionId::kSystem, img::RegionId::kSources, img::RegionId::kRecording}},
  };
  for (const auto& [spec, ids] : cases) {
    const std::vector<uint8_t> image = build_core_image(spec);
    const img::ImageHeader h = test::read_header(image);
    EXPECT_EQ(h.magic, img::kMagic);
    EXPECT_EQ(h.version_major, img::kVersionMajor);
    EXPECT_EQ(h.version_minor, img::kVersionMinor);
    EXPECT_EQ(h.total_size, image.size());
    EXPECT_EQ(image.size() % 4, 0u);
    EXPECT_EQ(h.reserved[0] | h.reserved[1] | h.reserved[2], 0u);
    ASSERT_EQ(h.region_count, ids.size());
    // Payloads follow the table back to back, in table order, each checksummed.
    uint32_t offset = static_cast<uint32_t>(test::entry_offset(h.region_count));
    for (uint32_t i = 0; i < h.region_count; ++i) {
      const img::RegionEntry e = test::read_entry(image, i);
      EXPECT_EQ(e.id, static_cast<uint32_t>(ids[i]));
      EXPECT_EQ(e.offset, offset);
      EXPECT_EQ(e.size % 4, 0u);
      EXPECT_EQ(e.crc, fw::crc32(image.data() + e.offset, e.size));
      offset += e.size;
    }
    EXPECT_EQ(offset, image.size());
    test::LoadedCore c(image);
    EXPECT_TRUE(c.status().ok()) << to_string(c.status().error);
    // The system region says what the spec said.
    test::ImageEditor ed(image);
    const auto sys = ed.get<img::SystemRegion>(img::RegionId::kSystem, 0);
    EXPECT_EQ(sys.core_kind, static_cast<uint32_t>(spec.kind));
    EXPECT_EQ(sys.n_neurons, spec.n_neurons);
    EXPECT_EQ(sys.key_base, spec.key_base);
    EXPECT_EQ(sys.key_mask, spec.key_mask);
    EXPECT_EQ(sys.emits_spikes, spec.emits_spikes ? 1u : 0u);
    EXPECT_TRUE(std::equal(spec.seed.begin(), spec.seed.end(), sys.seed));
  }
}

// A matrix built for other receptor units than the model's would feed the
// core weights 1024 times off: the builder refuses it.
TEST(CoreImageBuilder, RejectsMatrixWithOtherReceptorUnits) {
  IncomingBlock in;
  in.key = 0x10000;
  in.mask = slice_key_mask(1);
  in.n_sources = 1;
  in.synapses = {{0, 0, 0.01, 1, 0}};
  CoreImageSpec spec = test::neuron_spec(uniform_block(IfCondExpParams{}, 1, 0.1), 0x20000, {in});
  EXPECT_NO_THROW(build_core_image(spec));  // neuron_spec passes the model's shifts
  spec.synapses = build_synaptic_matrix({in}, 1, 2);  // plain units
  EXPECT_THROW(build_core_image(spec), std::invalid_argument);
  spec.neurons = uniform_block(IfCurrExpParams{}, 1, 0.1);  // current state x 2^8: also other units
  EXPECT_THROW(build_core_image(spec), std::invalid_argument);
  spec.neurons = uniform_block(IfNonLeakyParams{}, 1, 0.1);  // delta synapses: plain units
  EXPECT_NO_THROW(build_core_image(spec));
}

TEST(CoreImageBuilder, RegionSizes) {
  const CoreImageSpec spec = lif_spec(some_blocks(3));
  test::ImageEditor ed(build_core_image(spec));
  EXPECT_EQ(ed.payload(img::RegionId::kSystem).size(), sizeof(img::SystemRegion));
  EXPECT_EQ(ed.payload(img::RegionId::kNeurons).size(),
            sizeof(img::NeuronRegionHeader) + 24 * (sizeof(fw::IfCurrExp::Params) + sizeof(fw::IfCurrExp::State)));
  EXPECT_EQ(ed.payload(img::RegionId::kPopulationTable).size(),
            sizeof(img::PopulationTableHeader) + spec.synapses->table.size() * sizeof(img::PopulationTableEntry));
  EXPECT_EQ(ed.payload(img::RegionId::kSynapticMatrix).size(), 4 * spec.synapses->words.size());
  EXPECT_EQ(ed.payload(img::RegionId::kRecording).size(), sizeof(img::RecordingRegion));
  test::ImageEditor array(build_core_image(test::array_spec(3, {{1, 2}, {4, 0}, {4, 1}}, 0x50000)));
  EXPECT_EQ(array.payload(img::RegionId::kSources).size(),
            sizeof(img::SourcesHeader) + 3 * sizeof(img::SpikeTime));
}

// Dopamine-modulated STDP: region 10 after region 9, its header as given
// and then a zero dopamine history of DopamineHistoryView::words(n) words;
// the system region has the reward and punishment types (4 in all). The
// builder refuses the region without neuromodulated rows, such rows without
// it, and dopamine types the core does not have.
TEST(CoreImageBuilder, NeuromodulationRegion) {
  Gen32 rng(5);
  IncomingBlock plastic = test::random_block(rng, 0x10000, 10, 24, 0.5, 0.1, 0.9, 3, 1);
  plastic.plastic = plastic.neuromodulated = true;
  IncomingBlock reward = test::random_block(rng, 0x20000, 2, 24, 0.5, 0.1, 1.0, 2, 1);
  for (SynapseSpec& syn : reward.synapses) syn.type = 2;
  CoreImageSpec spec = lif_spec({});
  spec.n_synapse_types = 4;
  spec.synapses = build_synaptic_matrix({plastic, reward}, 24, 4, nullptr, receptor_unit_shifts(spec.neurons->model));
  spindle::v1::StdpMechanism m;
  m.mutable_timing_dependence();
  m.mutable_additive()->set_w_max(0.9);
  m.mutable_neuromodulation();
  const synapses::StdpKernelParams k = synapses::stdp_kernel_params(m, 0.1, spec.synapses->scale[0]);
  spec.stdp = synapses::stdp_region(k);
  spec.neuromodulation = synapses::neuromodulation_region(k, 2, 3);
  const std::vector<uint8_t> image = build_core_image(spec);

  const img::ImageHeader h = test::read_header(image);
  EXPECT_EQ(h.version_minor, img::kVersionMinor);
  const std::vector<img::RegionId> ids = {
      img::RegionId::kSystem,       img::RegionId::kNeurons,       img::RegionId::kPopulationTable,
      img::RegionId::kSynapticMatrix, img::RegionId::kPlasticTable, img::RegionId::kPlasticMatrix,
      img::RegionId::kStdp,         img::RegionId::kNeuromodulation, img::RegionId::kRecording};
  ASSERT_EQ(h.region_count, ids.size());
  std::vector<img::RegionEntry> entries;
  for (uint32_t i = 0; i < h.region_count; ++i) {
    entries.push_back(test::read_entry(image, i));
    EXPECT_EQ(entries[i].id, static_cast<uint32_t>(ids[i]));
    EXPECT_EQ(entries[i].crc, fw::crc32(image.data() + entries[i].offset, entries[i].size));
  }
  img::SystemRegion sys{};
  std::memcpy(&sys, image.data() + entries[0].offset, sizeof sys);
  EXPECT_EQ(sys.n_synapse_types, 4u);
  EXPECT_EQ(sys.type_bits, 2u);
  EXPECT_EQ(sys.weight_shift[2], spec.synapses->weight_shift[2]);
  const img::RegionEntry& nm = entries[7];
  ASSERT_EQ(nm.size, sizeof(img::NeuromodulationRegionHeader) + 4 * fw::stdp::DopamineHistoryView<>::words(24));
  EXPECT_EQ(fw::stdp::DopamineHistoryView<>::words(24), 24u * (3 + 2 * fw::stdp::kDopamineHistorySize));
  EXPECT_EQ(std::memcmp(image.data() + nm.offset, &*spec.neuromodulation, sizeof(img::NeuromodulationRegionHeader)), 0);
  EXPECT_TRUE(std::all_of(image.begin() + nm.offset + sizeof(img::NeuromodulationRegionHeader),
                          image.begin() + nm.offset + nm.size, [](uint8_t b) { return b == 0; }));
  // The rows are neuromodulated rows.
  EXPECT_EQ(entries[5].size, 4 * spec.synapses->plastic_words.size());

  CoreImageSpec without = spec;
  without.neuromodulation.reset();
  EXPECT_THROW(build_core_image(without), std::invalid_argument);
  CoreImageSpec plain_rows = spec;
  plastic.neuromodulated = false;
  plain_rows.synapses = build_synaptic_matrix({plastic, reward}, 24, 4, nullptr, receptor_unit_shifts(spec.neurons->model));
  EXPECT_THROW(build_core_image(plain_rows), std::invalid_argument);
  // The core takes exactly the two types after the receptors (2 and 3 here).
  for (const auto& [reward_type, punishment_type] :
       std::vector<std::pair<uint32_t, uint32_t>>{{2, 4}, {2, 2}, {3, 2}, {0, 1}, {1, 3}}) {
    CoreImageSpec bad_types = spec;
    bad_types.neuromodulation->reward_type = reward_type;
    bad_types.neuromodulation->punishment_type = punishment_type;
    EXPECT_THROW(build_core_image(bad_types), std::invalid_argument) << reward_type << ", " << punishment_type;
  }
}

TEST(CoreSeed, DeterministicAndDistinctPerCoreAndNetwork) {
  EXPECT_EQ(core_seed(42, 7), core_seed(42, 7));
  std::set<std::array<uint32_t, 4>> seen;
  const uint64_t network_seeds[] = {0, 1, 42, 0xFFFFFFFFFFFFFFFFull, 0x9E3779B97F4A7C15ull};
  constexpr uint32_t kCores = 4096;
  for (uint64_t net : network_seeds)
    for (uint32_t core = 0; core < kCores; ++core) {
      const std::array<uint32_t, 4> s = core_seed(net, core);
      EXPECT_NE(s[0] | s[1] | s[2] | s[3], 0u);
      EXPECT_TRUE(seen.insert(s).second) << "network " << net << " core " << core;
    }
  EXPECT_EQ(seen.size(), std::size(network_seeds) * kCores);
}

TEST(CoreSeed, StreamsOfNeighbouringCoresDiffer) {
  // Seeds of cores i and i+1 give streams with no common values early on,
  // and every seed bit is set about half the time.
  constexpr uint32_t kCores = 1024, kDraws = 256;
  std::array<uint32_t, 128> bit_counts{};
  std::vector<std::vector<uint32_t>> streams(kCores);
  for (uint32_t c = 0; c < kCores; ++c) {
    const std::array<uint32_t, 4> s = core_seed(7, c);
    for (int w = 0; w < 4; ++w)
      for (int b = 0; b < 32; ++b) bit_counts[32 * w + b] += (s[w] >> b) & 1u;
    const uint32_t raw[4] = {s[0], s[1], s[2], s[3]};
    fw::Rng rng(raw);
    for (uint32_t k = 0; k < kDraws; ++k) streams[c].push_back(rng.next());
  }
  for (uint32_t c = 0; c + 1 < kCores; ++c) {
    std::vector<uint32_t> a = streams[c], b = streams[c + 1];
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    std::vector<uint32_t> common;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
    EXPECT_TRUE(common.empty()) << "cores " << c << " and " << c + 1;
  }
  // Binomial(1024, 1/2): sd 16; 5 sd.
  for (size_t bit = 0; bit < bit_counts.size(); ++bit) EXPECT_NEAR(bit_counts[bit], 512.0, 80.0) << "bit " << bit;
  // First outputs are spread over the whole range (no small-seed warm-up).
  uint32_t high = 0;
  for (const auto& st : streams) high += st[0] >> 31;
  EXPECT_NEAR(high, 512.0, 80.0);
}

TEST(CoreImageBuilder, HelperFunctions) {
  EXPECT_EQ(slice_key_mask(1), 0xFFFFFFFFu);
  EXPECT_EQ(slice_key_mask(2), 0xFFFFFFFEu);
  EXPECT_EQ(slice_key_mask(20), 0xFFFFFFE0u);
  EXPECT_EQ(slice_key_mask(256), 0xFFFFFF00u);
  EXPECT_EQ(slice_key_mask(257), 0xFFFFFE00u);
  const img::RecordingRegion r = record_all(img::kRecordSpikes | img::kRecordV, 40, 5);
  EXPECT_EQ(r.flags, img::kRecordSpikes | img::kRecordV);
  EXPECT_EQ(r.sample_interval_ticks, 5u);
  EXPECT_EQ(r.neuron_mask[0], 0xFFFFFFFFu);
  EXPECT_EQ(r.neuron_mask[1], 0xFFu);
  for (int i = 2; i < 8; ++i) EXPECT_EQ(r.neuron_mask[i], 0u);
  EXPECT_EQ(record_all(0, 256).neuron_mask[7], 0xFFFFFFFFu);
  // A silent source: an infinite mean interval is mantissa 0 ("never").
  EXPECT_EQ(poisson_source(0.0, 0, 10, 1.0).mean_interval, 0u);
  // 200 Hz at 1 ms: 5 ticks = 0xA0000000 x 2^-(24 + 5), exact.
  const img::PoissonSource s = poisson_source(200.0, 0, 10, 1.0);
  EXPECT_EQ(s.mean_interval, 0xA0000000u);
  EXPECT_EQ(s.interval_shift, 24u);
}

// A Poisson start past the tick counter never comes: saturated, never an
// out-of-range conversion.
TEST(CoreImageBuilder, PoissonStartPastTheTickCounter) {
  const img::PoissonSource s = poisson_source(10.0, 1e300, 10, 1.0);
  EXPECT_EQ(s.start_tick, UINT32_MAX);
  EXPECT_EQ(s.end_tick, UINT32_MAX);
}

}  // namespace
}  // namespace spindle::host
