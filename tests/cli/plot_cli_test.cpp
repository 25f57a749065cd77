// `spindle plot` end to end: `spindle run` on the tiny example, then SVG and
// PNG plots of its output; and the usage errors (exit 2, a clear message).
#include <png.h>
#include <sys/wait.h>
#include <unistd.h>

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
