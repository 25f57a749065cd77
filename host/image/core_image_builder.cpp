#include "image/core_image_builder.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "image/image_crc.h"
#include "synapse/plasticity/dopamine_history.h"
#include "synapse/plasticity/post_history.h"

namespace spindle::host {
namespace {

namespace img = fw::image;

template <class T>
void append(std::vector<uint8_t>& out, const T& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

template <class T>
void append_all(std::vector<uint8_t>& out, const std::vector<T>& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  out.insert(out.end(), p, p + v.size() * sizeof(T));
}

// A region's payload: its own bytes, or (the synaptic matrix, most of an
// image) a view of the spec's words, copied once, straight into the image.
struct Region {
  img::RegionId id;
  std::vector<uint8_t> bytes;
  const uint8_t* view = nullptr;
  size_t view_size = 0;
  const uint8_t* data() const { return view ? view : bytes.data(); }
  size_t size() const { return view ? view_size : bytes.size(); }
};

}  // namespace

std::vector<uint8_t> build_core_image(const CoreImageSpec& spec) {
  std::vector<Region> regions;

  img::SystemRegion sys{};
  sys.core_kind = static_cast<uint32_t>(spec.kind);
  sys.model_id = spec.neurons ? static_cast<uint32_t>(spec.neurons->model) : 0;
  sys.n_neurons = spec.n_neurons;
  sys.timer_period_us = spec.timer_period_us;
  sys.key_base = spec.key_base;
  sys.key_mask = spec.key_mask;
  sys.emits_spikes = spec.emits_spikes ? 1 : 0;
  for (int i = 0; i < 4; ++i) sys.seed[i] = spec.seed[i];
  sys.index_bits = bits_for(spec.n_neurons);
  if (spec.kind == img::CoreKind::kNeurons) {
    sys.n_synapse_types = spec.n_synapse_types;
    const SynapticMatrix empty = [&] {
      SynapticMatrix m;
      m.layout = fw::SynapticWordLayout{bits_for(spec.n_neurons), bits_for(spec.n_synapse_types), 1};
      return m;
    }();
    const SynapticMatrix& m = spec.synapses ? *spec.synapses : empty;
    if (spec.synapses && spec.neurons && m.unit_shift != receptor_unit_shifts(spec.neurons->model))
      throw std::invalid_argument(
          "synaptic matrix built for other receptor units than the neuron model's "
          "(pass receptor_unit_shifts(model) to build_synaptic_matrix)");
    sys.ring_slots = m.ring_slots;
    sys.index_bits = m.layout.index_bits;
    sys.type_bits = m.layout.type_bits;
    sys.delay_bits = m.layout.delay_bits;
    for (uint32_t t = 0; t < fw::kMaxSynapseTypes; ++t) sys.weight_shift[t] = m.weight_shift[t];
  }
  regions.push_back({img::RegionId::kSystem, {}});
  append(regions.back().bytes, sys);

  if (spec.neurons) {
    std::vector<uint8_t> r;
    append(r, img::NeuronRegionHeader{static_cast<uint32_t>(spec.neurons->model), spec.neurons->n_neurons,
                                      spec.neurons->param_bytes, spec.neurons->state_bytes});
    r.insert(r.end(), spec.neurons->params.begin(), spec.neurons->params.end());
    r.insert(r.end(), spec.neurons->state.begin(), spec.neurons->state.end());
    regions.push_back({img::RegionId::kNeurons, std::move(r)});
  }
  if (spec.synapses && !spec.synapses->table.empty()) {
    std::vector<uint8_t> table;
    append(table, img::PopulationTableHeader{static_cast<uint32_t>(spec.synapses->table.size())});
    append_all(table, spec.synapses->table);
    regions.push_back({img::RegionId::kPopulationTable, std::move(table)});
    const std::vector<uint32_t>& words = spec.synapses->words;
    regions.push_back({img::RegionId::kSynapticMatrix, {}, reinterpret_cast<const uint8_t*>(words.data()),
                       words.size() * sizeof(uint32_t)});
  }
  if (spec.synapses && !spec.synapses->plastic_table.empty()) {
    if (!spec.stdp) throw std::invalid_argument("plastic synapses without an STDP rule");
    std::vector<uint8_t> table;
    append(table, img::PopulationTableHeader{static_cast<uint32_t>(spec.synapses->plastic_table.size())});
    append_all(table, spec.synapses->plastic_table);
    regions.push_back({img::RegionId::kPlasticTable, std::move(table)});
    const std::vector<uint32_t>& words = spec.synapses->plastic_words;
    regions.push_back({img::RegionId::kPlasticMatrix, {}, reinterpret_cast<const uint8_t*>(words.data()),
                       words.size() * sizeof(uint32_t)});
    std::vector<uint8_t> stdp;
    append(stdp, *spec.stdp);
    stdp.resize(stdp.size() + 4 * size_t{fw::stdp::PostHistoryView<>::words(spec.n_neurons)}, 0);
    regions.push_back({img::RegionId::kStdp, std::move(stdp)});
  }
  const bool neuromodulated_rows = spec.synapses && !spec.synapses->plastic_table.empty() && spec.synapses->neuromodulated;
  if (neuromodulated_rows != spec.neuromodulation.has_value())
    throw std::invalid_argument(neuromodulated_rows ? "neuromodulated plastic synapses without a neuromodulation region"
                                                    : "a neuromodulation region without neuromodulated plastic synapses");
  if (spec.neuromodulation) {
    const img::NeuromodulationRegionHeader& h = *spec.neuromodulation;
    // The core takes the two types after the model's receptors, in this
    // order (Core::load_plastic), and refuses anything else.
    if (spec.n_synapse_types < 3 || h.reward_type != spec.n_synapse_types - 2 ||
        h.punishment_type != spec.n_synapse_types - 1)
      throw std::invalid_argument("neuromodulation: reward type " + std::to_string(h.reward_type) +
                                  " and punishment type " + std::to_string(h.punishment_type) +
                                  " must be the last two of the core's " + std::to_string(spec.n_synapse_types) +
                                  " synapse types, after the model's receptors");
    std::vector<uint8_t> r;
    append(r, h);
    r.resize(r.size() + 4 * size_t{fw::stdp::DopamineHistoryView<>::words(spec.n_neurons)}, 0);
    regions.push_back({img::RegionId::kNeuromodulation, std::move(r)});
  }
  if (spec.kind == img::CoreKind::kPoissonSource) {
    std::vector<uint8_t> r;
    append(r, img::SourcesHeader{static_cast<uint32_t>(spec.poisson.size())});
    append_all(r, spec.poisson);
    regions.push_back({img::RegionId::kSources, std::move(r)});
  } else if (spec.kind == img::CoreKind::kArraySource) {
    std::vector<uint8_t> r;
    append(r, img::SourcesHeader{static_cast<uint32_t>(spec.spike_times.size())});
    append_all(r, spec.spike_times);
    regions.push_back({img::RegionId::kSources, std::move(r)});
  }
  if (spec.recording) {
    std::vector<uint8_t> r;
    append(r, *spec.recording);
    regions.push_back({img::RegionId::kRecording, std::move(r)});
  }

  // Lay out: header, table, then payloads (each a multiple of 4 bytes).
  const uint32_t table_end = static_cast<uint32_t>(sizeof(img::ImageHeader) + regions.size() * sizeof(img::RegionEntry));
  std::vector<img::RegionEntry> entries;
  uint32_t offset = table_end;
  for (Region& r : regions) {
    if (!r.view) r.bytes.resize((r.bytes.size() + 3) & ~size_t{3}, 0);  // a view is whole words already
    entries.push_back({static_cast<uint32_t>(r.id), offset, static_cast<uint32_t>(r.size()),
                       image_crc32(r.data(), r.size())});
    offset += static_cast<uint32_t>(r.size());
  }
  img::ImageHeader h{};
  h.magic = img::kMagic;
  h.version_major = img::kVersionMajor;
  h.version_minor = img::kVersionMinor;
  h.total_size = offset;
  h.region_count = static_cast<uint32_t>(regions.size());

  std::vector<uint8_t> out;
  out.reserve(offset);
  append(out, h);
  append_all(out, entries);
  h.header_crc = image_crc32(out.data(), out.size());
  std::memcpy(out.data() + offsetof(img::ImageHeader, header_crc), &h.header_crc, 4);
  for (const Region& r : regions) out.insert(out.end(), r.data(), r.data() + r.size());
  return out;
}

fw::image::PoissonSource poisson_source(double rate_hz, double start_ms, double duration_ms, double dt_ms) {
  const double lambda = rate_hz * dt_ms / 1000.0;
  fw::image::PoissonSource s{};
  const MeanInterval interval = to_mean_interval(1.0 / lambda, "SpikeSourcePoisson mean interval (ticks)");
  s.mean_interval = interval.mantissa;
  s.interval_shift = interval.shift;
  // Saturated at the tick counter's end (a start past it never comes),
  // never a conversion out of range.
  const double start = std::round(start_ms / dt_ms);
  s.start_tick = start >= 4294967295.0 ? UINT32_MAX : static_cast<uint32_t>(std::max(0.0, start));
  const double end = std::round((start_ms + duration_ms) / dt_ms);
  s.end_tick = end >= 4294967295.0 ? UINT32_MAX : static_cast<uint32_t>(end);
  return s;
}

std::array<uint32_t, 4> core_seed(uint64_t network_seed, uint32_t core_index) {
  uint64_t x = network_seed ^ (0x9E3779B97F4A7C15ull * (uint64_t{core_index} + 1));
  auto next = [&x] {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  const uint64_t a = next(), b = next();
  return {static_cast<uint32_t>(a), static_cast<uint32_t>(a >> 32), static_cast<uint32_t>(b),
          static_cast<uint32_t>(b >> 32)};
}

uint32_t slice_key_mask(uint32_t n_neurons) {
  const uint32_t bits = bits_for(n_neurons);
  return bits >= 32 ? 0u : ~((1u << bits) - 1u);
}

fw::image::RecordingRegion record_all(uint32_t flags, uint32_t n_neurons, uint32_t sample_interval) {
  fw::image::RecordingRegion r{};
  r.flags = flags;
  r.sample_interval_ticks = sample_interval;
  for (uint32_t n = 0; n < n_neurons && n < fw::image::kImageMaxNeurons; ++n) r.neuron_mask[n / 32] |= 1u << (n % 32);
  return r;
}

}  // namespace spindle::host
