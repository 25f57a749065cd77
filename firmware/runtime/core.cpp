#include "runtime/core.h"

#include <cstring>

#if defined(__x86_64__)
#endif

namespace spindle::fw {

using image::ImageError;
using image::ImageStatus;
using image::RegionId;

namespace {

// Typed view of a region's payload. Regions are 4-byte aligned inside a
// 4-byte aligned image and hold only 32-bit fields.
template <class T>
const T* as(const uint8_t* p) {
  return reinterpret_cast<const T*>(p);
}

bool is_pow2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

ImageStatus Core::fail(ImageError e, RegionId r, uint32_t offset) {
  status_ = ImageStatus{e, static_cast<uint32_t>(r), offset};
  state_ = CoreState::kError;
  return status_;
}

ImageStatus Core::load(Platform& platform) {
  platform_ = &platform;
  state_ = CoreState::kUnloaded;
  status_ = {};
  prov_ = {};
  tick_ = 0;
  input_queue_.clear();
#if !defined(__arm__)
  n_row_hints_ = 0;  // hints into a previous image's table
#endif
  clear_records();
  population_table_.set(nullptr, 0, nullptr);
  poisson_.set(nullptr, 0, rng_);
  spike_array_.set(nullptr, 0);
  recording_ = {};

  const MemoryRegion mem = platform.image_memory();
  image::ImageReader reader;
  const ImageStatus opened = reader.open(mem.data, mem.size);
  if (!opened.ok()) return fail(opened.error, static_cast<RegionId>(opened.region), opened.offset);

  ImageStatus s = load_system(reader);
  if (s.ok()) s = load_neurons(reader);
  if (s.ok()) s = load_synapses(reader);
  if (s.ok()) s = load_sources(reader);
  if (s.ok()) s = load_recording(reader);
  if (!s.ok()) return s;
  state_ = CoreState::kReady;
  return status_;
}

ImageStatus Core::load_system(const image::ImageReader& reader) {
  const image::RegionView r = reader.region(RegionId::kSystem);
  if (!r.present()) return fail(ImageError::kMissingRegion, RegionId::kSystem);
  if (r.size < sizeof(image::SystemRegion)) return fail(ImageError::kRegionTooSmall, RegionId::kSystem);
  image::SystemRegion sys;
  std::memcpy(&sys, r.data, sizeof sys);

  auto bad = [&](uint32_t field_offset) { return fail(ImageError::kBadSystem, RegionId::kSystem, field_offset); };
  const auto kind = static_cast<image::CoreKind>(sys.core_kind);
  if (kind != image::CoreKind::kNeurons && kind != image::CoreKind::kPoissonSource &&
      kind != image::CoreKind::kArraySource)
    return bad(offsetof(image::SystemRegion, core_kind));
  if (sys.n_neurons == 0 || sys.n_neurons > kMaxNeuronsPerCore) return bad(offsetof(image::SystemRegion, n_neurons));
  if (sys.timer_period_us == 0) return bad(offsetof(image::SystemRegion, timer_period_us));
  if ((sys.key_base & ~sys.key_mask) != 0 || ((sys.n_neurons - 1) & sys.key_mask) != 0)
    return bad(offsetof(image::SystemRegion, key_base));
  if (sys.emits_spikes > 1) return bad(offsetof(image::SystemRegion, emits_spikes));
  if (sys.n_synapse_types > kMaxSynapseTypes) return bad(offsetof(image::SystemRegion, n_synapse_types));
  if (!SynapticWordLayout::valid(sys.index_bits, sys.type_bits, sys.delay_bits) ||
      (uint64_t{1} << sys.index_bits) < sys.n_neurons ||
      (uint64_t{1} << sys.type_bits) < sys.n_synapse_types)
    return bad(offsetof(image::SystemRegion, index_bits));
  for (uint32_t t = 0; t < kMaxSynapseTypes; ++t)
    if (sys.weight_shift[t] < -31 || sys.weight_shift[t] > 31)
      return bad(static_cast<uint32_t>(offsetof(image::SystemRegion, weight_shift) + 4 * t));

  kind_ = kind;
  model_ = static_cast<ModelId>(sys.model_id);
  n_neurons_ = sys.n_neurons;
  timer_period_us_ = sys.timer_period_us;
  key_base_ = sys.key_base;
  emits_spikes_ = sys.emits_spikes != 0;
  n_synapse_types_ = sys.n_synapse_types;
  for (uint32_t t = 0; t < kMaxSynapseTypes; ++t) weight_shift_[t] = sys.weight_shift[t];
  layout_ = SynapticWordLayout{sys.index_bits, sys.type_bits, sys.delay_bits};
  rng_.reseed(sys.seed);

  if (kind_ == image::CoreKind::kNeurons) {
    // Every encodable delay must be shorter than the ring, so no spike can
    // land in the slot being read.
    if (!is_pow2(sys.ring_slots) || (uint64_t{1} << sys.delay_bits) > sys.ring_slots)
      return bad(offsetof(image::SystemRegion, ring_slots));
    if (!ring_.configure(sys.ring_slots, sys.type_bits, sys.index_bits))
      return fail(ImageError::kRingTooLarge, RegionId::kSystem, offsetof(image::SystemRegion, ring_slots));
  }
  return status_;
}

ImageStatus Core::load_neurons(const image::ImageReader& reader) {
  if (kind_ != image::CoreKind::kNeurons) return status_;
  const image::RegionView r = reader.region(RegionId::kNeurons);
  if (!r.present()) return fail(ImageError::kMissingRegion, RegionId::kNeurons);
  if (r.size < sizeof(image::NeuronRegionHeader)) return fail(ImageError::kRegionTooSmall, RegionId::kNeurons);
  image::NeuronRegionHeader h;
  std::memcpy(&h, r.data, sizeof h);

  ImageStatus result{};
  const bool known = visit_model(model_, [&]<class Model>() {
    using P = typename Model::Params;
    using S = typename Model::State;
    // Models with equal block sizes (IF_curr_exp and Izhikevich) are told
    // apart only by the id the region was written for.
    if (h.model_id != static_cast<uint32_t>(model_) || h.n_neurons != n_neurons_ || h.param_bytes != sizeof(P) || h.state_bytes != sizeof(S) ||
        n_synapse_types_ != Model::kReceptors) {
      result = fail(ImageError::kBadNeurons, RegionId::kNeurons, 0);
      return;
    }
    const uint64_t need = sizeof h + uint64_t{n_neurons_} * (sizeof(P) + sizeof(S));
    if (need > r.size) {
      result = fail(ImageError::kRegionTooSmall, RegionId::kNeurons, 0);
      return;
    }
    store_ = NeuronStore{params_, neuron_state_, n_neurons_, 0};
    const uint8_t* params = r.data + sizeof h;
    const uint32_t bad = NeuronBatch<Model>::load(store_, params, params + n_neurons_ * sizeof(P));
    if (bad != n_neurons_) {
      const auto at = static_cast<uint32_t>(sizeof h + bad * sizeof(P) + NeuronBatch<Model>::kRefusedField);
      result = fail(ImageError::kBadNeurons, RegionId::kNeurons, at);
    }
  });
  if (!known) return fail(ImageError::kBadSystem, RegionId::kSystem, offsetof(image::SystemRegion, model_id));
  return result;
}

ImageStatus Core::load_synapses(const image::ImageReader& reader) {
  const image::RegionView table = reader.region(RegionId::kPopulationTable);
  const image::RegionView matrix = reader.region(RegionId::kSynapticMatrix);
  if (!table.present()) return status_;  // a core nothing projects to
  if (kind_ != image::CoreKind::kNeurons) return fail(ImageError::kBadPopulationTable, RegionId::kPopulationTable);
  if (!matrix.present()) return fail(ImageError::kMissingRegion, RegionId::kSynapticMatrix);
  if (table.size < sizeof(image::PopulationTableHeader))
    return fail(ImageError::kRegionTooSmall, RegionId::kPopulationTable);
  const uint32_t n = as<image::PopulationTableHeader>(table.data)->n_entries;
  if (sizeof(image::PopulationTableHeader) + uint64_t{n} * sizeof(image::PopulationTableEntry) > table.size)
    return fail(ImageError::kRegionTooSmall, RegionId::kPopulationTable);

  const auto* entries = as<image::PopulationTableEntry>(table.data + sizeof(image::PopulationTableHeader));
  const auto* words = as<uint32_t>(matrix.data);
  const uint32_t n_words = matrix.size / 4;
  for (uint32_t i = 0; i < n; ++i) {
    const image::PopulationTableEntry& e = entries[i];
    const uint32_t at = static_cast<uint32_t>(sizeof(image::PopulationTableHeader) + i * sizeof e);
    const uint32_t span = ~e.mask;  // highest atom index the entry can address
    if ((e.key & ~e.mask) != 0 || e.n_rows == 0 || uint64_t{e.n_rows} - 1 > span)
      return fail(ImageError::kBadPopulationTable, RegionId::kPopulationTable, at);
    // Sorted and disjoint: this range ends before the next one starts.
    if (i + 1 < n && (e.key | span) >= entries[i + 1].key)
      return fail(ImageError::kBadPopulationTable, RegionId::kPopulationTable, at);
    // n_rows + 1 offsets inside the matrix (64-bit: no wrap).
    const uint64_t rows_start = uint64_t{e.row_offsets} + e.n_rows + 1;
    if (rows_start > n_words) return fail(ImageError::kBadPopulationTable, RegionId::kPopulationTable, at);
    // Rows follow their offsets, in order, inside the matrix: the look-up's
    // [o[r], o[r + 1]) then never leaves the region.
    const uint32_t* offsets = words + e.row_offsets;
    auto bad_offset = [&](uint32_t r) {
      return fail(ImageError::kBadRowOffset, RegionId::kSynapticMatrix, (e.row_offsets + r) * 4);
    };
    if (offsets[0] < rows_start) return bad_offset(0);
    for (uint32_t row = 0; row < e.n_rows; ++row) {
      const uint32_t first = offsets[row], end = offsets[row + 1];
      if (end < first || end > n_words) return bad_offset(row + 1);
      for (uint32_t k = first; k < end; ++k) {
        const uint32_t w = words[k];
        if (layout_.index(w) >= n_neurons_ || layout_.type(w) >= n_synapse_types_ || layout_.delay(w) == 0)
          return fail(ImageError::kBadSynapticRow, RegionId::kSynapticMatrix, k * 4);
      }
    }
  }
  population_table_.set(entries, n, words);
  return status_;
}

ImageStatus Core::load_sources(const image::ImageReader& reader) {
  if (kind_ == image::CoreKind::kNeurons) return status_;
  const image::RegionView r = reader.region(RegionId::kSources);
  if (!r.present()) return fail(ImageError::kMissingRegion, RegionId::kSources);
  if (r.size < sizeof(image::SourcesHeader)) return fail(ImageError::kRegionTooSmall, RegionId::kSources);
  const uint32_t n = as<image::SourcesHeader>(r.data)->n_items;
  const uint8_t* items = r.data + sizeof(image::SourcesHeader);
  const uint64_t avail = r.size - sizeof(image::SourcesHeader);

  if (kind_ == image::CoreKind::kPoissonSource) {
    if (n != n_neurons_) return fail(ImageError::kBadSources, RegionId::kSources, 0);
    if (uint64_t{n} * sizeof(image::PoissonSource) > avail) return fail(ImageError::kRegionTooSmall, RegionId::kSources);
    const auto* sources = as<image::PoissonSource>(items);
    for (uint32_t i = 0; i < n; ++i)
      if (sources[i].interval_shift > kMaxPoissonIntervalShift)
        return fail(ImageError::kBadSources, RegionId::kSources,
                    static_cast<uint32_t>(sizeof(image::SourcesHeader) + i * sizeof(image::PoissonSource) +
                                          offsetof(image::PoissonSource, interval_shift)));
    poisson_.set(sources, n, rng_);
    return status_;
  }
  if (uint64_t{n} * sizeof(image::SpikeTime) > avail) return fail(ImageError::kRegionTooSmall, RegionId::kSources);
  const auto* spikes = as<image::SpikeTime>(items);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t at = static_cast<uint32_t>(sizeof(image::SourcesHeader) + i * sizeof(image::SpikeTime));
    if (spikes[i].neuron >= n_neurons_ || (i > 0 && spikes[i].tick < spikes[i - 1].tick))
      return fail(ImageError::kBadSources, RegionId::kSources, at);
  }
  spike_array_.set(spikes, n);
  return status_;
}

ImageStatus Core::load_recording(const image::ImageReader& reader) {
  const image::RegionView r = reader.region(RegionId::kRecording);
  if (!r.present()) return status_;  // records nothing
  if (r.size < sizeof(image::RecordingRegion)) return fail(ImageError::kRegionTooSmall, RegionId::kRecording);
  image::RecordingRegion rec;
  std::memcpy(&rec, r.data, sizeof rec);
  constexpr uint32_t kKnown = image::kRecordSpikes | image::kRecordV | image::kRecordGsynExc | image::kRecordGsynInh;
  if ((rec.flags & ~kKnown) != 0) return fail(ImageError::kBadRecording, RegionId::kRecording, 0);
  if (rec.sample_interval_ticks == 0) return fail(ImageError::kBadRecording, RegionId::kRecording, 4);
  if (kind_ != image::CoreKind::kNeurons && (rec.flags & ~image::kRecordSpikes) != 0)
    return fail(ImageError::kBadRecording, RegionId::kRecording, 0);
  recording_ = rec;
  return status_;
}

bool Core::on_packet(const Packet& packet) {
  if (!input_queue_.push(packet)) {
    ++prov_.input_queue_overflows;
    return false;
  }
  ++prov_.packets_received;
  if (input_queue_.size() > prov_.max_queue_depth) prov_.max_queue_depth = input_queue_.size();
  return true;
}

void Core::process_packets() {
  Packet p;
  while (input_queue_.pop(p)) process_packet(p);
}

#if !defined(__arm__)
// A core's matrix is tens of kilobytes and a tick reads a few scattered rows
// of it, which miss the cache; the rows' bounds (a small array per source
// slice) mostly hit it. Only the first lines are fetched: most rows are a
// few words.
void Core::prefetch_rows(const Packet* packets, uint32_t n) {
  n_row_hints_ = 0;
  if (state_ != CoreState::kReady) return;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t* offsets = population_table_.row_offsets(packets[i].key);
    if (i < kRowHints) {
      row_hints_[i] = offsets;
      row_hint_keys_[i] = packets[i].key;
      n_row_hints_ = i + 1;
    }
    if (offsets != nullptr) __builtin_prefetch(population_table_.matrix() + offsets[0]);
  }
}

