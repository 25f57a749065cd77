// `spindle plot` end to end: `spindle run` on the tiny example, then SVG and
// PNG plots of its output; and the usage errors (exit 2, a clear message).
#include <png.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "support/command.h"

namespace fs = std::filesystem;

namespace {

using Result = spindle::testing::CommandResult;
using spindle::testing::read_file;

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// One run of the tiny network shared by all tests (it takes a fraction of a second).
class PlotCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("spindle_plot_cli_" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    const Result r = run(std::string("run '") + SPINDLE_EXAMPLE_NETWORKS_DIR + "/tiny.textproto' --threads 1 --out '" +
                         (*dir_ / "tiny").string() + "'");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  static Result run(const std::string& args) {
    return spindle::testing::run_command(std::string("'") + SPINDLE_BIN + "' " + args, *dir_);
  }
  static std::string results() { return "'" + (*dir_ / "tiny").string() + "'"; }
  static size_t csv_spikes(const std::string& population) {
    std::ifstream in(*dir_ / "tiny" / "spikes.csv");
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) n += line.rfind(population + ",", 0) == 0;
    return n;
  }

  static fs::path* dir_;
};
fs::path* PlotCliTest::dir_ = nullptr;

TEST_F(PlotCliTest, RunWritesRunJson) {
  const std::string j = read_file(*dir_ / "tiny" / "run.json");
  EXPECT_NE(j.find("\"duration_ms\": 200"), std::string::npos) << j;
  EXPECT_NE(j.find("\"label\": \"neurons\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"spikes_recorded\": false"), std::string::npos) << j;  // kick is not recorded
}

TEST_F(PlotCliTest, SvgHasEveryRecordedSpike) {
  const fs::path svg = *dir_ / "tiny.svg";
  const Result r = run("plot " + results() + " --out '" + svg.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string s = read_file(svg);
  const size_t spikes = csv_spikes("noise") + csv_spikes("neurons");
  ASSERT_GT(spikes, 20u);
  EXPECT_EQ(count(s, "class=\"spike\""), spikes);
  EXPECT_NE(s.find(">noise<"), std::string::npos);
  EXPECT_NE(s.find(">neurons<"), std::string::npos);
  EXPECT_EQ(s.find(">kick<"), std::string::npos) << "kick records no spikes";
  EXPECT_NE(r.out.find(std::to_string(spikes) + " spikes of 2 populations"), std::string::npos) << r.out;
  // The default output is RESULTS_DIR/raster.svg.
  ASSERT_EQ(run("plot " + results()).code, 0);
  EXPECT_EQ(read_file(*dir_ / "tiny" / "raster.svg"), s);
}

TEST_F(PlotCliTest, PopulationsWindowAndPng) {
  const fs::path png = *dir_ / "neurons.png";
  const Result r = run("plot " + results() + " --populations neurons --from 50 --to 150 --bin 10 --out '" +
                       png.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("of 1 populations, 50-150 ms"), std::string::npos) << r.out;
  png_image im{};
  im.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_file(&im, png.c_str())) << im.message;
  EXPECT_EQ(im.width, 900u);
  EXPECT_GT(im.height, 500u);
  png_image_free(&im);
}

// The title says what ran (run.json names the network file), not the
// folder; the legend names each population with its mean rate.
TEST_F(PlotCliTest, TitleNamesTheNetworkAndTheLegendTheRates) {
  EXPECT_NE(read_file(*dir_ / "tiny" / "run.json").find("\"network\": \"tiny.textproto\""), std::string::npos);
  const fs::path svg = *dir_ / "titled.svg";
  ASSERT_EQ(run("plot " + results() + " --out '" + svg.string() + "'").code, 0);
  const std::string s = read_file(svg);
  EXPECT_NE(s.find(">tiny.textproto, 200 ms of biological time</text>"), std::string::npos) << s.substr(0, 2000);
  // Mean rates over the 200 ms: spikes / (neurons x 0.2 s).
  char noise[64], neurons[64];
  std::snprintf(noise, sizeof noise, ">noise %.2f Hz</text>", double(csv_spikes("noise")) / (20 * 0.2));
  std::snprintf(neurons, sizeof neurons, ">neurons %.2f Hz</text>", double(csv_spikes("neurons")) / (10 * 0.2));
  EXPECT_EQ(count(s, noise), 1u) << noise;
  EXPECT_EQ(count(s, neurons), 1u) << neurons;
  // --title replaces it.
  ASSERT_EQ(run("plot " + results() + " --title 'my run' --out '" + svg.string() + "'").code, 0);
  EXPECT_NE(read_file(svg).find(">my run</text>"), std::string::npos);
}

// --state v: a panel with the membrane potential of the first --traces
// neurons (tiny records v of its 10 neurons every 1 ms tick: 200 samples each).
TEST_F(PlotCliTest, StatePanelPlotsARecordedVariable) {
  const fs::path plain = *dir_ / "plain.svg", with_v = *dir_ / "v.svg", all_v = *dir_ / "v10.svg";
  ASSERT_EQ(run("plot " + results() + " --out '" + plain.string() + "'").code, 0);
  Result r = run("plot " + results() + " --state v --out '" + with_v.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(", v of 5 neurons"), std::string::npos) << r.out;
  const std::string v = read_file(with_v);
  EXPECT_NE(v.find(">v (mV)</text>"), std::string::npos);
  // One segment between consecutive samples, in the neurons' colour (the
  // second population plotted: red).
  const size_t red_plain = count(read_file(plain), "stroke=\"#d62728\""), red_v = count(v, "stroke=\"#d62728\"");
  EXPECT_EQ(red_v - red_plain, 5u * 199u);
  r = run("plot " + results() + " --state gsyn_exc --traces 10 --out '" + all_v.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(", gsyn_exc of 10 neurons"), std::string::npos) << r.out;
  EXPECT_NE(read_file(all_v).find(">gsyn_exc</text>"), std::string::npos);
  // PNG too.
  r = run("plot " + results() + " --state gsyn_inh --out '" + (*dir_ / "gi.png").string() + "'");
  EXPECT_EQ(r.code, 0) << r.err;
  // Only populations that recorded it.
  r = run("plot " + results() + " --populations noise --state v");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--state v: no plotted population recorded v (recorded by: neurons)"), std::string::npos)
      << r.err;
  r = run("plot " + results() + " --state u");
  EXPECT_EQ(r.code, 2);
}

TEST_F(PlotCliTest, BadArgumentsAreUsageErrors) {
  struct Case {
    std::string args, message;
  };
  const Case cases[] = {
      {"plot '" + (*dir_ / "nope").string() + "'", "nope: no such directory"},
      {"plot " + results() + " --populations neurons,ghost", "unknown population 'ghost' (the run has noise, kick, neurons)"},
      {"plot " + results() + " --populations kick", "population 'kick' has no recorded spikes"},
      {"plot " + results() + " --from 150 --to 100", "--from 150 ms must be before --to 100 ms"},
      {"plot " + results() + " --from 300", "--from 300 ms must be before --to 200 ms (the run's duration)"},
      {"plot " + results() + " --bin 500", "--bin 500 ms is longer than the window of 200 ms"},
      {"plot " + results() + " --out x.pdf", "unknown extension '.pdf'"},
      {"plot " + results() + " --bin 0", "--bin"},
  };
  for (const Case& c : cases) {
    const Result r = run(c.args);
    EXPECT_EQ(r.code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
  // A directory that is not a run's output.
  fs::create_directories(*dir_ / "empty");
  const Result r = run("plot '" + (*dir_ / "empty").string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("run.json: cannot read"), std::string::npos) << r.err;
}

}  // namespace
