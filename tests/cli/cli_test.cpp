// Runs the built `spindle` binary and checks exit codes, messages and the
// JSON mapping report.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/command.h"
#include "support/test_networks.h"
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

using Result = spindle::testing::CommandResult;
using spindle::testing::read_file;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("spindle_cli_test_") + info->name() + "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `spindle ARGS` (a shell-quoted string), capturing stdout and stderr.
  Result run(const std::string& args) {
    return spindle::testing::run_command(std::string("'") + SPINDLE_BIN + "' " + args, dir_);
  }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  static std::string example(const std::string& name) {
    return std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/" + name;
  }

  // Every examples/networks/*.textproto, sorted.
  static std::vector<std::string> all_examples() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(SPINDLE_EXAMPLE_NETWORKS_DIR)) {
      if (e.path().extension() == ".textproto") names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

TEST_F(CliTest, HelpListsSubcommands) {
  const Result r = run("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* cmd : {"validate", "machine", "map", "run"}) EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
}

TEST_F(CliTest, BadArgumentsExit2) {
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("frobnicate").code, 2);
  EXPECT_EQ(run("validate").code, 2);  // NETWORK missing
  const Result r = run("map " + example("tiny.textproto") + " --no-such-option");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--no-such-option"), std::string::npos) << r.err;
}

TEST_F(CliTest, VersionPrintsTheProjectVersion) {
  const Result r = run("--version");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("spindle ") + SPINDLE_VERSION + "\n");
}

TEST_F(CliTest, UnknownCommandIsNamedWithTheCommands) {
  const char* commands = "(commands: validate, machine, map, run, plot, flash, jobs)";
  for (const std::string args : {"frobnicate", "frobnicate tiny.textproto", "--connect 127.0.0.1:1 frobnicate"}) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << args;
    EXPECT_NE(r.err.find("spindle: unknown command 'frobnicate' " + std::string(commands)), std::string::npos)
        << args << "\n" << r.err;
    EXPECT_EQ(r.err.find("A subcommand is required"), std::string::npos) << args << "\n" << r.err;
  }
  const Result none = run("");
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("spindle: a command is required " + std::string(commands)), std::string::npos) << none.err;
  // A known command with a bad argument keeps its own message.
  const Result bad = run("validate");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("NETWORK"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("unknown command"), std::string::npos) << bad.err;
}

// The variables for --connect's client name and token file may stay set in
// a shell: commands that run in-process ignore them.
TEST_F(CliTest, ConnectVariablesDoNotDisturbInProcessCommands) {
  const Result r = spindle::testing::run_command(
      "SPINDLE_CLIENT=someone SPINDLE_TOKEN_FILE=/nonexistent '" + std::string(SPINDLE_BIN) + "' validate " +
          example("tiny.textproto"),
      dir_);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("valid"), std::string::npos) << r.out;
}

TEST_F(CliTest, ValidateExamples) {
  const auto names = all_examples();
  ASSERT_GE(names.size(), 2u);
  for (const auto& name : names) {
    const Result r = run("validate " + example(name));
    EXPECT_EQ(r.code, 0) << name << ": " << r.err;
    EXPECT_NE(r.out.find("valid"), std::string::npos) << r.out;
  }
  const Result r = run("validate " + example("cuba.textproto"));
  EXPECT_NE(r.out.find("2 populations, 4000 neurons, 4 projections"), std::string::npos) << r.out;
}

TEST_F(CliTest, ValidateReportsEveryErrorWithFieldPath) {
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
  const Result r = run("validate '" + p.string() + "'");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(p.string() + ": projections[0].connector.fixed_probability.p: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(p.string() + ": populations[1].size: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(p.string() + ": projections[1].post: "), std::string::npos) << r.err;
  // map validates first, with the same messages and exit code.
  const Result m = run("map '" + p.string() + "'");
  EXPECT_EQ(m.code, 1);
  EXPECT_NE(m.err.find("projections[0].connector.fixed_probability.p"), std::string::npos) << m.err;
  EXPECT_TRUE(m.out.empty());
}