void Core::receive_packets(const Packet* packets, uint32_t n) {
  if (input_queue_.size() != 0) {  // packets queued by on_packet: keep their order
    for (uint32_t i = 0; i < n; ++i) {
      if (input_queue_.size() == kInputQueueCapacity) process_packets();
      on_packet(packets[i]);
    }
    n_row_hints_ = 0;
    process_packets();
    return;
  }
  // on_packet + process_packets from an empty queue: every packet is
  // received (none overflows, the queue being emptied whenever full) and
  // the queue's depth peaks at min(n, capacity).
  prov_.packets_received += n;
  const uint32_t depth = n < kInputQueueCapacity ? n : kInputQueueCapacity;
  if (depth > prov_.max_queue_depth) prov_.max_queue_depth = depth;
  const uint32_t hinted = n_row_hints_ < n ? n_row_hints_ : n;
  n_row_hints_ = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t key = packets[i].key;
    add_row(i < hinted && row_hint_keys_[i] == key ? row_hints_[i] : population_table_.row_offsets(key));
  }
}

#endif

// Inlined into process_packet: on Cortex-M4 a call here cost 5 instructions
// a packet (bench/firmware_counts).
__attribute__((always_inline)) inline void Core::add_row(const uint32_t* offsets) {
  if (offsets == nullptr) {
    ++prov_.packets_no_match;
    return;
  }
  // Row r is [offsets[r], offsets[r + 1]) of the matrix.
  const uint32_t begin = offsets[0], count = offsets[1] - begin;
  // Spikes processed now arrived after tick (tick_ - 1) ran.
  const uint32_t arrival = tick_ - 1;
  RowRule::process_row(ring_, arrival, population_table_.matrix() + begin, count, layout_.delay_type_index_mask());
  prov_.synaptic_events += count;
}

