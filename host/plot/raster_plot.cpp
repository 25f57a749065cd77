#include "plot/raster_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace spindle::plot {
namespace {

constexpr Color kAxis{60, 60, 60};
constexpr Color kGrid{225, 225, 225};
constexpr double kCharWidth = 6;  // the 5x7 font's advance (font5x7.h); SVG text is sized to match

// Tick positions at 1, 2 or 5 x 10^k, about `target` of them in [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target) {
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

std::string label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// The population colour mixed with white: band backgrounds.
Color tint(Color c, double keep) {
  auto mix = [keep](uint8_t v) { return uint8_t(std::lround(255 - (255 - v) * keep)); };
  return {mix(c.r), mix(c.g), mix(c.b)};
}

}  // namespace

Color population_color(size_t i) {
  static constexpr Color palette[] = {{31, 119, 180},  {214, 39, 40},  {44, 160, 44},  {255, 127, 14},
                                      {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                      {188, 189, 34},  {23, 190, 207}};
  return palette[i % std::size(palette)];
}

RasterPlot raster_plot(const std::vector<PopulationSpikes>& pops, const RasterPlotOptions& o, const StatePanel* state) {
  if (pops.empty()) throw std::invalid_argument("raster_plot: no populations to plot");
  if (state)
    for (const StateTrace& t : state->traces)
      if (t.population >= pops.size()) throw std::invalid_argument("raster_plot: a state trace of no plotted population");
  if (!(o.to_ms > o.from_ms)) throw std::invalid_argument("raster_plot: the window is empty (to <= from)");
  if (!(o.bin_ms > 0)) throw std::invalid_argument("raster_plot: the bin must be > 0 ms");

  RasterPlot plot{Canvas(o.width, 0), {}, 0, {}, {}, 0};
  RasterLayout& L = plot.layout;
  L.from_ms = o.from_ms;
  L.to_ms = o.to_ms;

  // Left margin: the y-axis title, then the longest band label.
  std::vector<std::string> band_labels;
  size_t longest = 8;
  uint64_t total_shown = 0;
  for (const PopulationSpikes& p : pops) {
    const uint32_t shown = o.max_neurons ? std::min(o.max_neurons, p.size) : p.size;
    L.shown.push_back(shown);
    total_shown += shown;
    band_labels.push_back(p.label);
    longest = std::max(longest, p.label.size());
  }
  if (total_shown == 0) throw std::invalid_argument("raster_plot: the populations have no neurons");
  L.left = 20 + kCharWidth * double(longest + 1) + 8;
  L.right = o.width - 20.0;
  L.raster_top = o.title.empty() ? 12 : 28;
  L.raster_bottom = L.raster_top + o.raster_height;
  L.rate_top = L.raster_bottom + 16;
  L.rate_bottom = L.rate_top + o.rate_height;
  L.state_top = L.state_bottom = L.rate_bottom;
  if (state) {
    L.state_top = L.rate_bottom + 24;
    L.state_bottom = L.state_top + o.state_height;
  }
  L.row_height = o.raster_height / double(total_shown);
  // Under the last panel: time tick labels, "time (ms)", the legend.
  const double axis_bottom = state ? L.state_bottom : L.rate_bottom;
  const double legend_y = axis_bottom + 50;
  Canvas& c = plot.canvas = Canvas(o.width, int(legend_y + 14));

  // Rates per bin; the last bin may be shorter than bin_ms.
  const auto n_bins = std::max<size_t>(1, size_t(std::ceil((o.to_ms - o.from_ms) / o.bin_ms - 1e-9)));
  auto bin_start = [&](size_t b) { return std::min(o.from_ms + double(b) * o.bin_ms, o.to_ms); };
  L.max_rate_hz = 0;
  for (const PopulationSpikes& p : pops) {
    const uint32_t n = p.recorded_neurons != 0 ? p.recorded_neurons : p.size;
    std::vector<double> counts(n_bins, 0.0);
    for (const Spike& s : p.spikes)
      if (s.time_ms >= o.from_ms && s.time_ms < o.to_ms)
        counts[std::min(n_bins - 1, size_t((s.time_ms - o.from_ms) / o.bin_ms))] += 1;
    for (size_t b = 0; b < n_bins; ++b) {
      const double width_s = (bin_start(b + 1) - bin_start(b)) / 1000.0;
      counts[b] = n ? counts[b] / (n * width_s) : 0.0;
      L.max_rate_hz = std::max(L.max_rate_hz, counts[b]);
    }
    plot.rates_hz.push_back(std::move(counts));
    uint64_t in_window = 0;
    for (const Spike& s : p.spikes) in_window += s.time_ms >= o.from_ms && s.time_ms < o.to_ms;
    plot.mean_rates_hz.push_back(n ? double(in_window) / (n * (o.to_ms - o.from_ms) / 1000.0) : 0.0);
  }
  // The rate axis ends at the first tick at or above the highest rate.
  std::vector<double> rate_ticks = nice_ticks(0, L.max_rate_hz > 0 ? L.max_rate_hz : 1, 4);
  if (rate_ticks.back() < L.max_rate_hz) rate_ticks.push_back(2 * rate_ticks.back() - rate_ticks[rate_ticks.size() - 2]);
  L.max_rate_hz = rate_ticks.back();

  if (!o.title.empty()) c.text((L.left + L.right) / 2, 16, o.title, kBlack, Anchor::kMiddle);

  // Raster bands, bottom up.
  double bottom = L.raster_bottom;
  for (size_t i = 0; i < pops.size(); ++i) {
    const double h = L.shown[i] * L.row_height;
    L.band_bottom.push_back(bottom);
    c.rect(L.left, bottom - h, L.right - L.left, h, tint(population_color(i), i % 2 ? 0.10 : 0.06));
    c.text(L.left - 6, bottom - h / 2 + 3, band_labels[i], population_color(i), Anchor::kEnd);
    if (L.shown[i] < pops[i].size)
      c.text(L.left - 6, bottom - h / 2 + 14, std::to_string(L.shown[i]) + "/" + std::to_string(pops[i].size),
             kAxis, Anchor::kEnd);
    bottom -= h;
  }
  // Vertical grid at the time ticks, in every panel; tick labels under the last.
  const std::vector<double> time_ticks = nice_ticks(o.from_ms, o.to_ms, 8);
  for (double t : time_ticks) {
    c.line(L.x(t), L.raster_top, L.x(t), L.raster_bottom, kGrid);
    c.line(L.x(t), L.rate_top, L.x(t), L.rate_bottom, kGrid);
    if (state) c.line(L.x(t), L.state_top, L.x(t), L.state_bottom, kGrid);
    c.line(L.x(t), axis_bottom, L.x(t), axis_bottom + 4, kAxis);
    c.text(L.x(t), axis_bottom + 14, label(t), kAxis, Anchor::kMiddle);
  }
  for (double r : rate_ticks) {
    c.line(L.left, L.rate_y(r), L.right, L.rate_y(r), kGrid);
    c.line(L.left - 4, L.rate_y(r), L.left, L.rate_y(r), kAxis);
    c.text(L.left - 6, L.rate_y(r) + 3, label(r), kAxis, Anchor::kEnd);
  }
  c.text(12, (L.rate_top + L.rate_bottom) / 2, "rate (Hz)", kAxis, Anchor::kMiddle, true);
  c.text(12, (L.raster_top + L.raster_bottom) / 2, "neuron", kAxis, Anchor::kMiddle, true);
  c.text((L.left + L.right) / 2, axis_bottom + 30, "time (ms)", kAxis, Anchor::kMiddle);

  // Legend: a swatch, the label and the mean rate over the window.
  {
    double x = L.left;
    for (size_t i = 0; i < pops.size(); ++i) {
      char rate[48];
      std::snprintf(rate, sizeof rate, " %.2f Hz", plot.mean_rates_hz[i]);
      const std::string entry = pops[i].label + rate;
      c.rect(x, legend_y - 8, 10, 10, population_color(i));
      c.text(x + 14, legend_y, entry, kBlack, Anchor::kStart);
      x += 14 + kCharWidth * double(entry.size()) + 18;
    }
  }

  // Spikes: squares about a row high, between 1.5 and 3 px.
  const double size = std::clamp(L.row_height, 1.5, 3.0);
  for (size_t i = 0; i < pops.size(); ++i)
    for (const Spike& s : pops[i].spikes) {
      if (s.neuron >= L.shown[i] || s.time_ms < o.from_ms || s.time_ms >= o.to_ms) continue;
      c.dot(L.x(s.time_ms), L.y(i, s.neuron), size, population_color(i));
      ++plot.spikes_drawn;
    }

  // Rate step lines.
  for (size_t i = 0; i < pops.size(); ++i) {
    const std::vector<double>& r = plot.rates_hz[i];
    for (size_t b = 0; b < n_bins; ++b) {
      const double x0 = L.x(bin_start(b)), x1 = L.x(bin_start(b + 1)), y = L.rate_y(r[b]);
      c.line(x0, y, x1, y, population_color(i));
      if (b + 1 < n_bins) c.line(x1, y, x1, L.rate_y(r[b + 1]), population_color(i));
    }
  }

  // State traces: a line through each neuron's samples in the window.
  if (state) {
    bool any = false;
    double lo = 0, hi = 0;
    for (const StateTrace& t : state->traces)
      for (const auto& [time, v] : t.points) {
        if (time < o.from_ms || time >= o.to_ms) continue;
        lo = any ? std::min(lo, v) : v;
        hi = any ? std::max(hi, v) : v;
        any = true;
      }
    if (!any) lo = 0, hi = 1;
    if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;  // a flat trace sits mid-panel
    const std::vector<double> ticks = nice_ticks(lo, hi, 4);
    L.state_min = std::min(lo, ticks.front());
    L.state_max = std::max(hi, ticks.back());
    auto y = [&](double v) {
      return L.state_bottom - (v - L.state_min) / (L.state_max - L.state_min) * (L.state_bottom - L.state_top);
    };
    for (double v : ticks) {
      c.line(L.left, y(v), L.right, y(v), kGrid);
      c.line(L.left - 4, y(v), L.left, y(v), kAxis);
      c.text(L.left - 6, y(v) + 3, label(v), kAxis, Anchor::kEnd);
    }
    c.text(12, (L.state_top + L.state_bottom) / 2, state->title, kAxis, Anchor::kMiddle, true);
    for (const StateTrace& t : state->traces) {
      const std::pair<double, double>* prev = nullptr;
      for (const auto& p : t.points) {
        if (p.first < o.from_ms || p.first >= o.to_ms) continue;
        if (prev) c.line(L.x(prev->first), y(prev->second), L.x(p.first), y(p.second), population_color(t.population));
        prev = &p;
        ++plot.state_points_drawn;
      }
    }
  }

  // Frames last among the lines, so they stay on top of the grid.
  std::vector<std::pair<double, double>> panels = {{L.raster_top, L.raster_bottom}, {L.rate_top, L.rate_bottom}};
  if (state) panels.push_back({L.state_top, L.state_bottom});
  for (const auto& [top, bot] : panels) {
    c.line(L.left, top, L.right, top, kAxis);
    c.line(L.left, bot, L.right, bot, kAxis);
    c.line(L.left, top, L.left, bot, kAxis);
    c.line(L.right, top, L.right, bot, kAxis);
  }
  return plot;
}

}  // namespace spindle::plot
