// The raster plot of a small known spike set: one SVG mark per spike in the
// window, labels and ticks, escaping, rates per bin; the PNG decoded again
// with libpng, spike pixels coloured and the rest background.
#include <png.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "plot/font5x7.h"
#include "plot/png.h"
#include "plot/raster_plot.h"
#include "plot/svg.h"

namespace spindle::plot {
namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// Tags nest and close, attribute values are quoted, '&' only starts an entity.
::testing::AssertionResult well_formed(const std::string& s) {
  std::vector<std::string> open;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '&') {
      const size_t semi = s.find(';', i);
      const std::string ent = s.substr(i, semi == std::string::npos ? 6 : semi - i + 1);
      if (ent != "&amp;" && ent != "&lt;" && ent != "&gt;" && ent != "&quot;")
        return ::testing::AssertionFailure() << "bad entity at " << i;
      i = semi + 1;
      continue;
    }
    if (s[i] == '>') return ::testing::AssertionFailure() << "stray '>' at " << i;
    if (s[i] != '<') {
      ++i;
      continue;
    }
    size_t end = i + 1;
    bool in_quote = false;
    while (end < s.size() && (in_quote || s[end] != '>')) {
      if (s[end] == '"') in_quote = !in_quote;
      if (!in_quote && s[end] == '<') return ::testing::AssertionFailure() << "'<' inside a tag at " << end;
      ++end;
    }
    if (end == s.size()) return ::testing::AssertionFailure() << "unterminated tag at " << i;
    const std::string tag = s.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag[0] == '?') continue;
    const std::string name = tag.substr(tag[0] == '/' ? 1 : 0, tag.find_first_of(" /", 1) - (tag[0] == '/' ? 1 : 0));
    if (tag[0] == '/') {
      if (open.empty() || open.back() != name)
        return ::testing::AssertionFailure() << "</" << name << "> closes " << (open.empty() ? "nothing" : open.back());
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(name);
    }
  }
  if (!open.empty()) return ::testing::AssertionFailure() << "<" << open.back() << "> never closed";
  return ::testing::AssertionSuccess();
}

std::vector<PopulationSpikes> known_spikes() {
  PopulationSpikes exc{"exc", 4, {{0, 12}, {1, 25}, {3, 55.5}, {2, 90}, {1, 100}, {3, 30}}};
  PopulationSpikes inh{"inh", 2, {{0, 5}, {1, 50}, {1, 72}}};
  return {exc, inh};
}

RasterPlotOptions window() {
  RasterPlotOptions o;
  o.title = "known <set> & co";
  o.from_ms = 0;
  o.to_ms = 100;  // the spike at 100 ms is outside
  o.bin_ms = 10;
  return o;
}

TEST(RasterPlot, SvgHasOneMarkPerSpikeLabelsAndTicks) {
  const RasterPlot p = raster_plot(known_spikes(), window());
  EXPECT_EQ(p.spikes_drawn, 8u);
  const std::string svg = to_svg(p.canvas);
  EXPECT_TRUE(well_formed(svg));
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_EQ(count(svg, "<svg "), 1u);
  EXPECT_EQ(count(svg, "class=\"spike\""), 8u);
  for (const char* text : {">exc<", ">inh<", ">time (ms)<", ">rate (Hz)<", ">neuron<", ">80<", ">100<"})
    EXPECT_EQ(count(svg, text), 1u) << text;
  // Time ticks every 20 ms; rate ticks (inh peaks at 50 Hz) every 20 Hz up to 60.
  for (const char* text : {">0<", ">20<", ">40<", ">60<"}) EXPECT_EQ(count(svg, text), 2u) << text;
  EXPECT_NE(svg.find(">known &lt;set&gt; &amp; co<"), std::string::npos);
}

TEST(RasterPlot, MaxNeuronsShowsTheFirstNeuronsButRatesCountAll) {
  RasterPlotOptions o = window();
  o.max_neurons = 2;
  const RasterPlot p = raster_plot(known_spikes(), o);
  // exc neurons 2 and 3 are hidden: 3 of its 5 spikes in the window go.
  EXPECT_EQ(p.spikes_drawn, 5u);
  EXPECT_EQ(count(to_svg(p.canvas), "class=\"spike\""), 5u);
  EXPECT_NE(to_svg(p.canvas).find(">2/4<"), std::string::npos);
  // Rates: exc has 4 neurons, bin [10, 20) one spike: 1 / (4 x 10 ms) = 25 Hz.
  ASSERT_EQ(p.rates_hz.size(), 2u);
  ASSERT_EQ(p.rates_hz[0].size(), 10u);
  EXPECT_DOUBLE_EQ(p.rates_hz[0][1], 25.0);
  EXPECT_DOUBLE_EQ(p.rates_hz[0][5], 25.0);   // 55.5 ms
  EXPECT_DOUBLE_EQ(p.rates_hz[0][9], 25.0);   // 90 ms; 100 ms is outside
  EXPECT_DOUBLE_EQ(p.rates_hz[0][0], 0.0);
  EXPECT_DOUBLE_EQ(p.rates_hz[1][0], 50.0);   // inh: 2 neurons, 5 ms
  EXPECT_GE(p.layout.max_rate_hz, 50.0);
}

