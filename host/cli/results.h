// Writing a run's results in formats other tools read: spikes and state
// variables as CSV and NumPy .npy, provenance and the run report as JSON.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "job/plastic_weights.h"
#include "mapping/core_images.h"
#include "spindle/v1/network.pb.h"

namespace spindle::cli {

// Plastic weights recorded during a run: the weights at each time.
struct WeightHistory {
  std::vector<double> time_ms;
  std::vector<std::vector<host::ProjectionWeights>> weights;  // per time, as read_plastic_weights gives them
};

struct PopulationSummary {
  std::string label;
  uint32_t size = 0;
  uint64_t spikes = 0;
  bool recorded = false;  // spikes recorded for this population
  uint32_t recorded_neurons = 0;  // of them; the rate is over these
};

// Writes spikes.csv, <label>.spikes.npy (neuron, time_ms records),
// state.csv (if any state was recorded), provenance.json, run.json
// (timestep, ticks, duration, populations with sizes) and mapping.json into
// dir, keeping of each core's records what the network's recordings ask for
// (network/recording_selection.h), and removes the files an earlier run
// left there that this one does not write (cli/results_manifest.h).
// Returns per-population spike counts. Throws std::runtime_error naming the
// file that cannot be written.
// A run that stopped before its last tick (Ctrl-C, SIGTERM, a cancelled
// daemon run): run.json and provenance.json get "partial": true, the ticks
// asked for and why it stopped. Empty `stopped_by`: the run is complete.
struct RunEnd {
  uint64_t ticks_requested = 0;
  std::string stopped_by;
};

std::vector<PopulationSummary> write_results(const std::filesystem::path& dir, const spindle::v1::Network& net,
                                             const host::MappingResult& mapping, const host::MachineLoad& load,
                                             const emu::Engine& engine, const emu::RunReport& report,
                                             const nlohmann::json& mapping_report, const RunEnd& end = {},
                                             const std::string& network_file = {},
                                             const std::vector<host::ProjectionWeights>& weights = {},
                                             const WeightHistory& history = {});

// What one core recorded, in the order it recorded it: spikes by tick then
// neuron; state samples by tick, neuron, then variable (fw::StateVariable).
// Neuron numbers are population-wide.
struct SpikeSample {
  uint64_t tick;
  uint32_t neuron;
};
struct StateSample {
  uint64_t tick;
  uint32_t neuron;
  uint16_t variable;  // fw::StateVariable
  double value;       // mV, nA or uS
};
struct CoreRecording {
  uint32_t population = 0;  // index in Network.populations
  std::vector<SpikeSample> spikes;
  std::vector<StateSample> states;
};

// The writer both `spindle run` and `spindle --connect ... run` use:
// spikes.csv, <label>.spikes.npy, state.csv, run.json, provenance.json
// (`provenance`, written as given) and mapping.json (`mapping_report`).
// fill(i, out) gives core i's records (i < n_cores, in slice order), one
// core at a time to bound memory. run.json names `network_file` (its file
// name; `spindle plot` titles the plot with it) unless it is empty.
// `weights`: each plastic projection's final weights, written as
// <projection>.weights.npy (structured: pre u4, post u4, weight f8) and
// <projection>.weights.csv (pre,post,weight), in PyNN's list order; the
// stem is the projection's label, or "projection<i>" without one.
// `history`: the weights recorded during the run, as
// <projection>.weights_history.npy (time_ms f8, pre u4, post u4, weight f8)
// and .csv (time_ms,pre,post,weight), by time, then in `weights`' order.
std::vector<PopulationSummary> write_recordings(const std::filesystem::path& dir, const spindle::v1::Network& net,
                                                size_t n_cores,
                                                const std::function<void(size_t, CoreRecording&)>& fill,
                                                uint64_t ticks, const nlohmann::json& provenance,
                                                const nlohmann::json& mapping_report, const RunEnd& end = {},
                                                const std::string& network_file = {},
                                                const std::vector<host::ProjectionWeights>& weights = {},
                                                const WeightHistory& history = {});

// The file-name stems of a network's projections (labels, or
// "projection<i>"), unique.
std::vector<std::string> projection_file_stems(const spindle::v1::Network& net);

// Adds the RunEnd fields to a run.json or provenance.json object (nothing
// for a complete run).
void mark_run_end(nlohmann::json& j, const RunEnd& end);

// The summary `spindle run` prints on stdout (in-process and --connect).
struct RunSummary {
  std::string network;
  double duration_ms = 0;
  uint64_t ticks = 0;
  double timestep_ms = 0;
  std::string machine;
  size_t cores = 0;
  uint64_t synapses = 0;
  double wall_seconds = 0;
  std::string backend_line;  // e.g. "backend qemu: ..." or empty
  uint64_t router_drops = 0;
  uint64_t core_drops = 0;
  std::string out;
};
void print_run_summary(const RunSummary& r, const std::vector<PopulationSummary>& populations);

// Empty when results can be written into `dir` (created if missing; a probe
// file is written and removed); otherwise why not.
std::string output_dir_problem(const std::filesystem::path& dir);

// A population's spikes as a NumPy structured array (.npy format 1.0):
// fields `neuron` (uint32) and `time_ms` (float64, the value of the time
// spikes.csv writes), so `numpy.load(f)["neuron"]` are integers.
struct NpySpike {
  uint32_t neuron;
  double time_ms;
};
void write_spikes_npy(const std::filesystem::path& file, const std::vector<NpySpike>& spikes);

}  // namespace spindle::cli
