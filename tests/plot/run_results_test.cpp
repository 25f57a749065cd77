// Reading a `spindle run` output directory back: run.json and spikes.csv,
// and the messages for what is missing or malformed (file and line).
#include "plot/run_results.h"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace spindle::plot {
namespace {

namespace fs = std::filesystem;

class RunResultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spindle_run_results_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
            "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    write("run.json", R"({"timestep_ms": 0.1, "ticks": 2000, "duration_ms": 200.0, "populations": [
      {"label": "noise", "size": 3, "spikes_recorded": true, "spikes": 2},
      {"label": "kick", "size": 1, "spikes_recorded": false, "spikes": 0},
      {"label": "a,b", "size": 2, "spikes_recorded": true, "spikes": 1}]})");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

  std::string error() {
    try {
      read_run_results(dir_);
    } catch (const ResultsError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

TEST_F(RunResultsTest, ReadsPopulationsAndSpikes) {
  write("spikes.csv", "population,neuron,time_ms\nnoise,2,0.5\nnoise,0,17\na,b,1,199.9\n");
  const RunResults r = read_run_results(dir_);
  EXPECT_DOUBLE_EQ(r.timestep_ms, 0.1);
  EXPECT_DOUBLE_EQ(r.duration_ms, 200);
  ASSERT_EQ(r.populations.size(), 3u);
  EXPECT_EQ(r.populations[0].spikes.label, "noise");
  EXPECT_EQ(r.populations[0].spikes.size, 3u);
  EXPECT_TRUE(r.populations[0].spikes_recorded);
  EXPECT_FALSE(r.populations[1].spikes_recorded);
  ASSERT_EQ(r.populations[0].spikes.spikes.size(), 2u);
  EXPECT_EQ(r.populations[0].spikes.spikes[0].neuron, 2u);
  EXPECT_DOUBLE_EQ(r.populations[0].spikes.spikes[0].time_ms, 0.5);
  ASSERT_EQ(r.populations[2].spikes.spikes.size(), 1u);  // a label with a comma
  EXPECT_DOUBLE_EQ(r.populations[2].spikes.spikes[0].time_ms, 199.9);
}

TEST_F(RunResultsTest, MissingFilesAreNamed) {
  EXPECT_NE(error().find("spikes.csv: cannot read"), std::string::npos) << error();
  fs::remove(dir_ / "run.json");
  EXPECT_NE(error().find("run.json: cannot read"), std::string::npos) << error();
  EXPECT_THROW(read_run_results(dir_ / "nope"), ResultsError);
}

TEST_F(RunResultsTest, BadLinesGiveFileAndLine) {
  write("spikes.csv", "population,neuron,time_ms\nnoise,1,2\nghost,0,1\n");
  EXPECT_NE(error().find("spikes.csv:3: population 'ghost' is not in run.json"), std::string::npos) << error();
  write("spikes.csv", "population,neuron,time_ms\nnoise,3,2\n");
  EXPECT_NE(error().find("spikes.csv:2: neuron 3 of 'noise' (3 neurons) does not exist"), std::string::npos) << error();
  write("spikes.csv", "population,neuron,time_ms\nnoise,x,2\n");
  EXPECT_NE(error().find("spikes.csv:2: bad neuron index or time"), std::string::npos) << error();
  write("spikes.csv", "neuron,time\n");
  EXPECT_NE(error().find("spikes.csv:1: expected the header"), std::string::npos) << error();
  write("spikes.csv", "population,neuron,time_ms\n");
  write("run.json", R"({"timestep_ms": 0.1, "populations": []})");
  EXPECT_NE(error().find("run.json: "), std::string::npos) << error();
  EXPECT_NE(error().find("duration_ms"), std::string::npos) << error();
  write("run.json", "{not json");
  EXPECT_NE(error().find("run.json: not valid JSON"), std::string::npos) << error();
}

}  // namespace
}  // namespace spindle::plot
