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
  plastic_table_.set(nullptr, 0, nullptr);
  plastic_words_ = nullptr;
  plastic_.reset();
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
  if (s.ok()) s = load_plastic(reader, mem);
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
  for (uint32_t n = 0; n < n_neurons_; ++n) {
    mode_offset_[n] = 0;
    mode_gain_[n] = kModeGainOne;
  }
  n_gained_ = 0;
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
  // Dopamine-modulated STDP adds two synapse types after the model's
  // receptors: reward and punishment (image/format.h, region 10).
  const uint32_t dopamine_types = reader.region(RegionId::kNeuromodulation).present() ? 2 : 0;
  ImageStatus result{};
  const bool known = visit_model(model_, [&]<class Model>() {
    using P = typename Model::Params;
    using S = typename Model::State;
    // Models with equal block sizes (IF_curr_exp and Izhikevich) are told
    // apart only by the id the region was written for.
    // The model's receptors, then its dendrite types (any number up to the
    // part's, which the neurons' parameters must match), then dopamine's.
    constexpr uint32_t kDendriteTypes = Model::DendritePart::kInputs;
    const uint32_t dendrite_types = n_synapse_types_ - Model::kReceptors - dopamine_types;
    if (h.model_id != static_cast<uint32_t>(model_) || h.n_neurons != n_neurons_ || h.param_bytes != sizeof(P) || h.state_bytes != sizeof(S) ||
        n_synapse_types_ < Model::kReceptors + dopamine_types || dendrite_types > kDendriteTypes) {
      result = fail(ImageError::kBadNeurons, RegionId::kNeurons, 0);
      return;
    }
    // A model with a large state block holds fewer neurons (config/limits.h).
    if (n_neurons_ > max_neurons_per_core<Model>(kMaxNeuronsPerCore)) {
      result = fail(ImageError::kBadNeurons, RegionId::kNeurons, offsetof(image::NeuronRegionHeader, n_neurons));
      return;
    }
    const uint64_t need = sizeof h + uint64_t{n_neurons_} * (sizeof(P) + sizeof(S));
    if (need > r.size) {
      result = fail(ImageError::kRegionTooSmall, RegionId::kNeurons, 0);
      return;
    }
    n_receptors_ = Model::kReceptors;
    n_model_inputs_ = Model::kReceptors + dendrite_types;
    store_ = NeuronStore{params_, neuron_state_, n_neurons_, 0, dendrite_types};
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

// A population table (`table_id`) and its matrix (`matrix_id`): sorted,
// disjoint entries whose row offsets and rows lie inside the matrix.
// check_row(first, end) checks the words [first, end) of one row and
// returns the bad word's index in the matrix, or end if the row is good.
template <class CheckRow>
ImageStatus Core::load_table(const image::RegionView& table, const image::RegionView& matrix, RegionId table_id,
                             RegionId matrix_id, PopulationTable& out, CheckRow&& check_row, ImageError row_error) {
  if (kind_ != image::CoreKind::kNeurons) return fail(ImageError::kBadPopulationTable, table_id);
  if (!matrix.present()) return fail(ImageError::kMissingRegion, matrix_id);
  if (table.size < sizeof(image::PopulationTableHeader)) return fail(ImageError::kRegionTooSmall, table_id);
  const uint32_t n = as<image::PopulationTableHeader>(table.data)->n_entries;
  if (sizeof(image::PopulationTableHeader) + uint64_t{n} * sizeof(image::PopulationTableEntry) > table.size)
    return fail(ImageError::kRegionTooSmall, table_id);

  const auto* entries = as<image::PopulationTableEntry>(table.data + sizeof(image::PopulationTableHeader));
  const auto* words = as<uint32_t>(matrix.data);
  const uint32_t n_words = matrix.size / 4;
  for (uint32_t i = 0; i < n; ++i) {
    const image::PopulationTableEntry& e = entries[i];
    const uint32_t at = static_cast<uint32_t>(sizeof(image::PopulationTableHeader) + i * sizeof e);
    const uint32_t span = ~e.mask;  // highest atom index the entry can address
    if ((e.key & ~e.mask) != 0 || e.n_rows == 0 || uint64_t{e.n_rows} - 1 > span)
      return fail(ImageError::kBadPopulationTable, table_id, at);
    // Sorted and disjoint: this range ends before the next one starts.
    if (i + 1 < n && (e.key | span) >= entries[i + 1].key) return fail(ImageError::kBadPopulationTable, table_id, at);
    // n_rows + 1 offsets inside the matrix (64-bit: no wrap).
    const uint64_t rows_start = uint64_t{e.row_offsets} + e.n_rows + 1;
    if (rows_start > n_words) return fail(ImageError::kBadPopulationTable, table_id, at);
    // Rows follow their offsets, in order, inside the matrix: the look-up's
    // [o[r], o[r + 1]) then never leaves the region.
    const uint32_t* offsets = words + e.row_offsets;
    auto bad_offset = [&](uint32_t r) { return fail(ImageError::kBadRowOffset, matrix_id, (e.row_offsets + r) * 4); };
    if (offsets[0] < rows_start) return bad_offset(0);
    for (uint32_t row = 0; row < e.n_rows; ++row) {
      const uint32_t first = offsets[row], end = offsets[row + 1];
      if (end < first || end > n_words) return bad_offset(row + 1);
      const uint32_t bad = check_row(first, end);
      if (bad != end) return fail(row_error, matrix_id, bad * 4);
    }
  }
  out.set(entries, n, words);
  return status_;
}

ImageStatus Core::load_synapses(const image::ImageReader& reader) {
  const image::RegionView table = reader.region(RegionId::kPopulationTable);
  if (!table.present()) return status_;  // a core nothing projects to
  const image::RegionView matrix = reader.region(RegionId::kSynapticMatrix);
  const auto* words = as<uint32_t>(matrix.data);
  return load_table(
      table, matrix, RegionId::kPopulationTable, RegionId::kSynapticMatrix, population_table_,
      [&](uint32_t first, uint32_t end) {
        for (uint32_t k = first; k < end; ++k) {
          const uint32_t w = words[k];
          if (layout_.index(w) >= n_neurons_ || layout_.type(w) >= n_synapse_types_ || layout_.delay(w) == 0) return k;
        }
        return end;
      },
      ImageError::kBadSynapticRow);
}

// Plastic synapses: the table and matrix as the static ones, each row a
// fresh plastic row (state zero, its count matching its size, control words
// as a static word's low half), and the STDP rule with a fresh history.
// Both the matrix and the history are written while the core runs, so they
// must be in memory the platform lets it write.
ImageStatus Core::load_plastic(const image::ImageReader& reader, const MemoryRegion& mem) {
  const image::RegionView table = reader.region(RegionId::kPlasticTable);
  const image::RegionView matrix = reader.region(RegionId::kPlasticMatrix);
  const image::RegionView stdp = reader.region(RegionId::kStdp);
  const image::RegionView neuromodulation = reader.region(RegionId::kNeuromodulation);
  if (!table.present() && !matrix.present() && !stdp.present() && !neuromodulation.present()) return status_;
  if (!table.present()) return fail(ImageError::kMissingRegion, RegionId::kPlasticTable);
  if (!stdp.present()) return fail(ImageError::kMissingRegion, RegionId::kStdp);
  if (mem.writable == nullptr) return fail(ImageError::kImageNotWritable, RegionId::kPlasticMatrix);
  // The regions' writable addresses: the same bytes as the reader's views.
  auto writable = [&](const image::RegionView& r) {
    return reinterpret_cast<uint32_t*>(mem.writable + (r.data - mem.data));
  };

  if (stdp.size < sizeof(image::StdpRegionHeader)) return fail(ImageError::kRegionTooSmall, RegionId::kStdp);
  const auto* h = as<image::StdpRegionHeader>(stdp.data);
  const uint64_t history_words = stdp::PlasticSynapses::History::words(n_neurons_);
  if (sizeof(image::StdpRegionHeader) + 4 * history_words > stdp.size)
    return fail(ImageError::kRegionTooSmall, RegionId::kStdp);
  uint32_t* history = writable(stdp) + sizeof(image::StdpRegionHeader) / 4;
  for (uint32_t k = 0; k < history_words; ++k)
    if (history[k] != 0)
      return fail(ImageError::kBadStdp, RegionId::kStdp, static_cast<uint32_t>(sizeof(image::StdpRegionHeader) + 4 * k));
  const image::NeuromodulationRegionHeader* nm = nullptr;
  uint32_t* dopamine = nullptr;
  if (neuromodulation.present()) {
    if (neuromodulation.size < sizeof(image::NeuromodulationRegionHeader))
      return fail(ImageError::kRegionTooSmall, RegionId::kNeuromodulation);
    nm = as<image::NeuromodulationRegionHeader>(neuromodulation.data);
    const uint64_t dopamine_words = stdp::PlasticSynapses::Dopamine::words(n_neurons_);
    if (sizeof(image::NeuromodulationRegionHeader) + 4 * dopamine_words > neuromodulation.size)
      return fail(ImageError::kRegionTooSmall, RegionId::kNeuromodulation);
    if (nm->reward_type != n_receptors_ || nm->punishment_type != n_receptors_ + 1 ||
        nm->punishment_type >= n_synapse_types_)
      return fail(ImageError::kBadStdp, RegionId::kNeuromodulation, offsetof(image::NeuromodulationRegionHeader, reward_type));
    dopamine = writable(neuromodulation) + sizeof(image::NeuromodulationRegionHeader) / 4;
    for (uint32_t k = 0; k < dopamine_words; ++k)
      if (dopamine[k] != 0)
        return fail(ImageError::kBadStdp, RegionId::kNeuromodulation,
                    static_cast<uint32_t>(sizeof(image::NeuromodulationRegionHeader) + 4 * k));
  }
  // Each header's problem is named at its own region.
  if (!stdp::PlasticSynapses::stdp_header_ok(*h)) return fail(ImageError::kBadStdp, RegionId::kStdp, 0);
  if (nm != nullptr && !stdp::PlasticSynapses::neuromodulation_header_ok(*h, *nm))
    return fail(ImageError::kBadStdp, RegionId::kNeuromodulation, 0);
  if (!plastic_.configure(*h, layout_, history, n_neurons_, nm, dopamine))
    return fail(ImageError::kBadStdp, RegionId::kStdp, 0);
  const auto* words = as<uint32_t>(matrix.data);
  const ImageStatus s = load_table(
      table, matrix, RegionId::kPlasticTable, RegionId::kPlasticMatrix, plastic_table_,
      [&](uint32_t first, uint32_t end) {
        const uint32_t size = end - first;
        if (size == 0) return end;  // a source without synapses here
        if (size < stdp::kPlasticRowHeaderWords) return first;
        const uint32_t count = words[first + offsetof(stdp::PlasticRowHeader, count) / 4];
        if (count > 0xFFFF ||
            (nm != nullptr ? stdp::neuromodulated_row_words(count) : stdp::plastic_row_words(count)) != size)
          return first;
        for (uint32_t k = 0; k < 3; ++k)
          if (words[first + k] != 0) return first + k;  // not a fresh row
        // Weights within the rule's bounds: the rule keeps them there, and
        // its Cortex-M loop and C++ loop may treat one outside differently.
        const auto* weights = reinterpret_cast<const uint16_t*>(words + first + stdp::kPlasticRowHeaderWords);
        for (uint32_t k = 0; k < count; ++k)
          if (weights[k] < h->w_min || weights[k] > h->w_max) return first + stdp::kPlasticRowHeaderWords + k / 2;
        const auto* control =
            reinterpret_cast<const uint16_t*>(words + first + stdp::kPlasticRowHeaderWords + stdp::plastic_half_words(count));
        for (uint32_t k = 0; k < count; ++k) {
          const uint32_t c = control[k];
          if (layout_.index(c) >= n_neurons_ || layout_.type(c) >= n_synapse_types_ || layout_.delay(c) == 0 ||
              (c & ~layout_.delay_type_index_mask()) != 0)
            return first + stdp::kPlasticRowHeaderWords + stdp::plastic_half_words(count) + k / 2;
        }
        if (nm != nullptr) {
          // Fresh: c = 0, weight state = the weight, 11 fraction bits.
          const uint32_t extra = first + stdp::plastic_row_words(count);
          for (uint32_t k = 0; k < count; ++k) {
            if (words[extra + k] != 0) return extra + k;
            if (words[extra + count + k] != uint32_t{weights[k]} << stdp::kWeightStateFracBits) return extra + count + k;
          }
        }
        return end;
      },
      ImageError::kBadPlasticRow);
  if (!s.ok()) {
    plastic_.reset();
    return s;
  }
  plastic_words_ = writable(matrix);
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
  constexpr uint32_t kKnown = image::kRecordSpikes | image::kRecordV | image::kRecordGsynExc | image::kRecordGsynInh |
                              image::kRecordThreshold | image::kRecordSegmentSpikes;
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
    const uint32_t* offsets = i < hinted && row_hint_keys_[i] == key ? row_hints_[i] : population_table_.row_offsets(key);
    if (plastic_words_ != nullptr && add_plastic_row(key) && offsets == nullptr) continue;
    add_row(offsets);
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

// A key may have a static row, a plastic row or both (a source with static
// and plastic projections onto this core); either counts as a match.
void Core::process_packet(const Packet& packet) {
  const uint32_t* offsets = population_table_.row_offsets(packet.key);
  if (plastic_words_ != nullptr && add_plastic_row(packet.key) && offsets == nullptr) return;
  add_row(offsets);
}

bool Core::add_plastic_row(uint32_t key) {
  const uint32_t* offsets = plastic_table_.row_offsets(key);
  if (offsets == nullptr) return false;
  if (offsets[1] == offsets[0]) return true;  // no synapses from this source
  uint32_t* const row = plastic_words_ + offsets[0];
  const uint32_t count = reinterpret_cast<const stdp::PlasticRowHeader*>(row)->count;
  plastic_.process_row(ring_, tick_ - 1, row, count);
  prov_.synaptic_events += count;
  prov_.stdp_pairs_missed = plastic_.missed();
  return true;
}

void Core::flush_plastic() { flush_plastic_rows(false); }
void Core::flush_plastic_rows(bool commit) {
  if (state_ != CoreState::kReady || plastic_words_ == nullptr || tick_ == 0) return;
  // Post spikes up to the last tick run reached their synapses by tick_ - 1
  // + delay; those that did by tick_ - 1 are applied. A packet not yet
  // processed arrives at tick_ - 1 or later, as process_row requires.
  const uint32_t end = tick_ - 1;
  const image::PopulationTableEntry* entries = plastic_table_.entries();
  for (uint32_t i = 0; i < plastic_table_.size(); ++i) {
    const uint32_t* offsets = plastic_words_ + entries[i].row_offsets;
    for (uint32_t r = 0; r < entries[i].n_rows; ++r) {
      if (offsets[r] == offsets[r + 1]) continue;
      uint32_t* const row = plastic_words_ + offsets[r];
      plastic_.flush(end, row, reinterpret_cast<const stdp::PlasticRowHeader*>(row)->count, commit);
    }
  }
  prov_.stdp_pairs_missed = plastic_.missed();
}


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
      if (flags & image::kRecordThreshold) push(n, StateVariable::kThreshold);
      if (flags & image::kRecordSegmentSpikes) push(n, StateVariable::kSegmentSpikes);
    }
}

template <class Model>
void Core::update_neurons() {
  using Batch = NeuronBatch<Model>;
  constexpr uint32_t kStateFlags = image::kRecordV | image::kRecordGsynExc | image::kRecordGsynInh |
                                   image::kRecordThreshold | image::kRecordSegmentSpikes;
  if ((recording_.flags & kStateFlags) && tick_ % recording_.sample_interval_ticks == 0)
    sample_recorded([&](uint32_t n, StateVariable var) {
      switch (var) {
        case StateVariable::kV: return Batch::voltage(store_, n);
        case StateVariable::kGsynExc: return Batch::gsyn_exc(store_, n);
        case StateVariable::kGsynInh: return Batch::gsyn_inh(store_, n);
        case StateVariable::kSegmentSpikes:
          if constexpr (Model::DendritePart::kInputs > 0) return Batch::segment_spikes(store_, n);
          return Accum::zero();
        case StateVariable::kThreshold: break;
      }
      return Batch::threshold(store_, n);
    });
  TickInput in;
  in.n_inputs = n_model_inputs_;
  for (uint32_t t = 0; t < n_synapse_types_; ++t) {
    in.column[t] = ring_.column(tick_, t);
    in.weight_shift[t] = weight_shift_[t];
    if (t < TickInput::kScaledTypes) in.scale[t] = RingInputScale::from_weight_shift(weight_shift_[t]);
  }
  if (n_gained_ != 0)
    for (uint32_t n = 0; n < n_neurons_; ++n)
      if (mode_gain_[n] != kModeGainOne)
        for (uint32_t t = 0; t < n_receptors_; ++t) in.column[t][n] = apply_mode_gain(in.column[t][n], mode_gain_[n]);
  uint32_t saturated = 0;
  if (plastic_.neuromodulated()) take_dopamine(in, saturated);
  const uint32_t n_fired = Batch::update(store_, in, fired_, saturated);
  ring_.count_saturations(saturated);
  for (uint32_t k = 0; k < n_fired; ++k) emit_spike(fired_[k], 1);
  if (plastic_words_ != nullptr) {
    for (uint32_t k = 0; k < n_fired; ++k) plastic_.add_post_spike(fired_[k], tick_);
    prov_.post_history_overwrites = plastic_.overwrites();
    prov_.stdp_pairs_missed = plastic_.missed();
  }
}

// This tick's reward minus punishment input of each neuron (a receptor's
// input, in s8.23: 8 more fraction bits) changes its dopamine level.
void Core::take_dopamine(const TickInput& in, uint32_t& saturated) {
  const uint32_t rt = plastic_.reward_type(), pt = plastic_.punishment_type();
  uint32_t* const reward = in.column[rt];
  uint32_t* const punishment = in.column[pt];
  for (uint32_t n = 0; n < n_neurons_; ++n) {
    const uint32_t r = reward[n], p = punishment[n];
    if ((r | p) == 0) continue;
    reward[n] = punishment[n] = 0;
    saturated += (r == UINT32_MAX) + (p == UINT32_MAX);
    constexpr int kShift = stdp::kDopamineInputShift;
    const int32_t amount = stdp::add_sat32(scale_pow2(r, weight_shift_[rt] + kShift).raw,
                                           -scale_pow2(p, weight_shift_[pt] + kShift).raw);
    if (amount != 0 && !plastic_.add_dopamine(n, tick_, amount)) ++saturated;  // |d| reached 256
  }
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

bool Core::set_learning_scale(uint32_t scale) {
  if (state_ != CoreState::kReady || plastic_words_ == nullptr || scale > stdp::kLearningScaleMax) return false;
  if (scale == plastic_.learning_scale()) return true;  // no change: nothing to commit
  flush_plastic_rows(true);
  plastic_.set_learning_scale(scale);
  return true;
}

bool Core::set_mode(const ModeChange& change) {
  if (state_ != CoreState::kReady || kind_ != image::CoreKind::kNeurons) return false;
  if (change.count == 0 || change.first >= n_neurons_ || change.count > n_neurons_ - change.first) return false;
  if (!mode_values_valid(change.threshold_offset, change.gain)) return false;
  visit_model(model_, [&]<class Model>() {
    for (uint32_t n = change.first; n < change.first + change.count; ++n) {
      const int32_t delta = change.threshold_offset.raw - mode_offset_[n];  // both within +-2^25
      if (delta != 0) NeuronBatch<Model>::shift_threshold(store_, n, Accum{delta});
      mode_offset_[n] = change.threshold_offset.raw;
      n_gained_ -= mode_gain_[n] != kModeGainOne;
      mode_gain_[n] = static_cast<uint16_t>(change.gain);
      n_gained_ += mode_gain_[n] != kModeGainOne;
    }
  });
  return true;
}

Accum Core::voltage(uint32_t neuron) const {
  Accum v{};
  if (kind_ != image::CoreKind::kNeurons || neuron >= n_neurons_) return v;
  visit_model(model_, [&]<class Model>() { v = NeuronBatch<Model>::voltage(store_, neuron); });
  return v;
}

}  // namespace spindle::fw