void Core::process_packet(const Packet& packet) { add_row(population_table_.row_offsets(packet.key)); }


void Core::emit_spike(uint32_t neuron, uint32_t count) {
  for (uint32_t c = 0; c < count; ++c) {
    ++prov_.spikes_emitted;
    if ((recording_.flags & image::kRecordSpikes) && !spike_records_.push(SpikeRecord{tick_, neuron}))
      ++prov_.spike_records_dropped;
    if (!emits_spikes_) continue;
    if (platform_->send_packet(Packet{key_base_ | neuron, 0, false})) ++prov_.packets_sent;
    else ++prov_.packets_send_failed;
  }
}

template <class Value>
void Core::sample_recorded(Value&& value) {
  const uint32_t flags = recording_.flags;
  auto push = [&](uint32_t n, StateVariable var) {
    if (!state_records_.push(StateRecord{tick_, static_cast<uint16_t>(n), static_cast<uint16_t>(var), value(n, var).raw}))
      ++prov_.state_records_dropped;
  };
  // The mask's set bits only, in neuron order: a core usually records a few
  // of its neurons, and a scan of all of them every sample showed in profiles.
  for (uint32_t w = 0; w * 32 < n_neurons_; ++w)
    for (uint32_t bits = recording_.neuron_mask[w]; bits != 0; bits &= bits - 1) {
      const uint32_t n = w * 32 + static_cast<uint32_t>(__builtin_ctz(bits));
      if (n >= n_neurons_) return;
      if (flags & image::kRecordV) push(n, StateVariable::kV);
      if (flags & image::kRecordGsynExc) push(n, StateVariable::kGsynExc);
      if (flags & image::kRecordGsynInh) push(n, StateVariable::kGsynInh);
    }
}

