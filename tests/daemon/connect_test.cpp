// `spindle --connect ADDR ...` against the real spindled: the same output,
// files and exit codes as the in-process commands (docs/cli.md).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "support/command.h"
#include <nlohmann/json.hpp>

#include "support/spindled_process.h"

namespace fs = std::filesystem;

namespace {

using Result = spindle::testing::CommandResult;
using spindle::testing::read_file;

std::string example(const std::string& name) { return std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/" + name; }

// Wall-clock figures differ between any two runs.
std::string without_wall_time(const std::string& text) {
  return std::regex_replace(text, std::regex(", [0-9.]+ s wall"), ", X s wall");
}

class ConnectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("spindle_connect_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    daemon_ = new spindle::testing::SpindledProcess;
    start_error_ = daemon_->start(SPINDLED_BIN, (dir_ / "spindled.log").string());
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
    fs::remove_all(dir_);
  }
  void SetUp() override { ASSERT_TRUE(start_error_.empty()) << start_error_; }

  static Result spindle(const std::string& args) {
    return spindle::testing::run_command(std::string("'") + SPINDLE_BIN + "' " + args, dir_);
  }
  static std::string connect() { return "--connect " + daemon_->address() + " "; }

  static fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  // Runs NETWORK in-process and through the daemon; expects the same files
  // and the same summary (but the wall time and the daemon line).
  static void expect_same_run(const std::string& network, const std::string& extra, bool has_state) {
    const fs::path local = dir_ / "local", remote = dir_ / "remote";
    fs::remove_all(local);
    fs::remove_all(remote);
    const Result a = spindle("run '" + network + "' " + extra + " --out '" + local.string() + "'");
    const Result b = spindle(connect() + "run '" + network + "' " + extra + " --out '" + remote.string() + "'");
    ASSERT_EQ(a.code, 0) << a.err;
    ASSERT_EQ(b.code, 0) << b.err;
    const std::string daemon_line = "daemon: spindled at " + daemon_->address();
    std::string remote_out = b.out;
    const auto at = remote_out.find(daemon_line);
    ASSERT_NE(at, std::string::npos) << remote_out;
    remote_out.erase(at, remote_out.find('\n', at) + 1 - at);
    remote_out = std::regex_replace(remote_out, std::regex(fs::path(remote).string()), local.string());
    EXPECT_EQ(without_wall_time(a.out), without_wall_time(remote_out));
    std::vector<std::string> files = {"spikes.csv", "mapping.json"};
    for (const auto& e : fs::directory_iterator(local))
      if (e.path().extension() == ".npy") files.push_back(e.path().filename().string());
    if (has_state) files.push_back("state.csv");
    EXPECT_GE(files.size(), 3u);
    for (const auto& f : files) {
      ASSERT_TRUE(fs::exists(remote / f)) << f;
      EXPECT_EQ(read_file(local / f), read_file(remote / f)) << f << " differs";
    }
    EXPECT_EQ(fs::exists(local / "state.csv"), fs::exists(remote / "state.csv"));
    EXPECT_GT(read_file(local / "spikes.csv").size(), 30u);  // some spikes, or the comparison says little
    EXPECT_EQ(nlohmann::json::parse(read_file(local / "run.json")), nlohmann::json::parse(read_file(remote / "run.json")));
    // provenance.json: the same but for wall-clock figures and where it ran.
    auto lp = nlohmann::json::parse(read_file(local / "provenance.json"));
    auto rp = nlohmann::json::parse(read_file(remote / "provenance.json"));
    ASSERT_TRUE(rp.contains("daemon")) << rp.dump(2);
    EXPECT_EQ(rp["daemon"]["address"], daemon_->address());
    rp.erase("daemon");
    for (auto* p : {&lp, &rp}) {
      ASSERT_TRUE(p->contains("wall_seconds") && p->contains("routing_seconds")) << p->dump(2);
      p->erase("wall_seconds");
      ASSERT_TRUE(p->contains("cpu_seconds"));
      p->erase("cpu_seconds");
      p->erase("routing_seconds");
    }
    // tick_overruns counts ticks that took longer than the timestep of wall
    // time: it depends on the machine's load, not on the network.
    for (auto* p : {&lp, &rp})
      for (auto& core : (*p)["cores"]) core["provenance"].erase("tick_overruns");
    ASSERT_TRUE(lp.contains("cores"));
    EXPECT_EQ(lp["cores"].size(), rp["cores"].size());
    EXPECT_GT(lp["cores"].size(), 0u);
    EXPECT_EQ(lp, rp);
  }

  static inline fs::path dir_;
  static inline spindle::testing::SpindledProcess* daemon_ = nullptr;
  static inline std::string start_error_;
};

TEST_F(ConnectTest, ValidateValidNetworkPrintsTheSameLine) {
  const Result a = spindle("validate '" + example("cuba.textproto") + "'");
  const Result b = spindle(connect() + "validate '" + example("cuba.textproto") + "'");
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(b.out.find("2 populations, 4000 neurons, 4 projections"), std::string::npos) << b.out;
}

TEST_F(ConnectTest, ValidateInvalidNetworkPrintsTheSameErrors) {
  const fs::path p = write("broken.textproto", R"(
run { timestep_ms: 0.1 duration_ms: 10 }
populations { label: "a" size: 10 if_curr_exp {} }
populations { label: "b" size: 0 if_curr_exp {} }
projections {
  pre: "a" post: "a" receptor: EXCITATORY
  connector { fixed_probability { p: 1.5 } }
  weight { constant: 0.1 }
}
projections { pre: "a" post: "nowhere" receptor: EXCITATORY connector { one_to_one {} } weight { constant: 0.1 } }
)");
  for (const std::string cmd : {"validate", "map", "run"}) {
    const Result a = spindle(cmd + " '" + p.string() + "'");
    const Result b = spindle(connect() + cmd + " '" + p.string() + "'");
    EXPECT_EQ(a.code, 1) << cmd;
    EXPECT_EQ(b.code, 1) << cmd << b.err;
    EXPECT_EQ(a.err, b.err) << cmd;
    EXPECT_NE(b.err.find(p.string() + ": projections[0].connector.fixed_probability.p: "), std::string::npos) << b.err;
    EXPECT_TRUE(b.out.empty()) << b.out;
  }
}

TEST_F(ConnectTest, MapPrintsTheSameReport) {
  const Result a = spindle("map '" + example("cuba.textproto") + "'");
  const Result b = spindle(connect() + "map '" + example("cuba.textproto") + "'");
  ASSERT_EQ(a.code, 0);
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_FALSE(b.out.empty());
}

TEST_F(ConnectTest, RunTinyWritesTheSameFiles) { expect_same_run(example("tiny.textproto"), "", true); }

TEST_F(ConnectTest, RunShortCubaWritesTheSameFiles) {
  expect_same_run(example("cuba.textproto"), "--duration 100", true);
}

TEST_F(ConnectTest, LocalOnlyOptionsAreUsageErrors) {
  // --backend qemu goes to the daemon (daemon_qemu_test); serial ports and
  // local images do not.
  Result r = spindle(connect() + "run '" + example("tiny.textproto") + "' --backend serial --port /dev/null");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--port cannot be used with --connect"), std::string::npos) << r.err;
  r = spindle(connect() + "run '" + example("tiny.textproto") + "' --backend serial");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--backend serial cannot be used with --connect"), std::string::npos) << r.err;
  r = spindle(connect() + "run '" + example("tiny.textproto") + "' --backend qemu --board-image x.elf");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--board-image cannot be used with --connect"), std::string::npos) << r.err;
  r = spindle(connect() + "run '" + example("tiny.textproto") + "' --qemu-cores 0");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("need --backend qemu"), std::string::npos) << r.err;
  EXPECT_EQ(spindle(connect() + "map '" + example("tiny.textproto") + "' --machine 1").code, 2);
}

TEST_F(ConnectTest, MachineDescribesTheDaemonsMachine) {
  const Result r = spindle(connect() + "machine");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("application cores: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(daemon_->address()), std::string::npos) << r.out;
}

TEST_F(ConnectTest, UnreachableAddressExitsOneNamingIt) {
  // Port 1 is privileged: nothing unprivileged listens there.
  const Result r = spindle("--connect 127.0.0.1:1 validate '" + example("tiny.textproto") + "'");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot connect to spindled at 127.0.0.1:1"), std::string::npos) << r.err;
}

}  // namespace
