// Reads what `spindle run` wrote into a results directory: run.json (the
// network file, the populations, their sizes, the timestep and duration),
// spikes.csv and state.csv.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "plot/raster_plot.h"

namespace spindle::plot {

// A missing or malformed results file; the message names the file (and line).
class ResultsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunPopulation {
  PopulationSpikes spikes;       // label, size, recorded spikes
  bool spikes_recorded = false;
};

struct RunResults {
  std::string network;  // the network file's name (empty in results that do not say)
  double timestep_ms = 0;
  double duration_ms = 0;
  std::vector<RunPopulation> populations;  // in the network's order
};

// Throws ResultsError.
RunResults read_run_results(const std::filesystem::path& dir);

// The samples of one state variable ("v", "gsyn_exc", "gsyn_inh", "threshold") in
// state.csv, per population label: a trace per neuron, in neuron order,
// each in time order. Empty when the run recorded no state (no state.csv).
// Throws ResultsError for a malformed file.
struct NeuronTrace {
  uint32_t neuron = 0;
  std::vector<std::pair<double, double>> points;  // (time ms, value)
};
std::vector<std::pair<std::string, std::vector<NeuronTrace>>> read_state(const std::filesystem::path& dir,
                                                                           const std::string& variable);

}  // namespace spindle::plot
