// The spike raster with the population rate histogram under it, laid out
// on a Canvas (docs/cli.md, `spindle plot`).
//
// Raster: one band per population, population 0 at the bottom, neuron 0 at
// the bottom of its band, a square per spike in the population's colour,
// the label at the left. Rates: per population and bin, spikes / (neurons x
// bin width) in Hz, drawn as a step line in the same colour; every neuron of
// the population counts, also when the raster shows only the first
// max_neurons. A spike at time t is in the window if from <= t < to.
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
};

struct RasterPlotOptions {
  std::string title;
  double from_ms = 0, to_ms = 1000;
  double bin_ms = 5;          // rate histogram bin
  uint32_t max_neurons = 0;   // per population in the raster; 0: all
  int width = 900, raster_height = 360, rate_height = 150;
};

// Where things are drawn, for callers that annotate or check the picture.
struct RasterLayout {
  double left = 0, right = 0;             // plot area, x
  double raster_top = 0, raster_bottom = 0;
  double rate_top = 0, rate_bottom = 0;
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
};

// Population colours, cycling: blue, red, green, orange, purple, brown, ...
Color population_color(size_t i);

// Throws std::invalid_argument for an empty window, a bin <= 0 or no populations.
RasterPlot raster_plot(const std::vector<PopulationSpikes>& populations, const RasterPlotOptions& options);

}  // namespace spindle::plot
