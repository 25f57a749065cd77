// One application core: loads its core image, then runs timesteps and
// processes incoming spikes. All memory is inside the object (fixed sizes
// from limits.h); the image itself stays where the platform loaded it.
//
// Order within a tick t (DESIGN.md, "Event model of a core"):
//   1. packets still queued are processed into the ring buffers
//   2. state variables are sampled (values at time t, before the update)
//   3. each neuron takes its ring-buffer input for slot t and steps;
//      a neuron that fires sends key_base | index and is recorded
//      (source cores instead draw / replay their spikes for tick t)
//   4. the tick counter advances
// A packet processed after tick t lands in slot t + delay (delay >= 1), so a
// spike sent in tick t reaches its targets at tick t + delay.
#pragma once

#include <cstdint>

#include "image/parser.h"
#include "neuron/batches.h"
#include "neuron/neuron_mode.h"
#include "platform/platform.h"
#include "runtime/bounded_buffer.h"
#include "runtime/provenance.h"
#include "runtime/recording.h"
#include "source/poisson.h"
#include "source/spike_array.h"
#include "synapse/plasticity/plastic_synapses.h"
#include "synapse/population_table.h"
#include "synapse/ring_buffer.h"
#include "synapse/row_rules.h"
#include "synapse/synaptic_word.h"
#include "util/rng.h"

namespace spindle::fw {

enum class CoreState : uint32_t { kUnloaded = 0, kReady = 1, kError = 2 };

class Core {
 public:
  // Parses and validates the image the platform holds. On failure the core
  // enters kError and runs nothing; the status says what and where.
  image::ImageStatus load(Platform& platform);

  // Timer event: one timestep.
  void tick();
  // Packet-received event: queues the packet (counted as dropped if full).
  bool on_packet(const Packet& packet);
  // Processes queued packets into the ring buffers.
  void process_packets();
#if !defined(__arm__)
  // Host only, a hint with no effect on results: start the cache misses
  // that processing `packets` will take (the first line of each one's row;
  // the engine runs it a core ahead), and keep the first kRowHints rows'
  // bounds for receive_packets.
  void prefetch_rows(const Packet* packets, uint32_t n);
  // Host engine: the packets routed to this core, in order, exactly as
  // on_packet for each (processing the queue whenever it is full) and then
  // process_packets would take them, with the same provenance, but read in
  // place: no copy through the input queue, and rows prefetch_rows looked
  // up are not looked up again.
  void receive_packets(const Packet* packets, uint32_t n);
  static constexpr uint32_t kRowHints = 64;
#endif

  CoreState state() const { return state_; }
  const image::ImageStatus& load_status() const { return status_; }
  uint32_t current_tick() const { return tick_; }
  uint32_t queued_packets() const { return input_queue_.size(); }
  uint32_t n_neurons() const { return n_neurons_; }
  image::CoreKind kind() const { return kind_; }
  const Provenance& provenance() const { return prov_; }

  const SpikeRecordBuffer& spikes() const { return spike_records_; }
  const StateRecordBuffer& states() const { return state_records_; }
  // The host drains the buffers after reading them.
  void clear_records() {
    spike_records_.clear();
    state_records_.clear();
  }

  // Read-only views for tests and state recording by the host.
  Accum voltage(uint32_t neuron) const;

  // Plastic synapses: applies every plastic row's pending potentiation (post
  // spikes that reached a synapse after its last pre spike, up to the last
  // tick run), so the rows' weights in the image are current. Call before
  // reading weights out; a run may go on afterwards with the same results.
  void flush_plastic();
  bool has_plastic() const { return plastic_.active(); }
  bool has_neuromodulation() const { return plastic_.neuromodulated(); }
  // The plastic synapses' learning-rate scale (u4.12, stdp::kLearningScaleOne
  // = 1) from the next tick on: pending potentiation is applied first
  // (flush_plastic) at the old scale, then A+ and A- become the image's
  // times the scale. False, changing nothing, without plastic synapses or
  // for a scale above stdp::kLearningScaleMax.
  bool set_learning_scale(uint32_t scale);
  uint32_t learning_scale() const { return plastic_.learning_scale(); }

  // Neuron modes (neuron/neuron_mode.h): neurons [first, first + count)
  // take the change's threshold offset and gain from the next tick on; the
  // offset replaces the one they had (the threshold moves by the
  // difference). False, changing nothing, on a core that is not a loaded
  // neuron core, a range outside its neurons or a value out of bounds.
  bool set_mode(const ModeChange& change);
  Accum mode_threshold_offset(uint32_t neuron) const { return Accum{neuron < n_neurons_ ? mode_offset_[neuron] : 0}; }
  uint32_t mode_gain(uint32_t neuron) const { return neuron < n_neurons_ ? mode_gain_[neuron] : kModeGainOne; }