TEST_F(CliTest, UnreadableOrGarbageFilesExit2) {
  const fs::path garbage = write("garbage.textproto", "this is { not a network ::: \x01\x02");
  Result r = run("validate '" + garbage.string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(garbage.string()), std::string::npos) << r.err;
  r = run("validate '" + (dir_ / "missing.textproto").string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
  r = run("map '" + write("bad.json", "{ not json").string() + "'");
  EXPECT_EQ(r.code, 2);
}

TEST_F(CliTest, MachineDescribesShapes) {
  Result r = run("machine");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("chips alive:       48"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("application cores: 816"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("open mesh"), std::string::npos) << r.out;
  r = run("machine torus:4x3");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("chips alive:       12"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("torus"), std::string::npos) << r.out;
}

TEST_F(CliTest, BadMachineShapeExit2WithAcceptedForms) {
  Result r = run("machine 7x");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("boards:WxH"), std::string::npos) << r.err;
  r = run("map " + example("tiny.textproto") + " --machine nope");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("torus:WxH"), std::string::npos) << r.err;
}

TEST_F(CliTest, MapPrintsJsonReport) {
  for (const auto& name : all_examples()) {
    const Result r = run("map " + example(name));
    ASSERT_EQ(r.code, 0) << name << ": " << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.contains("slices")) << name;
    ASSERT_FALSE(j["slices"].empty()) << name;
    for (const auto& s : j["slices"]) {
      EXPECT_TRUE(s.contains("chip"));
      EXPECT_GE(s["core"].get<int>(), 1) << "never the monitor core";
    }
    EXPECT_EQ(j["summary"]["slices"].get<size_t>(), j["slices"].size());
  }
  const auto cuba = nlohmann::json::parse(run("map " + example("cuba.textproto")).out);
  ASSERT_EQ(cuba["populations"].size(), 2u);
  EXPECT_EQ(cuba["populations"][0]["label"], "exc");
  EXPECT_EQ(cuba["populations"][0]["n_atoms"], 3200);
  EXPECT_EQ(cuba["summary"]["projections"], 4);
}

TEST_F(CliTest, MapWritesOutFile) {
  const fs::path out = dir_ / "report.json";
  const Result r = run("map " + example("tiny.textproto") + " --machine 2x2 --out '" + out.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  const auto j = nlohmann::json::parse(read_file(out));
  EXPECT_EQ(j["slices"].size(), 3u);
}

TEST_F(CliTest, MapOnTooSmallMachineExit1) {
  const Result r = run("map " + example("microcircuit_10pct.textproto") + " --machine 1");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("too small"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

}  // namespace

// An STDP projection runs: `spindle run` writes its final weights as .npy
// and CSV (pre, post, weight), in PyNN's list order, within [w_min, w_max].
TEST_F(CliTest, StdpRunWritesTheFinalWeights) {
  const fs::path p = write("stdp.textproto", R"(run { timestep_ms: 0.1 duration_ms: 200 }
populations { label: "src" size: 10 spike_source_poisson { rate { constant: 50 } } }
populations { label: "a" size: 10 if_curr_exp {} }
projections {
  label: "src to a"
  pre: "src" post: "a" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 0.5 }
  synapse_dynamics { stdp { timing_dependence { tau_plus: 16.8 } additive { w_max: 1 } } }
}
recordings { population: "a" variables: [SPIKES] })");
  const Result v = run("validate " + p.string());
  EXPECT_EQ(v.code, 0) << v.err;
  const fs::path out = dir_ / "out";
  const Result r = run("run " + p.string() + " --out '" + out.string() + "'");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::ifstream csv(out / "src_to_a.weights.csv");
  ASSERT_TRUE(csv) << "no src_to_a.weights.csv";
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "pre,post,weight");
  int n = 0, changed = 0;
  uint32_t last_pre = 0, last_post = 0;
  while (std::getline(csv, line)) {
    uint32_t pre = 0, post = 0;
    double w = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%u,%u,%lf", &pre, &post, &w), 3) << line;
    if (n > 0) {
      EXPECT_TRUE(pre > last_pre || (pre == last_pre && post > last_post)) << line;
    }
    last_pre = pre, last_post = post;
    EXPECT_GE(w, 0.0);
    EXPECT_LE(w, 1.0);
    if (std::fabs(w - 0.5) > 1e-3) ++changed;
    ++n;
  }
  EXPECT_EQ(n, 100);
  EXPECT_GT(changed, 0) << "no weight changed in 200 ms at 50 Hz";
  // The .npy: a structured array of the same 100 records (16 bytes each).
  EXPECT_EQ(fs::file_size(out / "src_to_a.weights.npy") % 16, 0u);
  EXPECT_GT(fs::file_size(out / "src_to_a.weights.npy"), 1600u);
  const Result m = run("map " + p.string());
  EXPECT_EQ(m.code, 0) << m.err;
  // Weights during the run: at 0, 50, ..., 200 ms; the last are the final ones.
  const fs::path out2 = dir_ / "out2";
  const Result h = run("run " + p.string() + " --record-weights-every 50 --out '" + out2.string() + "'");
  ASSERT_EQ(h.code, 0) << h.err;
  std::ifstream hist(out2 / "src_to_a.weights_history.csv");
  std::getline(hist, line);
  EXPECT_EQ(line, "time_ms,pre,post,weight");
  std::vector<std::string> rows;
  while (std::getline(hist, line)) rows.push_back(line);
  ASSERT_EQ(rows.size(), 500u);
  EXPECT_EQ(rows.front().rfind("0,0,0,0.5", 0), 0u) << rows.front();
  std::ifstream final_csv(out2 / "src_to_a.weights.csv");
  std::getline(final_csv, line);
  for (size_t k = 400; k < 500; ++k) {
    ASSERT_TRUE(std::getline(final_csv, line));
    EXPECT_EQ("200," + line, rows[k]);
  }
  const Result bad_every = run("run " + p.string() + " --record-weights-every 0.05 --out '" + out2.string() + "'");
  EXPECT_EQ(bad_every.code, 2);
  EXPECT_NE(bad_every.err.find("--record-weights-every: must be a positive whole number of timesteps (0.1 ms)"),
            std::string::npos)
      << bad_every.err;
  // An invalid one is validation's error, with its path.
  const fs::path bad = write("bad.textproto", R"(run { timestep_ms: 0.1 duration_ms: 10 }
populations { label: "src" size: 10 spike_source_poisson {} }
populations { label: "a" size: 10 if_curr_exp {} }
projections {
  pre: "src" post: "a" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 0.5 }
  synapse_dynamics { stdp { timing_dependence {} additive { w_min: 0.5 w_max: 0.2 } } }
})");
  const Result b = run("validate " + bad.string());
  EXPECT_NE(b.code, 0);
  EXPECT_NE(b.err.find("projections[0].synapse_dynamics.stdp.additive.w_max: must be >= w_min (0.5), got 0.2"),
            std::string::npos)
      << b.out << b.err;
}

