// One submitted network: mapped, loaded into its own engine, and what has
// happened to it since (state, ticks run, recordings, pending injections).
//
// Locking: `m` guards the state fields; `engine_m` guards the engine (held by
// the runner for each chunk and by readers of recordings); `inject_m`
// guards the injections waiting for the runner, so that injecting never
// waits for a chunk.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/support/status.h>

#include "daemon/event_stream.h"
#include "daemon/injected_spikes.h"
#include "daemon/qemu_processes.h"
#include "engine/engine.h"
#include "job/neuron_modes.h"
#include "mapping/core_images.h"
#include "network/recording_selection.h"
#include "network/validate.h"
#include "spindle/v1/network.pb.h"
#include "spindle/v1/service.pb.h"

namespace spindle::daemon {

// Where a slice of a population runs and how its spikes are keyed.
struct SliceSite {
  uint32_t population = 0;
  uint32_t lo_atom = 0;
  uint32_t n_atoms = 0;
  uint32_t key_base = 0;  // spike key of the slice's neuron i = key_base | i
  uint32_t slice = 0;     // index in the mapping's slices (provenance.json's core order)
  emu::CoreLocation where;
  const emu::CoreSlot* slot = nullptr;
};

struct PendingInjection {
  std::optional<uint64_t> tick;  // nullopt: the next tick
  emu::CoreLocation from;
  fw::Packet packet;
  uint32_t population = 0;
  uint32_t neuron = 0;  // in the population
};

class Job {
 public:
  Job() = default;
  // A qemu job's engine (and with it its QEMU processes) is stopped on its
  // process owner thread, then the thread ends and the processes are given
  // back to the budget.
  ~Job();
  // Jobs alive in this process (in the table or still held by a call).
  static int64_t alive();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  // First member, so it is destroyed last: alive() drops only once the
  // job's memory is freed.
  struct AliveCount {
    AliveCount();
    ~AliveCount();
    AliveCount(const AliveCount&) = delete;
    AliveCount& operator=(const AliveCount&) = delete;
  } alive_count;

  // --- fixed once submitted ------------------------------------------------
  std::string id;
  std::string owner;
  std::string name;
  std::string backend = "native";
  std::string machine;
  bool real_time = false;
  bool keep_when_disconnected = false;
  int64_t created_unix_ms = 0;
  v1::Network network;
  double timestep_ms = 0;
  uint64_t neurons = 0;
  uint64_t synapses = 0;
  std::vector<v1::PopulationInfo> populations;
  std::vector<bool> records_spikes;  // by population
  // What the recordings ask for, neuron by neuron: cores record the union,
  // the job streams and serves what was asked (network/recording_selection.h).
  std::optional<host::network::RecordingSelection> selection;
  std::string mapping_report_json;
  std::vector<host::network::ValidationError> weight_warnings;  // mapping/weight_quantization.h
  std::vector<SliceSite> sites;      // in engine core order
  // The cores with plastic synapses (images dropped): what GetWeights reads
  // back (job/plastic_weights.h).
  host::MachineLoad plastic_cores;
  std::vector<std::vector<uint32_t>> sites_of_population;  // ascending lo_atom
  // backend "qemu": the board, how many cores run under QEMU, the thread
  // that started their processes (they die when it ends, so it lives as long
  // as the job), and the budget they were taken from.
  std::string board;
  uint32_t qemu_cores = 0;
  std::unique_ptr<ProcessOwner> process_owner;
  ProcessBudget* qemu_budget = nullptr;

  // --- engine (engine_m) -----------------------------------------------------
  std::mutex engine_m;
  std::unique_ptr<emu::Engine> engine;
  emu::RunReport last_report;
  std::vector<size_t> spike_cursor;  // by site: spikes already streamed
  uint64_t injected_spikes = 0;
  uint64_t injected_late = 0;
  InjectedSpikes injected_record;  // of populations recording SPIKES

  // --- state (m) ------------------------------------------------------------
  mutable std::mutex m;
  std::condition_variable state_changed;
  v1::JobState state = v1::JOB_READY;
  std::string message;
  std::shared_ptr<RunBroadcast> broadcast;  // while running
  std::atomic<bool> cancel_requested{false};
  std::atomic<uint64_t> tick{0};  // ticks run, updated after every chunk
  std::atomic<uint64_t> recorded_spikes{0};  // likewise
  // Reclaiming (steady-clock ms): when a call last used the job, and when a
  // Run's client went away (0: it has not, or a call used the job since).
  std::atomic<int64_t> last_used_ms{0};
  std::atomic<int64_t> orphaned_ms{0};

  // --- injections (inject_m) --------------------------------------------------
  std::mutex inject_m;
  std::vector<PendingInjection> pending;
  // Injected spikes the engine holds for a later tick (engine_m, set by the
  // runner; read by Inject for the per-job bound without waiting for a chunk).
  std::atomic<uint64_t> scheduled_injections{0};

  v1::JobInfo info() const;

  // Population index by label, or -1.
  int population_index(const std::string& label) const;
  // Queues spikes of `neurons` of population `population` for `tick`.
  // INVALID_ARGUMENT for a neuron out of range; RESOURCE_EXHAUSTED (nothing
  // queued) when the job would then hold more than `max_pending` spikes
  // waiting to enter the fabric. `late` counts those asked for a tick
  // already run.
  grpc::Status inject(uint32_t population, const google::protobuf::RepeatedField<uint32_t>& neuron_ids,
                      std::optional<uint64_t> at_tick, uint64_t max_pending, uint64_t& late);
  // SetMode on population `population` (SpindleService checked the caller
  // and the job's state): the neuron ids (< size), the offset and gain, then
  // the per-core changes into the engine (taking engine_m, so between the
  // runner's chunks) for `at_tick` or, if that has run or is unset, the
  // next tick. INVALID_ARGUMENT names the field.
  grpc::Status set_mode(uint32_t population, const google::protobuf::RepeatedField<uint32_t>& neuron_ids,
                        double threshold_offset, std::optional<double> gain, std::optional<uint64_t> at_tick,
                        v1::SetModeResponse& out);
  // The population's slices (ascending lo_atom) and their cores.
  std::vector<host::PopulationSlice> population_slices(uint32_t population) const;
  // SetLearningRate on post population `population`, as set_mode.
  grpc::Status set_learning_rate(uint32_t population, double scale, std::optional<uint64_t> at_tick,
                                 v1::SetLearningRateResponse& out);
  // Runner: hands pending injections to the engine (engine_m held).
  void schedule_pending();
  // Runner: spikes recorded since the last call, by population, into `out`
  // (reused between chunks so its buffers keep their capacity; engine_m held).
  void take_new_spikes(std::vector<PopulationSpikes>& out);
  // Every spike recorded so far by population (engine_m held).
  std::vector<PopulationSpikes> all_spikes() const;
  // The run's totals as the service reports them, with every core's
  // counters (engine_m held).
  v1::ProvenanceSummary provenance() const;
};

}  // namespace spindle::daemon