 private:
  image::ImageStatus fail(image::ImageError e, image::RegionId r, uint32_t offset = 0);
  image::ImageStatus load_system(const image::ImageReader& reader);
  image::ImageStatus load_neurons(const image::ImageReader& reader);
  image::ImageStatus load_synapses(const image::ImageReader& reader);
  template <class CheckRow>
  image::ImageStatus load_table(const image::RegionView& table, const image::RegionView& matrix,
                                image::RegionId table_id, image::RegionId matrix_id, PopulationTable& out,
                                CheckRow&& check_row, image::ImageError row_error);
  image::ImageStatus load_sources(const image::ImageReader& reader);
  image::ImageStatus load_recording(const image::ImageReader& reader);
  image::ImageStatus load_plastic(const image::ImageReader& reader, const MemoryRegion& mem);

  // Samples the recorded state (when due), then steps the neurons through
  // the model's batch (neuron/neuron_batch.h): Core never names a model.
  template <class Model> void update_neurons();
  // This tick's samples of the recorded variables of the recorded neurons;
  // value(n, variable) reads one.
  template <class Value> void sample_recorded(Value&& value);
  void emit_spike(uint32_t neuron, uint32_t count);
  void process_packet(const Packet& packet);
  // A packet's row, given its bounds in the matrix (null: no entry holds
  // its key, counted as packets_no_match), handed to the row rule.
  void add_row(const uint32_t* offsets);
  // The plastic row of a packet's key, if it has one, to the STDP rule;
  // true if it had one.
  bool add_plastic_row(uint32_t key);
  // flush_plastic; commit also moves neuromodulated rows' canonical state
  // (a learning-rate change), which a read-out must not.
  void flush_plastic_rows(bool commit);
  // Reads and clears this tick's reward and punishment columns into the
  // neurons' dopamine levels (neuromodulated plastic synapses only); a
  // saturated cell or level counts in `saturated` (ring_saturations).
  void take_dopamine(const TickInput& in, uint32_t& saturated);
  // The synapse dynamics' row processing (synapse/row_rules.h): static
  // synapses are the only dynamics yet; a plastic rule replaces this.
  using RowRule = StaticRowRule;

  Platform* platform_ = nullptr;
  CoreState state_ = CoreState::kUnloaded;
  image::ImageStatus status_{};

  // Everything below is set by load(); the zero defaults let a board keep
  // its cores in zero-initialised memory (.bss) instead of flash-backed .data.
  image::CoreKind kind_{};
  ModelId model_ = ModelId::kNone;
  uint32_t n_neurons_ = 0;
  uint32_t timer_period_us_ = 0;
  uint32_t key_base_ = 0;
  bool emits_spikes_ = false;
  uint32_t n_synapse_types_ = 0;
  uint32_t n_receptors_ = 0;  // the model's; more synapse types carry dendrite input, then dopamine
  uint32_t n_model_inputs_ = 0;  // receptors and dendrite types: what the model reads
  int32_t weight_shift_[kMaxSynapseTypes] = {};
  uint32_t tick_ = 0;  // ticks executed so far

  SynapticWordLayout layout_{0, 0, 0};
  RingBuffer ring_;
  PopulationTable population_table_;  // holds the synaptic matrix too
  // Plastic synapses (image regions 7-9): their table (a read-only view of
  // the matrix), the matrix the core writes, and the rule with its history.
  PopulationTable plastic_table_;
  uint32_t* plastic_words_ = nullptr;
  stdp::PlasticSynapses plastic_;

  // The neurons as their model's batch keeps them; store_ points into these
  // buffers once loaded (set by load(), so a core stays all zeros until then).
  alignas(kBatchArrayAlign) uint32_t params_[kMaxNeuronsPerCore * kMaxNeuronParamWords] = {};
  alignas(8) uint32_t neuron_state_[kMaxNeuronsPerCore * kMaxNeuronStateWords] = {};
  NeuronStore store_{};
  uint16_t fired_[kMaxNeuronsPerCore] = {};
  // Each neuron's mode (set by load() to offset 0, gain 1), and how many
  // have a gain other than 1: none, and the ring input is not touched.
  int32_t mode_offset_[kMaxNeuronsPerCore] = {};
  uint16_t mode_gain_[kMaxNeuronsPerCore] = {};
  uint32_t n_gained_ = 0;

  Rng rng_;
  PoissonSources poisson_;
  SpikeArraySource spike_array_;

  image::RecordingRegion recording_{};
  SpikeRecordBuffer spike_records_;
  StateRecordBuffer state_records_;

  BoundedQueue<Packet, kInputQueueCapacity> input_queue_;
  Provenance prov_;
#if !defined(__arm__)
  // prefetch_rows' look-ups for the packets it saw: bounds (null: no row)
  // and the key each was for.
  const uint32_t* row_hints_[kRowHints] = {};
  uint32_t row_hint_keys_[kRowHints] = {};
  uint32_t n_row_hints_ = 0;
#endif
};

}  // namespace spindle::fw