TEST(RasterPlot, ShortLastBinUsesItsWidth) {
  RasterPlotOptions o = window();
  o.to_ms = 95;
  o.bin_ms = 10;  // bins ... [80, 90), [90, 95)
  const RasterPlot p = raster_plot(known_spikes(), o);
  ASSERT_EQ(p.rates_hz[0].size(), 10u);
  EXPECT_DOUBLE_EQ(p.rates_hz[0][9], 1 / (4 * 0.005));
}

TEST(RasterPlot, BinLongerThanTheWindowIsOneShortBin) {
  RasterPlotOptions o = window();
  o.bin_ms = 1e12;
  const RasterPlot p = raster_plot(known_spikes(), o);
  ASSERT_EQ(p.rates_hz[0].size(), 1u);
  EXPECT_DOUBLE_EQ(p.rates_hz[0][0], 5 / (4 * 0.1));  // 5 exc spikes in 100 ms
}

TEST(RasterPlot, RejectsBadWindows) {
  RasterPlotOptions o = window();
  o.to_ms = o.from_ms;
  EXPECT_THROW(raster_plot(known_spikes(), o), std::invalid_argument);
  o = window();
  o.bin_ms = 0;
  EXPECT_THROW(raster_plot(known_spikes(), o), std::invalid_argument);
  EXPECT_THROW(raster_plot({}, window()), std::invalid_argument);
}

// The legend names each population in its colour with its mean rate over
// the window: exc 5 spikes / (4 neurons x 0.1 s), inh 3 / (2 x 0.1 s).
TEST(RasterPlot, LegendNamesThePopulationsWithTheirMeanRates) {
  const RasterPlot p = raster_plot(known_spikes(), window());
  ASSERT_EQ(p.mean_rates_hz.size(), 2u);
  EXPECT_DOUBLE_EQ(p.mean_rates_hz[0], 12.5);
  EXPECT_DOUBLE_EQ(p.mean_rates_hz[1], 15.0);
  const std::string svg = to_svg(p.canvas);
  EXPECT_EQ(count(svg, ">exc 12.50 Hz</text>"), 1u) << svg;
  EXPECT_EQ(count(svg, ">inh 15.00 Hz</text>"), 1u);
  // A swatch in each population's colour beside its entry, below the axes.
  for (size_t i = 0; i < 2; ++i) {
    size_t swatches = 0;
    for (const Rect& r : p.canvas.rects())
      swatches += r.fill == population_color(i) && r.y > p.layout.rate_bottom && r.w == 10 && r.h == 10;
    EXPECT_EQ(swatches, 1u) << i;
  }
}

TEST(RasterPlot, StatePanelDrawsEachTraceInItsPopulationsColour) {
  StatePanel state;
  state.title = "v (mV)";
  // exc neuron 1: 4 samples in the window (and one after it); inh neuron 0: 3.
  state.traces.push_back({0, 1, {{0, -65}, {10, -60}, {20, -55}, {30, -70}, {100, -50}}});
  state.traces.push_back({1, 0, {{5, -64}, {15, -63}, {25, -62}}});
  const RasterPlot without = raster_plot(known_spikes(), window());
  const RasterPlot p = raster_plot(known_spikes(), window(), &state);
  EXPECT_EQ(p.state_points_drawn, 7u);
  EXPECT_GT(p.layout.state_top, p.layout.rate_bottom);
  EXPECT_GT(p.canvas.height(), without.canvas.height());
  // The axis spans the samples in the window, -70..-55 (the -50 is outside).
  EXPECT_LE(p.layout.state_min, -70);
  EXPECT_GE(p.layout.state_max, -55);
  EXPECT_LT(p.layout.state_max, -50);
  auto segments = [&](size_t population) {
    size_t n = 0;
    for (const Line& l : p.canvas.lines())
      n += l.color == population_color(population) && l.y0 >= p.layout.state_top && l.y1 <= p.layout.state_bottom &&
           l.y0 <= p.layout.state_bottom;
    return n;
  };
  EXPECT_EQ(segments(0), 3u);
  EXPECT_EQ(segments(1), 2u);
  const std::string svg = to_svg(p.canvas);
  EXPECT_TRUE(well_formed(svg));
  EXPECT_NE(svg.find("transform=\"rotate(-90"), std::string::npos);
  EXPECT_EQ(count(svg, ">v (mV)</text>"), 1u);
  // A trace of a population that is not plotted is a caller's error.
  state.traces.push_back({2, 0, {{1, 1}}});
  EXPECT_THROW(raster_plot(known_spikes(), window(), &state), std::invalid_argument);
}