template <class Model>
void Core::update_neurons() {
  using Batch = NeuronBatch<Model>;
  constexpr uint32_t kStateFlags = image::kRecordV | image::kRecordGsynExc | image::kRecordGsynInh;
  if ((recording_.flags & kStateFlags) && tick_ % recording_.sample_interval_ticks == 0)
    sample_recorded([&](uint32_t n, StateVariable var) {
      return var == StateVariable::kV ? Batch::voltage(store_, n)
             : var == StateVariable::kGsynExc ? Batch::gsyn_exc(store_, n)
                                              : Batch::gsyn_inh(store_, n);
    });
  TickInput in;
  for (uint32_t t = 0; t < n_synapse_types_; ++t) {
    in.column[t] = ring_.column(tick_, t);
    in.weight_shift[t] = weight_shift_[t];
    in.scale[t] = RingInputScale::from_weight_shift(weight_shift_[t]);
  }
  uint32_t saturated = 0;
  const uint32_t n_fired = Batch::update(store_, in, fired_, saturated);
  ring_.count_saturations(saturated);
  for (uint32_t k = 0; k < n_fired; ++k) emit_spike(fired_[k], 1);
}

void Core::tick() {
  if (state_ != CoreState::kReady) return;
  const uint32_t start_us = platform_->read_timer_us();
  process_packets();
  switch (kind_) {
    case image::CoreKind::kNeurons:
      visit_model(model_, [&]<class Model>() { update_neurons<Model>(); });
      break;
    case image::CoreKind::kPoissonSource:
      prov_.poisson_capped += poisson_.tick(tick_, rng_, [&](uint32_t i, uint32_t count) { emit_spike(i, count); });
      break;
    case image::CoreKind::kArraySource:
      spike_array_.tick(tick_, [&](uint32_t i, uint32_t count) { emit_spike(i, count); });
      break;
  }
  ++tick_;
  prov_.ticks = tick_;
  prov_.ring_saturations = ring_.saturations();
  if (platform_->read_timer_us() - start_us > timer_period_us_) ++prov_.tick_overruns;
}

Accum Core::voltage(uint32_t neuron) const {
  Accum v{};
  if (kind_ != image::CoreKind::kNeurons || neuron >= n_neurons_) return v;
  visit_model(model_, [&]<class Model>() { v = NeuronBatch<Model>::voltage(store_, neuron); });
  return v;
}

}  // namespace spindle::fw
