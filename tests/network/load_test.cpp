// Loading networks: each format, round trips, clear errors, the examples.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "network/load.h"
#include "network/validate.h"

namespace fs = std::filesystem;
using namespace spindle::host::network;
using google::protobuf::util::MessageDifferencer;

namespace {

const char* kTiny = R"pb(
run { timestep_ms: 0.1 duration_ms: 50 seed: 9 }
populations {
  label: "src"
  size: 3
  spike_source_poisson { rate { constant: 10 } }
}
populations {
  label: "n"
  size: 4
  if_curr_exp { tau_m { constant: 10 } v_thresh { list { values: [-50, -51, -52, -53] } } }
  initial_values { v { random { uniform { low: -65 high: -55 } seed: 3 } } }
}
projections {
  pre: "src" post: "n" receptor: EXCITATORY
  connector { all_to_all {} }
  weight { constant: 0.5 }
  delay { constant: 1 }
}
recordings { population: "n" variables: [SPIKES, V] }
)pb";

fs::path temp_dir() {
  auto d = fs::temp_directory_path() / ("spindle_network_test_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

void write_file(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

std::string load_error(const fs::path& p) {
  try {
    (void)load_network(p);
  } catch (const NetworkLoadError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(NetworkLoad, FormatFromExtension) {
  EXPECT_EQ(format_for_path("a.textproto"), NetworkFormat::kText);
  EXPECT_EQ(format_for_path("a.txtpb"), NetworkFormat::kText);
  EXPECT_EQ(format_for_path("a.pbtxt"), NetworkFormat::kText);
  EXPECT_EQ(format_for_path("a.JSON"), NetworkFormat::kJson);
  EXPECT_EQ(format_for_path("a.pb"), NetworkFormat::kBinary);
  EXPECT_EQ(format_for_path("a.binpb"), NetworkFormat::kBinary);
  EXPECT_FALSE(format_for_path("a.yaml").has_value());
}

TEST(NetworkLoad, ParsesTextFormat) {
  const auto net = parse_network(kTiny, NetworkFormat::kText, "tiny");
  ASSERT_EQ(net.populations_size(), 2);
  EXPECT_EQ(net.populations(1).label(), "n");
  EXPECT_EQ(net.populations(1).if_curr_exp().v_thresh().list().values_size(), 4);
  EXPECT_DOUBLE_EQ(net.run().timestep_ms(), 0.1);
  EXPECT_EQ(net.projections(0).receptor(), spindle::v1::EXCITATORY);
  EXPECT_TRUE(validate_network(net).empty()) << format_errors(validate_network(net));
}

TEST(NetworkLoad, ParsesJsonWithProtoAndCamelCaseNames) {
  const std::string json = R"({
    "run": {"timestep_ms": 0.1, "durationMs": 20, "seed": "5"},
    "populations": [
      {"label": "n", "size": 2, "if_curr_exp": {"tau_syn_E": {"constant": 3}, "tauSynI": {"constant": 4}}}
    ],
    "recordings": [{"population": "n", "variables": ["SPIKES", "V"]}]
  })";
  const auto net = parse_network(json, NetworkFormat::kJson, "j.json");
  EXPECT_DOUBLE_EQ(net.run().duration_ms(), 20);
  EXPECT_EQ(net.run().seed(), 5u);
  EXPECT_DOUBLE_EQ(net.populations(0).if_curr_exp().tau_syn_e().constant(), 3);
  EXPECT_DOUBLE_EQ(net.populations(0).if_curr_exp().tau_syn_i().constant(), 4);
  EXPECT_EQ(net.recordings(0).variables(1), spindle::v1::V);
  EXPECT_TRUE(validate_network(net).empty());
}

TEST(NetworkLoad, RoundTripsEveryFormatThroughFiles) {
  const auto net = parse_network(kTiny, NetworkFormat::kText, "tiny");
  const auto dir = temp_dir();
  for (const char* name : {"n.textproto", "n.txtpb", "n.pbtxt", "n.json", "n.pb", "n.binpb"}) {
    const auto path = dir / name;
    save_network(net, path);
    const auto back = load_network(path);
    EXPECT_TRUE(MessageDifferencer::Equals(net, back)) << name;
  }
  fs::remove_all(dir);
}

TEST(NetworkLoad, TextSyntaxErrorNamesFileLineAndColumn) {
  const auto dir = temp_dir();
  const auto path = dir / "bad.textproto";
  write_file(path, "run { timestep_ms: 0.1 }\npopulations {\n  lable: \"x\"\n}\n");
  const std::string msg = load_error(path);
  EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 3, column 8"), std::string::npos) << msg;
  EXPECT_NE(msg.find("lable"), std::string::npos) << msg;
  fs::remove_all(dir);
}

TEST(NetworkLoad, TextTypeErrorNamesLine) {
  const std::string msg = [] {
    try {
      (void)parse_network("run {\n  timestep_ms: \"fast\"\n}\n", NetworkFormat::kText, "t.textproto");
    } catch (const NetworkLoadError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  }();
  EXPECT_NE(msg.find("t.textproto"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
}

TEST(NetworkLoad, JsonSyntaxErrorNamesFileLineAndColumn) {
  const auto dir = temp_dir();
  const auto path = dir / "bad.json";
  write_file(path, "{\n  \"run\": {\"timestep_ms\": 0.1,}\n}\n");
  const std::string msg = load_error(path);
  EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 2, column"), std::string::npos) << msg;
  fs::remove_all(dir);
}

// A number past double's range is valid JSON syntax; it used to escape the
// loader as nlohmann's out_of_range instead of a NetworkLoadError (found by
// the network fuzz target).
TEST(NetworkLoad, JsonNumberOutOfRangeIsALoadError) {
  const std::string json = R"({"run": {"timestep_ms": 1e3080}})";
  try {
    parse_network(json, NetworkFormat::kJson, "big.json");
    FAIL() << "no error";
  } catch (const NetworkLoadError& e) {
    EXPECT_NE(std::string(e.what()).find("big.json"), std::string::npos) << e.what();
  }
}

TEST(NetworkLoad, JsonUnknownFieldIsNamed) {
  const auto dir = temp_dir();
  const auto path = dir / "unknown.json";
  write_file(path, R"({"run": {"timestep": 0.1}})");
  const std::string msg = load_error(path);
  EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("timestep"), std::string::npos) << msg;
  fs::remove_all(dir);
}

TEST(NetworkLoad, BadBinaryAndMissingFileAndUnknownExtension) {
  const auto dir = temp_dir();
  const auto bin = dir / "bad.pb";
  write_file(bin, std::string("\xff\xff\xff\xff\x0f", 5));
  EXPECT_NE(load_error(bin).find("not a valid binary spindle.v1.Network"), std::string::npos) << load_error(bin);
  EXPECT_NE(load_error(dir / "missing.textproto").find("cannot open file"), std::string::npos);
  const auto yaml = dir / "net.yaml";
  write_file(yaml, "x");
  EXPECT_NE(load_error(yaml).find("unknown network file extension '.yaml'"), std::string::npos) << load_error(yaml);
  fs::remove_all(dir);
}

TEST(NetworkExamples, EveryExampleLoadsAndValidates) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(SPINDLE_EXAMPLE_NETWORKS_DIR)) {
    if (!format_for_path(entry.path())) continue;
    SCOPED_TRACE(entry.path().string());
    const auto net = load_network(entry.path());
    const auto errors = validate_network(net);
    EXPECT_TRUE(errors.empty()) << format_errors(errors);
    ++count;
  }
  EXPECT_GE(count, 2);
}
