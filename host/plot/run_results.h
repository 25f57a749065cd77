// Reads what `spindle run` wrote into a results directory: run.json (the
// populations, their sizes, the timestep and duration) and spikes.csv.
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
  double timestep_ms = 0;
  double duration_ms = 0;
  std::vector<RunPopulation> populations;  // in the network's order
};

// Throws ResultsError.
RunResults read_run_results(const std::filesystem::path& dir);

}  // namespace spindle::plot
