// The spike raster with the population rate histogram under it, laid out
// on a Canvas (docs/cli.md, `spindle plot`).
//
// Raster: one band per population, population 0 at the bottom, neuron 0 at
// the bottom of its band, a square per spike in the population's colour,
// the label at the left. Rates: per population and bin, spikes / (neurons x
// bin width) in Hz, drawn as a step line in the same colour; every neuron of
// the population counts, also when the raster shows only the first
// max_neurons. A spike at time t is in the window if from <= t < to.
// Legend: under the time axis, each population's colour, label and mean
// rate over the window. State panel (optional): a recorded state variable
// of some neurons against time, in the populations' colours.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plot/canvas.h"

namespace spindle::plot {

struct Spike {
  uint32_t neuron = 0;
  double time_ms = 0;
};

struct PopulationSpikes {
  std::string label;
  uint32_t size = 0;  // neurons
  std::vector<Spike> spikes;
  // Neurons whose spikes were recorded, the ones a rate is over; 0: all.
  uint32_t recorded_neurons = 0;
};

// One neuron's samples of a state variable: (time ms, value), in time order.
struct StateTrace {
  size_t population = 0;  // index into the plotted populations (its colour)
  uint32_t neuron = 0;
  std::vector<std::pair<double, double>> points;
};

struct StatePanel {
  std::string title;  // the axis title, e.g. "v (mV)"
  std::vector<StateTrace> traces;
};

struct RasterPlotOptions {
  std::string title;
  double from_ms = 0, to_ms = 1000;
  double bin_ms = 5;          // rate histogram bin
  uint32_t max_neurons = 0;   // per population in the raster; 0: all
  int width = 900, raster_height = 360, rate_height = 150, state_height = 150;
};

// Where things are drawn, for callers that annotate or check the picture.
struct RasterLayout {
  double left = 0, right = 0;             // plot area, x
  double raster_top = 0, raster_bottom = 0;
  double rate_top = 0, rate_bottom = 0;
  double state_top = 0, state_bottom = 0;  // equal: no state panel
  double state_min = 0, state_max = 0;     // the state axis
  double from_ms = 0, to_ms = 0;
  double row_height = 0;                  // per neuron shown
  std::vector<double> band_bottom;        // per population
  std::vector<uint32_t> shown;            // neurons shown per population
  double max_rate_hz = 0;                 // top of the rate axis

  double x(double t_ms) const { return left + (t_ms - from_ms) / (to_ms - from_ms) * (right - left); }
  // Centre of a neuron's row.
  double y(size_t population, uint32_t neuron) const { return band_bottom[population] - (neuron + 0.5) * row_height; }
  double rate_y(double hz) const { return rate_bottom - hz / max_rate_hz * (rate_bottom - rate_top); }
};

struct RasterPlot {
  Canvas canvas;
  RasterLayout layout;
  uint64_t spikes_drawn = 0;
  std::vector<std::vector<double>> rates_hz;  // per population, per bin
  std::vector<double> mean_rates_hz;          // per population, over the window (the legend)
  uint64_t state_points_drawn = 0;
};

// Population colours, cycling: blue, red, green, orange, purple, brown, ...
Color population_color(size_t i);

// Throws std::invalid_argument for an empty window, a bin <= 0, no
// populations, or a state trace of a population not plotted.
RasterPlot raster_plot(const std::vector<PopulationSpikes>& populations, const RasterPlotOptions& options,
                       const StatePanel* state = nullptr);

}  // namespace spindle::plot
