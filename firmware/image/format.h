// Core image format: one binary blob per core, written by the host
// (host/image/) and parsed by the core (image/parser.h). Little-endian 32-bit
// words throughout. docs/core-image.md is the specification; this header is
// its single definition in code.
//
//   ImageHeader                      32 bytes
//   RegionEntry[region_count]        16 bytes each
//   region payloads                  each 4-byte aligned, inside total_size
#pragma once

#include <cstdint>

#include "config/limits.h"

namespace spindle::fw::image {

inline constexpr uint32_t kMagic = 0x4C444E53;  // "SNDL" little-endian
inline constexpr uint16_t kVersionMajor = 6;     // incompatible layout changes (2: NeuronRegionHeader.model_id, 3: row-offset synaptic matrix, 4: Poisson mean intervals, 5: recording mask for 1024 neurons, 6: 12 synapse types in SystemRegion)
inline constexpr uint16_t kVersionMinor = 0;     // compatible additions (since 6.0: none)
inline constexpr uint32_t kMaxRegions = 16;

struct ImageHeader {
  uint32_t magic;
  uint16_t version_major;
  uint16_t version_minor;
  uint32_t total_size;    // bytes, header included
  uint32_t region_count;
  uint32_t header_crc;    // CRC-32 of header + region table, this field taken as 0
  uint32_t reserved[3];
};
static_assert(sizeof(ImageHeader) == 32);

enum class RegionId : uint32_t {
  kSystem = 1,           // SystemRegion: what the core is and how it is wired
  kNeurons = 2,          // NeuronRegionHeader + params[n] + state[n]
  kSynapticMatrix = 3,   // per table entry: row offsets, then its rows of synaptic words
  kPopulationTable = 4,  // PopulationTableHeader + PopulationTableEntry[n]
  kSources = 5,          // Poisson or spike-array source data
  kRecording = 6,        // RecordingRegion
  kPlasticMatrix = 7,    // per plastic table entry: row offsets, then its plastic rows (the core writes them)
  kPlasticTable = 8,     // PopulationTableHeader + PopulationTableEntry[n]: the keys whose rows are plastic
  kStdp = 9,             // StdpRegionHeader, then the post-spike history (the core writes it)
  kNeuromodulation = 10, // NeuromodulationRegionHeader, then the dopamine history (the core writes it)
};

struct RegionEntry {
  uint32_t id;      // RegionId
  uint32_t offset;  // from image start, multiple of 4
  uint32_t size;    // bytes, multiple of 4
  uint32_t crc;     // CRC-32 of the payload
};
static_assert(sizeof(RegionEntry) == 16);

enum class CoreKind : uint32_t {
  kNeurons = 1,        // a slice of a neuron population
  kPoissonSource = 2,  // a slice of a SpikeSourcePoisson
  kArraySource = 3,    // a slice of a SpikeSourceArray
};

struct SystemRegion {
  uint32_t core_kind;        // CoreKind
  uint32_t model_id;         // ModelId, for kNeurons
  uint32_t n_neurons;        // atoms in this slice, <= the core's kMaxNeuronsPerCore
  uint32_t timer_period_us;  // the timer period: timestep x time_scale_factor (a tick longer counts as an overrun)
  uint32_t key_base;         // spike key = key_base | neuron index
  uint32_t key_mask;         // covers all but the neuron-index bits
  uint32_t emits_spikes;     // 0: neurons run but send nothing (no outgoing projection)
  uint32_t seed[4];          // this core's random stream
  uint32_t n_synapse_types;  // receptors, <= kMaxSynapseTypes
  uint32_t ring_slots;       // power of two, > max delay
  uint32_t index_bits;       // synaptic word: neuron index field
  uint32_t type_bits;        // synaptic word: synapse type field
  uint32_t delay_bits;       // synaptic word: delay field (ticks)
  int32_t weight_shift[kMaxSynapseTypes];  // s16.15 input = ring sum x 2^shift
};

struct NeuronRegionHeader {
  uint32_t model_id;     // ModelId the params/state were written for; must equal SystemRegion::model_id
  uint32_t n_neurons;
  uint32_t param_bytes;  // per neuron; must equal the model's
  uint32_t state_bytes;  // per neuron; must equal the model's
};

// Synaptic word, fields from the low end: index | type | delay | weight.
// index/type/delay widths come from SystemRegion; weight is the top 16 bits,
// an unsigned magnitude (inhibitory receptors subtract).
struct PopulationTableHeader {
  uint32_t n_entries;
};

// Incoming spike key -> block of rows in the synaptic matrix, one row per
// source neuron. Entries are sorted by key and their key ranges are disjoint.
struct PopulationTableEntry {
  uint32_t key;
  uint32_t mask;
  uint32_t row_offsets;  // word offset, in the synaptic matrix region, of this entry's n_rows + 1 row offsets
  uint32_t n_rows;       // source neurons covered; index = key & ~mask
};

// Synaptic matrix: for each table entry, its row offsets o[0..n_rows] (word
// offsets in the region), then its rows: row r is the synaptic words
// [o[r], o[r + 1]), so a row holds only its own synapses (no padding, no
// count word). o[0] >= row_offsets + n_rows + 1, o is non-decreasing and
// o[n_rows] <= the region's word count.

// Plastic synaptic matrix (region 7): laid out as the static one (row
// offsets per entry of region 8, then the rows), but each row is a plastic
// row (firmware/synapse/plasticity/plastic_row.h): a 4-word header (last
// pre-spike tick, window start, pre trace, all 0 in a fresh image, and the
// synapse count), the 16-bit weights, then the 16-bit control words (delay |
// type | index, the low half of a static word), each padded to a word. The
// core writes the header and weights while it runs; the host reads the
// weights back from there.

// Pair STDP of every plastic row of the core (region 9). Amplitudes and
// bounds are in the rows' 16-bit weight units; the tables are u4.11 values
// of exp(-(i << time_shift) / tau), tau in ticks (zero past the table).
inline constexpr uint32_t kStdpTableEntries = 256;
enum class PairSchemeId : uint32_t { kAllToAll = 0, kNearestPair = 1 };
enum class WeightDependenceId : uint32_t { kAdditive = 1, kMultiplicative = 2 };
struct StdpRegionHeader {
  uint32_t pair_scheme;        // PairSchemeId
  uint32_t weight_dependence;  // WeightDependenceId
  uint32_t w_min, w_max;       // 0 <= w_min <= w_max <= 65535
  uint32_t a_plus, a_minus;    // <= 65535
  uint32_t plus_time_shift, minus_time_shift;  // < 32
  uint32_t history_size;       // post spikes kept per neuron: the core's kPostHistorySize
  uint16_t plus[kStdpTableEntries];   // potentiation window (tau_plus)
  uint16_t minus[kStdpTableEntries];  // depression window (tau_minus)
};
static_assert(sizeof(StdpRegionHeader) == 36 + 4 * kStdpTableEntries);
// After the header: the post-spike history, all zeros in a fresh image,
// PostHistoryView::words(n_neurons) words
// (firmware/synapse/plasticity/post_history.h).

// Dopamine-modulated STDP (region 10, optional; with it every plastic row
// of the core is neuromodulated: Izhikevich 2007, firmware/synapse/plasticity/
// neuromodulated_row_rule.h). Pair STDP (region 9) updates each synapse's
// eligibility trace c instead of its weight; the weight follows dw/dt = c d /
// 1 ms, d the post neuron's dopamine level, which spikes on the reward and
// punishment synapse types raise and lower. Region 9's weight dependence
// must be additive (its w_min, w_max clamp the weight; A+, A- step c).
// Decay tables hold, for b = 0..31, round(2^31 exp(-2^b / tau)), tau in
// ticks: a decay over dt ticks is the product of the entries of dt's set bits.
inline constexpr uint32_t kDecayTableEntries = 32;
struct NeuromodulationRegionHeader {
  uint32_t reward_type;      // synapse type of reward synapses: the neuron model's receptor count
  uint32_t punishment_type;  // reward_type + 1 (< kMaxSynapseTypes)
  uint32_t c_max;            // |c| <= c_max weight units, <= 65535
  uint32_t integral_scale;   // tau_c tau_d / (tau_c + tau_d) / 1 ms, u16.16, > 0
  uint32_t history_size;     // dopamine events kept per neuron: the core's kDopamineHistorySize
  uint32_t c_decay[kDecayTableEntries];  // tau_c, each <= 2^31
  uint32_t d_decay[kDecayTableEntries];  // tau_d, each <= 2^31
};
static_assert(sizeof(NeuromodulationRegionHeader) == 20 + 8 * kDecayTableEntries);
// After the header: the dopamine history, all zeros in a fresh image,
// DopamineHistoryView::words(n_neurons) words
// (firmware/synapse/plasticity/dopamine_history.h). A neuromodulated
// plastic row is a plastic row followed by two words per synapse: its
// eligibility trace (s20.11 weight units, 0 in a fresh image) and its
// weight with 11 fraction bits (the 16-bit weight << 11 in a fresh image)
// (firmware/synapse/plasticity/plastic_row.h, NeuromodulatedRow).

// Mean interval between events, 1 / (rate dt) ticks = mean_interval x
// 2^-(interval_shift + 5); the core draws exponential intervals from it
// (source/poisson.h). mean_interval 0: never fires (rate 0).
struct PoissonSource {
  uint32_t mean_interval;   // mantissa, normally in [2^31, 2^32)
  uint32_t interval_shift;  // 0..63
  uint32_t start_tick;      // first tick it may fire
  uint32_t end_tick;        // first tick it no longer fires
};

struct SourcesHeader {
  uint32_t n_items;  // PoissonSource entries, or SpikeTime entries
};

// One spike of a SpikeSourceArray slice; sorted by tick, then neuron.
struct SpikeTime {
  uint32_t tick;
  uint32_t neuron;
};

enum RecordFlags : uint32_t {
  kRecordSpikes = 1u << 0,
  kRecordV = 1u << 1,
  kRecordGsynExc = 1u << 2,
  kRecordGsynInh = 1u << 3,
  kRecordThreshold = 1u << 4,
  kRecordSegmentSpikes = 1u << 5,  // active dendrite segments' NMDA spikes
};

// Neurons the image format can describe in one slice: the largest core of
// any build (a build's own kMaxNeuronsPerCore may be smaller; its parser
// rejects larger slices), so host and ARM layouts are the same.
inline constexpr uint32_t kImageMaxNeurons = 1024;
static_assert(kMaxNeuronsPerCore <= kImageMaxNeurons && kNativeMaxNeuronsPerCore <= kImageMaxNeurons);

struct RecordingRegion {
  uint32_t flags;                 // RecordFlags
  uint32_t sample_interval_ticks; // state variables every this many ticks (>= 1)
  uint32_t neuron_mask[kImageMaxNeurons / 32];  // which neurons' states are recorded
};

}  // namespace spindle::fw::image
