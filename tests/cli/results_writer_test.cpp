// The results writer shared by `spindle run` and `spindle --connect ... run`
// with labels that never passed validation (a daemon's answer, a file from
// elsewhere): every file stays inside the results folder, CSV fields stay
// fields, and `spindle plot`'s reader reads them back.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/results.h"
#include "plot/run_results.h"

namespace fs = std::filesystem;
using namespace std::string_literals;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ResultsWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("spindle_results_writer_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "out");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

spindle::v1::Network network_with_labels(const std::vector<std::string>& labels) {
  spindle::v1::Network net;
  net.mutable_run()->set_timestep_ms(0.1);
  for (const auto& l : labels) {
    auto* p = net.add_populations();
    p->set_label(l);
    p->set_size(3);
    p->mutable_spike_source_poisson();
    auto* r = net.add_recordings();
    r->set_population(l);
    r->add_variables(spindle::v1::SPIKES);
  }
  return net;
}

TEST_F(ResultsWriter, HostileLabelsStayInsideTheFolder) {
  const std::vector<std::string> labels = {"../victim.txt\0"s, "/tmp/abs", "a,b\nc \"q\"", "a_b,c", ".hidden"};
  const auto net = network_with_labels(labels);
  auto fill = [&](size_t core, spindle::cli::CoreRecording& out) {
    out.population = static_cast<uint32_t>(core);
    out.spikes = {{1, 0}, {2, 2}};
  };
  spindle::cli::write_recordings(root_ / "out", net, labels.size(), fill, 10, nlohmann::json::object(),
                                 nlohmann::json::object());
  // Nothing beside the folder, nothing in a sub-folder.
  for (const auto& e : fs::directory_iterator(root_)) EXPECT_EQ(e.path().filename(), "out") << e.path();
  size_t npy = 0;
  for (const auto& e : fs::directory_iterator(root_ / "out")) {
    EXPECT_TRUE(e.is_regular_file()) << e.path();
    if (e.path().extension() == ".npy") ++npy;
  }
  EXPECT_EQ(npy, labels.size());
  EXPECT_TRUE(fs::exists(root_ / "out" / "_._victim.txt_.spikes.npy"));
  EXPECT_TRUE(fs::exists(root_ / "out" / "_tmp_abs.spikes.npy"));
  // CSV: one record per spike; quoted fields hold the commas, quotes and
  // line breaks.
  const std::string csv = read(root_ / "out" / "spikes.csv");
  EXPECT_NE(csv.find("\"a,b\nc \"\"q\"\"\",0,0.1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"a_b,c\",2,0.2\n"), std::string::npos) << csv;
}

TEST_F(ResultsWriter, PlotReaderReadsQuotedLabels) {
  const auto net = network_with_labels({"a,b", "plain"});
  auto fill = [&](size_t core, spindle::cli::CoreRecording& out) {
    out.population = static_cast<uint32_t>(core);
    out.spikes = {{3, 1}};
  };
  spindle::cli::write_recordings(root_ / "out", net, 2, fill, 10, nlohmann::json::object(), nlohmann::json::object());
  const auto results = spindle::plot::read_run_results(root_ / "out");
  ASSERT_EQ(results.populations.size(), 2u);
  EXPECT_EQ(results.populations[0].spikes.label, "a,b");
  ASSERT_EQ(results.populations[0].spikes.spikes.size(), 1u);
  EXPECT_EQ(results.populations[0].spikes.spikes[0].neuron, 1u);
}

}  // namespace
