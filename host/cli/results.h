// Writing a run's results in formats other tools read: spikes and state
// variables as CSV and NumPy .npy, provenance and the run report as JSON.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "mapping/core_images.h"
#include "spindle/v1/network.pb.h"

namespace spindle::cli {

struct PopulationSummary {
  std::string label;
  uint32_t size = 0;
  uint64_t spikes = 0;
  bool recorded = false;  // spikes recorded for this population
};

// Writes spikes.csv, <label>.spikes.npy (float64 rows [neuron, time_ms]),
// state.csv (if any state was recorded), provenance.json and run.json
// (timestep, ticks, duration, populations with sizes) into dir.
// Returns per-population spike counts. Throws std::runtime_error naming the
// file that cannot be written.
std::vector<PopulationSummary> write_results(const std::filesystem::path& dir, const spindle::v1::Network& net,
                                             const host::MappingResult& mapping, const host::MachineLoad& load,
                                             const emu::Engine& engine, const emu::RunReport& report);

// A minimal .npy (format 1.0) writer: little-endian float64, C order.
void write_npy(const std::filesystem::path& file, const std::vector<double>& values, size_t rows, size_t cols);

}  // namespace spindle::cli