Image read_png(const std::filesystem::path& file) {
  png_image im{};
  im.version = PNG_IMAGE_VERSION;
  EXPECT_TRUE(png_image_begin_read_from_file(&im, file.c_str())) << im.message;
  im.format = PNG_FORMAT_RGB;
  Image out;
  out.width = int(im.width);
  out.height = int(im.height);
  out.rgb.resize(PNG_IMAGE_SIZE(im));
  EXPECT_TRUE(png_image_finish_read(&im, nullptr, out.rgb.data(), 0, nullptr)) << im.message;
  return out;
}

TEST(RasterPlot, PngHasSpikePixelsColouredAndBackgroundElsewhere) {
  const RasterPlot p = raster_plot(known_spikes(), window());
  const auto file = std::filesystem::temp_directory_path() / ("spindle_plot_test_" + std::to_string(::getpid()) + ".png");
  write_png(file, rasterise(p.canvas));
  const Image img = read_png(file);
  std::filesystem::remove(file);
  ASSERT_EQ(img.width, p.canvas.width());
  ASSERT_EQ(img.height, p.canvas.height());
  ASSERT_EQ(img.rgb.size(), size_t(img.width) * size_t(img.height) * 3);

  const RasterLayout& L = p.layout;
  const auto pops = known_spikes();
  for (size_t i = 0; i < pops.size(); ++i)
    for (const Spike& s : pops[i].spikes) {
      const int x = int(std::floor(L.x(s.time_ms))), y = int(std::floor(L.y(i, s.neuron)));
      if (s.time_ms >= 100) {
        EXPECT_NE(img.at(x, y), population_color(i)) << "spike at " << s.time_ms << " ms is outside the window";
        continue;
      }
      EXPECT_EQ(img.at(x, y), population_color(i)) << pops[i].label << " neuron " << s.neuron << " at " << s.time_ms;
    }
  // Inside the raster, only the spike squares (3 x 3 px here) have a population colour.
  EXPECT_DOUBLE_EQ(std::clamp(L.row_height, 1.5, 3.0), 3.0);
  size_t coloured[2] = {0, 0};
  for (int y = int(L.raster_top) + 1; y < int(L.raster_bottom); ++y)
    for (int x = int(L.left) + 1; x < int(L.right); ++x)
      for (size_t i = 0; i < 2; ++i) coloured[i] += img.at(x, y) == population_color(i);
  EXPECT_EQ(coloured[0], 5u * 9u);
  EXPECT_EQ(coloured[1], 3u * 9u);
  // A place without spikes shows the band's background, not white and not a spike colour.
  const Color band = img.at(int(L.x(70)), int(L.y(0, 0)));
  EXPECT_NE(band, population_color(0));
  EXPECT_NE(band, kWhite);
  EXPECT_EQ(img.at(int(L.x(75)), int(L.y(0, 2))), band);
  // Outside the panels: white, and the font drew the axis title below the rate panel.
  EXPECT_EQ(img.at(2, 2), kWhite);
  size_t ink = 0;
  for (int y = int(L.rate_bottom) + 20; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) ink += img.at(x, y) != kWhite;
  EXPECT_GT(ink, 30u) << "'time (ms)' should be drawn";
}

TEST(Font, GlyphsHaveInkAndUnknownCharactersAreQuestionMarks) {
  for (char c = '!'; c <= '~'; ++c) {
    unsigned ink = 0;
    for (uint8_t row : glyph(c)) ink += unsigned(std::popcount(row));
    EXPECT_GT(ink, 0u) << c;
  }
  for (uint8_t row : glyph(' ')) EXPECT_EQ(row, 0u);
  EXPECT_EQ(glyph('\x01'), glyph('?'));
  EXPECT_EQ(glyph(char(200)), glyph('?'));
  // Two different letters differ.
  EXPECT_NE(glyph('O'), glyph('0'));
}

}  // namespace
}  // namespace spindle::plot