TEST_F(CliTest, RunWritesResultsOtherToolsRead) {
  const fs::path out = dir_ / "results";
  const Result r = run("run " + example("tiny.textproto") + " --machine 2x2 --threads 2 --out '" + out.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("noise"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dropped packets: 0 in routers, 0 on cores"), std::string::npos) << r.out;

  // spikes.csv: header, then population,neuron,time_ms rows within the run.
  std::istringstream csv(read_file(out / "spikes.csv"));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "population,neuron,time_ms");
  int rows = 0;
  while (std::getline(csv, line)) {
    ++rows;
    const double t = std::stod(line.substr(line.rfind(',') + 1));
    EXPECT_GE(t, 0.0);
    EXPECT_LT(t, 200.0);
  }
  EXPECT_GT(rows, 20);

  // NumPy .npy: magic, version 1.0, a structured (neuron u4, time_ms f8)
  // header, N x 12 bytes of data.
  const std::string npy = read_file(out / "noise.spikes.npy");
  ASSERT_GT(npy.size(), 10u);
  EXPECT_EQ(npy.substr(0, 6), "\x93NUMPY");
  const size_t header_len = static_cast<unsigned char>(npy[8]) | (static_cast<unsigned char>(npy[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  const std::string header = npy.substr(10, header_len);
  EXPECT_NE(header.find("'descr': [('neuron', '<u4'), ('time_ms', '<f8')]"), std::string::npos) << header;
  const size_t shape_at = header.find("'shape': (") + 10;
  const size_t n = std::stoul(header.substr(shape_at));
  EXPECT_EQ(npy.size(), 10 + header_len + n * 12);

  const auto prov = nlohmann::json::parse(read_file(out / "provenance.json"));
  EXPECT_EQ(prov["ticks"], 200);
  EXPECT_TRUE(prov["fabric"]["balanced"].get<bool>());
  EXPECT_EQ(prov["cores"].size(), 3u);
  EXPECT_TRUE(fs::exists(out / "mapping.json"));
  EXPECT_TRUE(fs::exists(out / "state.csv"));
}

TEST_F(CliTest, RunIsRepeatableForAnyThreadCount) {
  const fs::path a = dir_ / "a", b = dir_ / "b";
  ASSERT_EQ(run("run " + example("tiny.textproto") + " --machine 2x2 --threads 1 --out '" + a.string() + "'").code, 0);
  ASSERT_EQ(run("run " + example("tiny.textproto") + " --machine 2x2 --threads 3 --out '" + b.string() + "'").code, 0);
  EXPECT_EQ(read_file(a / "spikes.csv"), read_file(b / "spikes.csv"));
  EXPECT_EQ(read_file(a / "state.csv"), read_file(b / "state.csv"));
}

// --seed replaces run.seed: the Poisson sources of the tiny network (seed 1
// in the file) fire differently with seed 2, and --seed 1 is the file.
TEST_F(CliTest, SeedOverridesTheNetworksSeed) {
  const fs::path file = dir_ / "file", one = dir_ / "one", two = dir_ / "two";
  ASSERT_EQ(run("run " + example("tiny.textproto") + " --out '" + file.string() + "'").code, 0);
  ASSERT_EQ(run("run " + example("tiny.textproto") + " --seed 1 --out '" + one.string() + "'").code, 0);
  const Result r = run("run " + example("tiny.textproto") + " --seed 2 --out '" + two.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string spikes = read_file(file / "spikes.csv");
  ASSERT_NE(spikes.find("\nnoise,"), std::string::npos);
  EXPECT_EQ(read_file(one / "spikes.csv"), spikes);
  EXPECT_EQ(read_file(one / "state.csv"), read_file(file / "state.csv"));
  EXPECT_NE(read_file(two / "spikes.csv"), spikes);
  // The Poisson sources' own spikes differ, not only what they drive.
  auto noise = [](const std::string& csv) {
    std::string lines;
    std::istringstream in(csv);
    for (std::string line; std::getline(in, line);)
      if (line.rfind("noise,", 0) == 0) lines += line + "\n";
    return lines;
  };
  EXPECT_NE(noise(read_file(two / "spikes.csv")), noise(spikes));
  EXPECT_EQ(run("run " + example("tiny.textproto") + " --seed nope").code, 2);
}

// With stderr in a file (as here), the progress display writes plain lines,
// no '\r' redraws. The run takes over a second: 8 million ticks of one core.
TEST_F(CliTest, ProgressInAFileIsPlainLines) {
  // Long enough (~4 s on the reference machine) to print a progress line
  // on a machine several times faster.
  const fs::path net = write("long.textproto", R"(run { timestep_ms: 1 duration_ms: 40000000 seed: 1 }
populations { label: "noise" size: 1 spike_source_poisson { rate { constant: 1 } } })");
  const Result r = run("run '" + net.string() + "' --out '" + (dir_ / "out").string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto provenance = nlohmann::json::parse(read_file(dir_ / "out" / "provenance.json"));
  ASSERT_GE(provenance["wall_seconds"].get<double>(), 1.0) << "too fast to show progress";
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("running ["), std::string::npos) << r.err;
  EXPECT_EQ(r.err.rfind("running: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(" of 40000000 ticks, "), std::string::npos) << r.err;
}

TEST_F(CliTest, RunErrors) {
  EXPECT_EQ(run("run " + example("tiny.textproto") + " --duration -5").code, 2);
  EXPECT_EQ(run("run " + example("tiny.textproto") + " --machine nonsense").code, 2);
  EXPECT_EQ(run("run " + example("microcircuit_10pct.textproto") + " --machine 1").code, 1);
  EXPECT_EQ(run("run " + write("bad.textproto", "populations { label: \"x\" size: 0 }").string()).code, 1);
}

namespace {

// Run lengths: one checked conversion; nothing wraps or is ignored.
TEST_F(CliTest, RunLengthIsCheckedNotWrapped) {
  const std::string tiny = example("tiny.textproto");
  for (const char* bad : {"nan", "inf", "-1", "1e300", "4294967297"}) {
    const Result r = run("run " + tiny + " --duration " + bad + " --out '" + (dir_ / "o").string() + "'");
    EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("--duration: "), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "o" / "spikes.csv")) << bad;
  }
  // tiny's timestep is 0.1 ms: 4294967297 ms is 42949672970 ticks.
  EXPECT_NE(run("run " + tiny + " --duration 4294967297").err.find("more than the 4294967295 ticks a run can have"),
            std::string::npos);
  const Result file = run("validate " + write("long.textproto", R"(run { timestep_ms: 1 duration_ms: 4294967297 }
populations { label: "p" size: 1 if_curr_exp {} })").string());
  EXPECT_EQ(file.code, 1);
  EXPECT_NE(file.err.find("run.duration_ms: 4294967297 ms is 4294967297 ticks"), std::string::npos) << file.err;
}

// Sizes are checked before anything is expanded: these return at once.
TEST_F(CliTest, HugeNetworksAreRefusedBeforeMapping) {
  const Result huge = run("run " + write("huge.textproto", R"(run { timestep_ms: 0.1 duration_ms: 10 }
populations { label: "n" size: 1000000000 if_curr_exp {} })").string());
  EXPECT_EQ(huge.code, 1);
  EXPECT_NE(huge.err.find("populations[0].size: must be at most 4194304"), std::string::npos) << huge.err;
  const fs::path dense = write("dense.textproto", R"(run { timestep_ms: 0.1 duration_ms: 10 }
populations { label: "a" size: 450000 if_curr_exp {} }
populations { label: "b" size: 450000 if_curr_exp {} }
projections { pre: "a" post: "b" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 0.1 } })");
  const Result memory = run("run " + dense.string() + " --machine boards:2x2");
  EXPECT_EQ(memory.code, 1);
  EXPECT_NE(memory.err.find("GiB of memory to map and run"), std::string::npos) << memory.err;
  EXPECT_NE(memory.err.find("--no-memory-check"), std::string::npos) << memory.err;
  const Result cores = run("run " + dense.string());  // one 48-chip board: 816 cores
  EXPECT_EQ(cores.code, 1);
  EXPECT_NE(cores.err.find("machine '48-chip board' is too small: the network needs at least 880 cores (900000 neurons), "
                           "the machine has 816 application cores"),
            std::string::npos)
      << cores.err;
}

TEST_F(CliTest, HostileLabelsAreRefusedWithTheirPath) {
  const fs::path out = dir_ / "out";
  const Result r = run("run " + write("evil.textproto", R"(run { timestep_ms: 0.1 duration_ms: 1 }
populations { label: "../victim.txt\000" size: 2 spike_source_poisson {} }
recordings { population: "../victim.txt\000" variables: [SPIKES] })").string() + " --out '" + out.string() + "'");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("populations[0].label: character 3 ('/') is not allowed"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "victim.txt"));
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(CliTest, UnwritableOutputIsRefusedBeforeTheRun) {
  write("not-a-folder", "x");
  const Result r = run("run " + example("tiny.textproto") + " --out '" + (dir_ / "not-a-folder").string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--out"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;  // nothing ran
}

// Ctrl-C: the run stops after the tick in progress, what ran is written and
// marked partial, and the exit status says which signal (128 + 2).
TEST_F(CliTest, InterruptedRunWritesPartialResults) {
  const fs::path out = dir_ / "out";
  // SIGINT once the progress bar shows ticks, then the exit status.
  const Result r = spindle::testing::run_command(
      "sh -c \"'" + std::string(SPINDLE_BIN) + "' run " + example("cuba.textproto") + " --duration 1000000 --out '" +
          out.string() + "' 2>'" + (dir_ / "progress").string() +
          "' & pid=\\$!; for i in \\$(seq 600); do grep -q ticks '" + (dir_ / "progress").string() +
          "' && break; sleep 0.1; done; kill -INT \\$pid; wait \\$pid\"",
      dir_);
  EXPECT_EQ(r.code, 130) << r.out << r.err;
  EXPECT_NE(r.out.find("stopped by SIGINT after"), std::string::npos) << r.out;
  const auto run_json = nlohmann::json::parse(read_file(out / "run.json"));
  EXPECT_EQ(run_json["partial"], true);
  EXPECT_EQ(run_json["stopped_by"], "SIGINT");
  EXPECT_EQ(run_json["ticks_requested"], 10000000);
  EXPECT_GT(run_json["ticks"].get<uint64_t>(), 0u);
  EXPECT_LT(run_json["ticks"].get<uint64_t>(), 10000000u);
  const auto prov = nlohmann::json::parse(read_file(out / "provenance.json"));
  EXPECT_EQ(prov["partial"], true);
  EXPECT_EQ(prov["ticks"], run_json["ticks"]);
  EXPECT_EQ(prov["fabric"]["balanced"], true);
  EXPECT_FALSE(read_file(out / "spikes.csv").empty());
}

// Every packet is accounted for from the file alone.
TEST_F(CliTest, ProvenanceBalancesWithCopies) {
  const fs::path out = dir_ / "out";
  ASSERT_EQ(run("run " + example("cuba.textproto") + " --duration 50 --out '" + out.string() + "'").code, 0);
  const auto f = nlohmann::json::parse(read_file(out / "provenance.json"))["fabric"];
  uint64_t dropped = 0;
  for (const auto& [reason, n] : f["dropped"].items()) dropped += n.get<uint64_t>();
  EXPECT_GT(f["copies"].get<uint64_t>(), 0u);
  EXPECT_EQ(f["injected"].get<uint64_t>() + f["copies"].get<uint64_t>(),
            f["delivered"].get<uint64_t>() + dropped + f["pending"].get<uint64_t>());
}

}  // namespace

namespace {

// NumPy reads the .npy files as integers and the CSV's times exactly (a
// time of 999.8 ms is 999.8, not 999.8000000000001).
TEST_F(CliTest, NpyFilesHoldIntegerNeuronsAndTheCsvTimes) {
  const fs::path out = dir_ / "out";
  ASSERT_EQ(run("run " + example("cuba.textproto") + " --duration 1000 --out '" + out.string() + "'").code, 0);
  const fs::path check = write("check.py", R"(import csv, sys
import numpy as np
out = sys.argv[1]
a = np.load(out + "/exc.spikes.npy")
assert a.dtype.names == ("neuron", "time_ms"), a.dtype
assert a["neuron"].dtype == np.uint32
rows = [r for r in csv.reader(open(out + "/spikes.csv")) if r[0] == "exc"]
assert len(rows) == len(a), (len(rows), len(a))
for (label, n, t), rec in zip(rows, a):
    assert int(n) == rec["neuron"] and float(t) == rec["time_ms"], (n, t, rec)
assert any(t.endswith(".8") for _, _, t in rows)
print("ok", len(a))
)");
  const Result r = spindle::testing::run_command("/usr/bin/python3 '" + check.string() + "' '" + out.string() + "'", dir_);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ok"), std::string::npos) << r.out;
}

// What each recording asks for is what is written: a spike recording of
// some neurons, and two state recordings of one population with their own
// variables, neurons and intervals.
TEST_F(CliTest, EachRecordingGetsWhatItAsksFor) {
  const fs::path net = write("rec.textproto", R"(run { timestep_ms: 1.0 duration_ms: 60 seed: 4 }
populations { label: "noise" size: 10 spike_source_poisson { rate { constant: 200 } } }
populations { label: "cells" size: 4 if_curr_exp {} }
projections { pre: "noise" post: "cells" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 0.5 } }
recordings { population: "noise" variables: [SPIKES] neurons: [0, 1, 2] }
recordings { population: "cells" variables: [V] neurons: [0] sampling_interval: 2 }
recordings { population: "cells" variables: [GSYN_EXC] neurons: [1, 3] sampling_interval: 3 })");
  const fs::path out = dir_ / "out";
  const Result r = run("run '" + net.string() + "' --out '" + out.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream spikes(read_file(out / "spikes.csv"));
  std::string line;
  std::getline(spikes, line);
  std::set<std::string> noise_neurons;
  int rows = 0;
  while (std::getline(spikes, line)) {
    ++rows;
    ASSERT_EQ(line.rfind("noise,", 0), 0u) << line;  // cells record no spikes
    noise_neurons.insert(line.substr(6, line.find(',', 6) - 6));
  }
  EXPECT_GT(rows, 10);
  EXPECT_EQ(noise_neurons, (std::set<std::string>{"0", "1", "2"}));
  // The summary's rate is over the 3 neurons recorded, not the 10.
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.2f", rows / 3.0 / 0.06);
  EXPECT_NE(r.out.find(std::string(rate) + "  (of the 3 neurons recorded)"), std::string::npos) << r.out;
  std::istringstream state(read_file(out / "state.csv"));
  std::getline(state, line);
  int v = 0, g = 0;
  while (std::getline(state, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 5u) << line;
    const int t = std::stoi(f[2]);
    if (f[3] == "v") {
      ++v;
      EXPECT_EQ(f[1], "0") << line;
      EXPECT_EQ(t % 2, 0) << line;
    } else {
      ++g;
      EXPECT_EQ(f[3], "gsyn_exc") << line;
      EXPECT_TRUE(f[1] == "1" || f[1] == "3") << line;
      EXPECT_EQ(t % 3, 0) << line;
    }
  }
  EXPECT_EQ(v, 30);      // ticks 0, 2, ..., 58
  EXPECT_EQ(g, 2 * 20);  // ticks 0, 3, ..., 57 for two neurons
}

// THRESHOLD: an adaptive neuron's threshold v_thresh + theta + theta_h as
// the core has it, against the closed form of a neuron that never fires
// (theta decays, theta_h falls linearly); a static type's is v_thresh.
TEST_F(CliTest, ThresholdIsRecordedAsTheCoreHasIt) {
  const fs::path net = write("thr.textproto", R"(run { timestep_ms: 0.1 duration_ms: 50 }
populations { label: "a" size: 2 if_curr_exp_adaptive {
  v_thresh { constant: -50 } tau_theta { constant: 20 } eta_h { constant: 0.5 } target_rate { constant: 40 } }
  initial_values { theta { constant: 3 } theta_h { list { values: [1, -2] } } } }
populations { label: "s" size: 1 if_curr_exp { v_thresh { constant: -52.5 } } }
recordings { population: "a" variables: [THRESHOLD] sampling_interval: 1 }
recordings { population: "s" variables: [THRESHOLD] sampling_interval: 10 })");
  const fs::path out = dir_ / "out";
  const Result r = run("run '" + net.string() + "' --out '" + out.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream state(read_file(out / "state.csv"));
  std::string line;
  std::getline(state, line);
  int a = 0, s = 0;
  while (std::getline(state, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 5u) << line;
    ASSERT_EQ(f[3], "threshold") << line;
    const double t = std::stod(f[2]), value = std::stod(f[4]);
    if (f[0] == "s") {
      ++s;
      EXPECT_EQ(value, -52.5) << line;
      continue;
    }
    ++a;
    // Sampled before the tick's step: k = t / dt steps taken. theta's
    // rounding adds at most 2^-16 / (1 - exp(-dt/tau)) = 3.1e-3 mV; theta_h's
    // fall is exact in s16.47 and the sample rounds up to 2^-15 mV.
    const double k = std::round(t / 0.1), theta_h0 = f[1] == "0" ? 1.0 : -2.0;
    const double expected = -50 + 3 * std::exp(-k * 0.1 / 20) + theta_h0 - 0.5 * 40 * k * 0.1e-3;
    EXPECT_NEAR(value, expected, 3.2e-3) << line;
  }
  EXPECT_EQ(a, 2 * 50);  // every 1 ms
  EXPECT_EQ(s, 5);       // every 10 ms
}

// A run into a folder of an earlier run replaces its files and removes the
// ones it does not write; files no run wrote stay.
TEST_F(CliTest, ARunNeverMixesWithAnEarlierOne) {
  const fs::path out = dir_ / "out";
  ASSERT_EQ(run("run " + example("tiny.textproto") + " --out '" + out.string() + "'").code, 0);
  ASSERT_TRUE(fs::exists(out / "noise.spikes.npy"));
  ASSERT_TRUE(fs::exists(out / "state.csv"));
  ASSERT_EQ(run("plot '" + out.string() + "' --out '" + (out / "raster.svg").string() + "'").code, 0);
  std::ofstream(out / "notes.txt") << "mine";
  const fs::path other = write("other.textproto", R"(run { timestep_ms: 1.0 duration_ms: 20 }
populations { label: "src" size: 3 spike_source_poisson { rate { constant: 100 } } }
recordings { population: "src" variables: [SPIKES] })");
  ASSERT_EQ(run("run '" + other.string() + "' --out '" + out.string() + "'").code, 0);
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(out)) files.insert(e.path().filename().string());
  EXPECT_EQ(files, (std::set<std::string>{".spindle-results", "mapping.json", "notes.txt", "provenance.json",
                                          "run.json", "spikes.csv", "src.spikes.npy"}));
}

}  // namespace

namespace {

// Said with the projection's path, in the mapping report, and refused on
// request.
constexpr const char* kLostWeights = spindle::test::kLostWeightsNetwork;

TEST_F(CliTest, WeightsLostInTheCoresAreReported) {
  const fs::path net = write("lost.textproto", kLostWeights);
  const fs::path out = dir_ / "out";
  const Result r = run("run '" + net.string() + "' --out '" + out.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("projections[1].weight: warning: the cores hold these weights in steps of 0.00195 (16 bits "
                       "scaled to the largest weight onto population \"dst\"), so their total changes by 100.0% and "
                       "16 of 16 weights become 0"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("projections[0]"), std::string::npos) << r.err;
  const auto q = nlohmann::json::parse(read_file(out / "mapping.json"))["weight_quantization"];
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[1]["zeroed"], 16);
  EXPECT_EQ(q[1]["synapses"], 16);
  EXPECT_EQ(q[0]["zeroed"], 0);
  EXPECT_LT(q[0]["loss_fraction"].get<double>(), 1e-4);
  const Result strict = run("run '" + net.string() + "' --strict-weights --out '" + (dir_ / "s").string() + "'");
  EXPECT_EQ(strict.code, 1);
  EXPECT_NE(strict.err.find("refused by --strict-weights (1 weight warning)"), std::string::npos) << strict.err;
  // The example networks lose nothing worth a word.
  const Result cuba = run("run " + example("cuba.textproto") + " --duration 10 --out '" + (dir_ / "c").string() + "'");
  ASSERT_EQ(cuba.code, 0);
  EXPECT_EQ(cuba.err.find("warning"), std::string::npos) << cuba.err;
}

// An STDP amplitude far below one weight unit of its population would become
// 0 and that side of the rule would never act: warned about with its field.
TEST_F(CliTest, StdpAmplitudesLostInTheCoresAreReported) {
  const fs::path net = write("stdp_lost.textproto", R"(run { timestep_ms: 1 duration_ms: 20 }
populations { label: "src" size: 4 spike_source_poisson { rate { constant: 20 } } }
populations { label: "a" size: 2 if_curr_exp {} }
projections {
  pre: "src" post: "a" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 0.5 }
  synapse_dynamics { stdp {
    timing_dependence { tau_plus: 20 tau_minus: 20 A_plus: 0.000001 A_minus: 0.0101 }
    additive { w_min: 0 w_max: 100 } } }
})");
  const fs::path out = dir_ / "out";
  const Result r = run("run '" + net.string() + "' --out '" + out.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  // One unit is 2^-9 nA (the scale's power of two covering w_max 100 in
  // 16 bits); A_plus (absolute, 1e-6 nA) rounds to 0.
  EXPECT_NE(r.err.find("projections[0].synapse_dynamics.stdp.timing_dependence.A_plus: warning: the cores hold "
                       "A_plus in steps of 0.00195 (the weight unit of population \"a\"): 1e-06 becomes 0, so that "
                       "side of the rule never acts"),
            std::string::npos)
      << r.err;
  // A_minus is 5.17 units: rounded to 5, -3.3%.
  EXPECT_NE(r.err.find("projections[0].synapse_dynamics.stdp.timing_dependence.A_minus: warning: the cores hold "
                       "A_minus in steps of 0.00195 (the weight unit of population \"a\"): 0.0101 becomes 0.009766 "
                       "(-3.3%)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("projections[0].weight"), std::string::npos) << r.err;
  const auto q = nlohmann::json::parse(read_file(out / "mapping.json"))["weight_quantization"];
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0]["stdp"]["A_plus"]["in_cores"], 0.0);
  EXPECT_DOUBLE_EQ(q[0]["stdp"]["A_plus"]["given"].get<double>(), 1e-6);
  EXPECT_NEAR(q[0]["stdp"]["w_max"]["in_cores"].get<double>(), 100.0, 1e-9);
  const Result strict = run("run '" + net.string() + "' --strict-weights --out '" + (dir_ / "s").string() + "'");
  EXPECT_EQ(strict.code, 1);
  EXPECT_NE(strict.err.find("refused by --strict-weights"), std::string::npos) << strict.err;
  // The Song-Miller-Abbott example's amplitudes round by well under 1%.
  const Result sma =
      run("run " + example("song_abbott_additive.textproto") + " --duration 100 --out '" + (dir_ / "m").string() + "'");
  ASSERT_EQ(sma.code, 0) << sma.err;
  EXPECT_EQ(sma.err.find("warning"), std::string::npos) << sma.err;
}

}  // namespace
