// The Python example client (examples/python/) against the real spindled on
// a free loopback port: the streamed spikes are bit-identical to `spindle
// run` of the same network, an invalid network gets INVALID_ARGUMENT with
// the field path, injection from Python changes the spikes as expected, and
// a generic client finds and calls the service through server reflection.
// Proves that the proto is usable outside C++ with Debian's gRPC Python.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "support/command.h"
#include "support/test_networks.h"

#include "support/spindled_process.h"

namespace fs = std::filesystem;

namespace {

using Result = spindle::testing::CommandResult;
using spindle::testing::read_file;

std::string quote(const std::string& s) { return "'" + s + "'"; }

// A loopback port nobody listens on right now (the kernel's pick for port 0).
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

// (population, neuron, tick) of every spike, sorted.
using Spike = std::tuple<std::string, uint32_t, uint64_t>;

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> parts;
  std::stringstream ss(line);
  std::string part;
  while (std::getline(ss, part, sep)) parts.push_back(part);
  return parts;
}

// spike CSV lines after the header: population,neuron,<time column>; the time
// column is a tick, or with dt_ms > 0 a time in ms turned back into a tick.
std::vector<Spike> read_spikes(const fs::path& csv, double dt_ms) {
  std::vector<Spike> spikes;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto f = split(line, ',');
    if (f.size() != 3) {
      ADD_FAILURE() << csv << ": bad line '" << line << "'";
      continue;
    }
    const uint64_t tick = dt_ms > 0 ? static_cast<uint64_t>(std::llround(std::stod(f[2]) / dt_ms)) : std::stoull(f[2]);
    spikes.emplace_back(f[0], static_cast<uint32_t>(std::stoul(f[1])), tick);
  }
  std::sort(spikes.begin(), spikes.end());
  return spikes;
}

// The "population neurons spikes rate" table both `spindle run` and the
// client print: label -> spikes.
std::map<std::string, uint64_t> spike_table(const std::string& out) {
  std::map<std::string, uint64_t> counts;
  std::stringstream ss(out);
  std::string line;
  bool in_table = false;
  while (std::getline(ss, line)) {
    std::stringstream ls(line);
    std::string label, neurons, spikes;
    ls >> label >> neurons >> spikes;
    if (label == "population" && neurons == "neurons") {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (neurons.empty() || spikes.empty() || !std::isdigit(static_cast<unsigned char>(neurons[0])) ||
        !std::isdigit(static_cast<unsigned char>(spikes[0])))
      break;
    counts[label] = std::stoull(spikes);
  }
  return counts;
}

class PythonClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("spindle_python_client_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    // A missing package fails the suite: scripts/setup.sh installs both.
    ASSERT_EQ(std::system((std::string(SPINDLE_PYTHON) + " -c 'import grpc, google.protobuf' 2>/dev/null").c_str()), 0)
        << SPINDLE_PYTHON << " lacks grpc or protobuf: install python3-grpcio and python3-protobuf (scripts/setup.sh)";
    const std::string problem = daemon_.start(SPINDLED_BIN, (dir_ / "spindled.log").string());
    ASSERT_TRUE(problem.empty()) << problem;
  }

  static void TearDownTestSuite() {
    daemon_.stop();
    fs::remove_all(dir_);
  }

  void SetUp() override {
    ASSERT_TRUE(daemon_.running()) << "spindled is not running";
  }

  static std::string address() { return daemon_.address(); }

  static Result shell(const std::string& cmd) {
    static int n = 0;
    return spindle::testing::run_command(cmd, dir_, std::to_string(n++));
  }

  // /usr/bin/python3 examples/python/SCRIPT ARGS with the generated stubs.
  Result python(const std::string& script, const std::string& args) const {
    return shell("PYTHONPATH=" + quote(SPINDLE_PYTHON_GEN) + " " + SPINDLE_PYTHON + " " +
                 quote(std::string(SPINDLE_PYTHON_EXAMPLES) + "/" + script) + " --connect " + address() + " " + args);
  }

  static fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  static std::string example(const std::string& name) { return std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/" + name; }

  static inline fs::path dir_;
  static inline spindle::testing::SpindledProcess daemon_;
};

// Stands for a whole stream: the spikes of the CUBA network streamed to the
// Python client are those `spindle run` records, spike for spike.
TEST_F(PythonClientTest, StreamedCubaSpikesEqualSpindleRun) {
  const std::string net = example("cuba.textproto");
  const fs::path cli_out = dir_ / "cli_cuba";
  const Result cli = shell(quote(SPINDLE_BIN) + " run " + quote(net) + " --duration 300 --threads 1 --out " + quote(cli_out.string()));
  ASSERT_EQ(cli.code, 0) << cli.err;

  const fs::path streamed = dir_ / "streamed_cuba.csv";
  const Result py = python("spindle_client.py", quote(net) + " --duration 300 --spikes-csv " + quote(streamed.string()));
  ASSERT_EQ(py.code, 0) << py.out << py.err;
  EXPECT_NE(py.out.find("health: SERVING"), std::string::npos) << py.out;
  EXPECT_NE(py.out.find("run: RUN_COMPLETED, 3000 ticks"), std::string::npos) << py.out;
  EXPECT_NE(py.out.find("stream drops: 0 batches (0 spikes)"), std::string::npos) << py.out;
  EXPECT_NE(py.out.find("provenance: 3000 ticks"), std::string::npos) << py.out;

  // examples/python/README.md shows this run's output: every line of it but
  // the streaming ones is the client's, wall-clock figures, the address and
  // the job id aside.
  {
    const std::string readme = read_file(std::string(SPINDLE_PYTHON_EXAMPLES) + "/README.md");
    const auto from = readme.find("```\nconnected to ");
    ASSERT_NE(from, std::string::npos);
    const std::string block = readme.substr(from + 4, readme.find("```", from + 4) - from - 4);
    const std::string job = py.out.substr(py.out.find("job job-") + 4, py.out.find(' ', py.out.find("job job-") + 4) -
                                                                           py.out.find("job job-") - 4);
    auto normal = [&](std::string text) {
      text = std::regex_replace(text, std::regex("[0-9.e+]+ s wall \\([0-9.e+]+ spikes/s\\)"), "N s wall (N spikes/s)");
      text = std::regex_replace(text, std::regex("[0-9.]+ s engine time"), "N s engine time");
      text = std::regex_replace(text, std::regex("127\\.0\\.0\\.1:50051"), address());
      return std::regex_replace(text, std::regex("job-1\\b"), job);
    };
    const std::string out = "\n" + normal(py.out);
    size_t compared = 0;
    for (const std::string& line : split(normal(block), '\n')) {
      if (line.empty() || line[0] == '[') continue;
      ++compared;
      EXPECT_NE(out.find("\n" + line + "\n"), std::string::npos) << "README.md: " << line << "\nclient:\n" << py.out;
    }
    EXPECT_EQ(compared, 12u);
  }

  const auto cli_counts = spike_table(cli.out), py_counts = spike_table(py.out);
  ASSERT_EQ(cli_counts.size(), 2u) << cli.out;
  EXPECT_GT(cli_counts.at("exc"), 1000u);  // CUBA fires at ~5 Hz: 3200 x 0.3 s x 5 Hz
  EXPECT_EQ(py_counts, cli_counts) << py.out;

  // The client's CSV is spindle run's spikes.csv, byte for byte: header,
  // order, times in ms with the timestep's decimals.
  const std::string expected = read_file(cli_out / "spikes.csv"), got = read_file(streamed);
  ASSERT_EQ(got.substr(0, got.find('\n')), "population,neuron,time_ms");
  EXPECT_EQ(read_spikes(streamed, 0.1).size(), read_spikes(cli_out / "spikes.csv", 0.1).size());
  EXPECT_TRUE(got == expected) << "the client's CSV differs from spindle run's spikes.csv";
}

// The table of `spindle run` without its first and last lines: from the
// "population" header to the line before `until`.
std::string table_lines(const std::string& out, const std::string& until) {
  const auto from = out.find("population ");
  if (from == std::string::npos) return "";
  return out.substr(from, out.find(until, from) - from);
}

// The tiny network (1 ms timestep) records neither spikes nor state of
// "kick": the client's CSV and table are spindle run's, and kick is shown
// as not recorded, never as 0 spikes at 0 Hz.
TEST_F(PythonClientTest, TinyCsvAndTableAreSpindleRuns) {
  const std::string net = example("tiny.textproto");
  const fs::path cli_out = dir_ / "cli_tiny";
  const Result cli = shell(quote(SPINDLE_BIN) + " run " + quote(net) + " --out " + quote(cli_out.string()));
  ASSERT_EQ(cli.code, 0) << cli.err;
  const fs::path streamed = dir_ / "streamed_tiny.csv";
  // Paced to the wall clock (200 ms), so that progress lines are printed.
  const Result py = python("spindle_client.py", quote(net) + " --real-time --updates 200 --spikes-csv " + quote(streamed.string()));
  ASSERT_EQ(py.code, 0) << py.out << py.err;
  EXPECT_EQ(read_file(streamed), read_file(cli_out / "spikes.csv"));
  const std::string cli_table = table_lines(cli.out, "dropped packets:");
  EXPECT_NE(cli_table.find("\nkick                            1          - (not recorded)\n"), std::string::npos)
      << cli_table;
  EXPECT_EQ(table_lines(py.out, "run: RUN_COMPLETED"), cli_table) << py.out;
  EXPECT_EQ(py.out.find("kick 0"), std::string::npos) << py.out;
  EXPECT_NE(py.out.find("] t="), std::string::npos) << "no streaming line:\n" << py.out;
}

// A recording of some neurons: both tables give the rate over those.
TEST_F(PythonClientTest, RatesOfARecordedSubsetAreSpindleRuns) {
  const fs::path net = write("subset.textproto", R"(run { timestep_ms: 1.0 duration_ms: 100 seed: 4 }
populations { label: "noise" size: 10 spike_source_poisson { rate { constant: 200 } } }
recordings { population: "noise" variables: [SPIKES] neurons: [0, 1, 2] }
recordings { population: "noise" variables: [SPIKES] neurons: [2, 5] })");
  const Result cli = shell(quote(SPINDLE_BIN) + " run " + quote(net.string()) + " --out " + quote((dir_ / "o").string()));
  ASSERT_EQ(cli.code, 0) << cli.err;
  const std::string cli_table = table_lines(cli.out, "dropped packets:");
  EXPECT_NE(cli_table.find("(of the 4 neurons recorded)"), std::string::npos) << cli_table;
  const Result py = python("spindle_client.py", quote(net.string()));
  ASSERT_EQ(py.code, 0) << py.out << py.err;
  EXPECT_EQ(table_lines(py.out, "run: RUN_COMPLETED"), cli_table) << py.out;
}

TEST_F(PythonClientTest, InvalidNetworkIsInvalidArgumentWithFieldPath) {
  std::string text = read_file(example("cuba.textproto"));
  const std::string good = "connector { fixed_probability { p: 0.02 } }";
  const auto at = text.find(good);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, good.size(), "connector { fixed_probability { p: 1.5 } }");  // projections[0]
  const fs::path bad = write("bad_p.textproto", text);

  const Result py = python("spindle_client.py", quote(bad.string()));
  EXPECT_EQ(py.code, 1) << py.out << py.err;
  EXPECT_NE(py.err.find("SubmitNetwork: INVALID_ARGUMENT"), std::string::npos) << py.err;
  // Once in the status message and once from the ValidationErrors metadata.
  const std::string path = "projections[0].connector.fixed_probability.p";
  const auto first = py.err.find(path);
  ASSERT_NE(first, std::string::npos) << py.err;
  // The trailer's lines: "spindle_client:   [network.]PATH: message".
  bool from_trailer = false;
  for (const std::string& line : split(py.err, '\n'))
    if (line.rfind("spindle_client:   ", 0) == 0 && line.find(path + ": must be in [0, 1], got 1.5") != std::string::npos)
      from_trailer = true;
  EXPECT_TRUE(from_trailer) << py.err;
  EXPECT_EQ(py.out.find("run:"), std::string::npos) << "an invalid network must not run:\n" << py.out;
}

TEST_F(PythonClientTest, UnparsableFileAndNoDaemonAreReported) {
  const fs::path garbage = write("garbage.textproto", "populations { nonsense: 1 }\n");
  Result py = python("spindle_client.py", quote(garbage.string()));
  EXPECT_EQ(py.code, 2);
  EXPECT_NE(py.err.find("invalid text-format spindle.v1.Network"), std::string::npos) << py.err;
  EXPECT_NE(py.err.find("nonsense"), std::string::npos) << py.err;

  py = shell("PYTHONPATH=" + quote(SPINDLE_PYTHON_GEN) + " " + SPINDLE_PYTHON + " " +
             quote(std::string(SPINDLE_PYTHON_EXAMPLES) + "/spindle_client.py") + " --connect 127.0.0.1:" +
             std::to_string(free_loopback_port()) + " --timeout 1 " + quote(example("tiny.textproto")));
  EXPECT_EQ(py.code, 1);
  EXPECT_NE(py.err.find("no daemon answers at 127.0.0.1:"), std::string::npos) << py.err;
}

// Neurons of "driver" never fire on their own; each one drives its partner
// in "target" over threshold. Injecting driver spikes from Python makes
// exactly those targets fire, after the projection's delay.
constexpr const char* kInjectNetwork = R"pb(
run { timestep_ms: 1.0 duration_ms: 50 seed: 3 }
populations {
  label: "driver" size: 8
  if_curr_exp { v_rest { constant: -65 } v_thresh { constant: -50 } }
}
populations {
  label: "target" size: 8
  if_curr_exp {
    cm { constant: 0.25 } tau_m { constant: 20 } v_rest { constant: -65 } v_reset { constant: -65 }
    v_thresh { constant: -50 } tau_refrac { constant: 2 } tau_syn_E { constant: 5 }
  }
}
projections {
  pre: "driver" post: "target" receptor: EXCITATORY
  connector { one_to_one { } }
  weight { constant: 5 } delay { constant: 2 }
}
recordings { population: "driver" variables: SPIKES }
recordings { population: "target" variables: SPIKES }
)pb";

TEST_F(PythonClientTest, InjectedSpikesDriveTheirTargets) {
  const fs::path net = write("inject.textproto", kInjectNetwork);
  const fs::path quiet_csv = dir_ / "quiet.csv", kicked_csv = dir_ / "kicked.csv";
  const Result quiet = python("spindle_client.py", quote(net.string()) + " --spikes-csv " + quote(quiet_csv.string()));
  ASSERT_EQ(quiet.code, 0) << quiet.out << quiet.err;
  EXPECT_TRUE(read_spikes(quiet_csv, 0).empty()) << quiet.out;

  const Result kicked = python("spindle_client.py", quote(net.string()) + " --inject driver:1,4-5@10 --inject driver:7@20" +
                                                        " --spikes-csv " + quote(kicked_csv.string()));
  ASSERT_EQ(kicked.code, 0) << kicked.out << kicked.err;
  EXPECT_NE(kicked.out.find("injected: 4 spikes in 2 requests (0 late)"), std::string::npos) << kicked.out;
  EXPECT_NE(kicked.out.find(", 4 injected,"), std::string::npos) << kicked.out;
  const auto spikes = read_spikes(kicked_csv, 0);
  // The driver records SPIKES, so its injected spikes are streamed with it
  // at the ticks they were sent in; each target fires once, a few ticks
  // after its input arrives (tick 10 + 2 ms delay, 20 + 2).
  std::map<uint32_t, uint64_t> first_target_spike;
  std::vector<std::pair<uint32_t, uint64_t>> driver;
  for (const auto& [pop, neuron, tick] : spikes) {
    if (pop == "driver") driver.push_back({neuron, tick});
    else if (!first_target_spike.count(neuron)) first_target_spike[neuron] = tick;
  }
  EXPECT_EQ(driver, (std::vector<std::pair<uint32_t, uint64_t>>{{1, 10}, {4, 10}, {5, 10}, {7, 20}}));
  ASSERT_EQ(first_target_spike.size(), 4u) << kicked.out;
  for (uint32_t n : {1u, 4u, 5u}) {
    ASSERT_TRUE(first_target_spike.count(n)) << n;
    EXPECT_GE(first_target_spike[n], 12u);
    EXPECT_LE(first_target_spike[n], 16u);
  }
  ASSERT_TRUE(first_target_spike.count(7));
  EXPECT_GE(first_target_spike[7], 22u);
  EXPECT_LE(first_target_spike[7], 26u);
}

TEST_F(PythonClientTest, InjectionIntoAnUnknownPopulationIsReported) {
  const fs::path net = write("inject_bad.textproto", kInjectNetwork);
  const Result py = python("spindle_client.py", quote(net.string()) + " --inject nobody:0@1");
  EXPECT_EQ(py.code, 1) << py.out << py.err;
  EXPECT_NE(py.err.find("Inject: INVALID_ARGUMENT"), std::string::npos) << py.err;
  EXPECT_NE(py.err.find("nobody"), std::string::npos) << py.err;
}

// A generic client: lists the services through reflection, then calls
// DescribeMachine from the descriptors the daemon sent.
TEST_F(PythonClientTest, ReflectionListsAndCallsTheService) {
  const Result py = python("reflection_client.py", "");
  ASSERT_EQ(py.code, 0) << py.out << py.err;
  EXPECT_NE(py.out.find("spindle.v1.Spindle"), std::string::npos) << py.out;
  EXPECT_NE(py.out.find("grpc.health.v1.Health"), std::string::npos) << py.out;
  EXPECT_NE(py.out.find("Run(spindle.v1.RunRequest) returns (stream spindle.v1.RunEvent)"), std::string::npos)
      << py.out;
  EXPECT_NE(py.out.find("Inject(stream spindle.v1.InjectRequest) returns (spindle.v1.InjectSummary)"),
            std::string::npos)
      << py.out;
  EXPECT_NE(py.out.find("chips: 48\n"), std::string::npos) << py.out;
  EXPECT_NE(py.out.find("application_cores: 816"), std::string::npos) << py.out;
}

}  // namespace

namespace {

// Hostile labels: the daemon refuses them with the field path, and the
// client's CSV keeps any label one field (RFC 4180 quoting), should a
// daemon send one.
TEST_F(PythonClientTest, HostileLabelsAreRefusedAndCsvFieldsStayFields) {
  const fs::path evil = write("evil.textproto", R"(run { timestep_ms: 0.1 duration_ms: 1 }
populations { label: "../victim.txt\000" size: 2 spike_source_poisson {} }
recordings { population: "../victim.txt\000" variables: [SPIKES] })");
  const Result py = python("spindle_client.py", quote(evil.string()));
  EXPECT_EQ(py.code, 1) << py.out << py.err;
  EXPECT_NE(py.err.find("populations[0].label"), std::string::npos) << py.err;

  const fs::path csv = dir_ / "quoted.csv";
  const std::string script =
      "import csv, sys\n"
      "sys.path.insert(0, '" + std::string(SPINDLE_PYTHON_EXAMPLES) + "')\n"
      "from spindle_client import SpikeTally\n"
      "from spindle.v1 import service_pb2\n"
      "p = service_pb2.PopulationInfo(label='a,b\\n\"c\"', size=3, index=0)\n"
      "t = SpikeTally([p], 0.1, '" + csv.string() + "')\n"
      "t.add(service_pb2.SpikeBatch(population_index=0, population=p.label, neuron_ids=[1, 2], ticks=[5, 6]))\n"
      "t.close()\n"
      "text = open('" + csv.string() + "', newline='').read()\n"
      "assert text.startswith('population,neuron,time_ms\\n\"a,b\\n\"\"c\"\"\",1,0.5\\n'), repr(text)\n"
      "rows = list(csv.reader(open('" + csv.string() + "', newline='')))\n"
      "assert rows[0] == ['population', 'neuron', 'time_ms'], rows\n"
      "assert rows[1] == [p.label, '1', '0.5'], rows\n"
      "assert len(rows) == 3, rows\n"
      "print('ok')\n";
  const fs::path py_file = write("quoted_check.py", script);
  const Result check = shell("PYTHONPATH=" + quote(SPINDLE_PYTHON_GEN) + " " + SPINDLE_PYTHON + " " + quote(py_file.string()));
  EXPECT_EQ(check.code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("ok"), std::string::npos);
}

}  // namespace

namespace {

// The jobs `spindle --connect` lists for a client ("" = its default name).
std::string spindle_jobs(const std::string& address, const std::string& client) {
  static int n = 0;
  const fs::path dir = fs::temp_directory_path() / ("spindle_python_jobs_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const Result r = spindle::testing::run_command(
      quote(SPINDLE_BIN) + " --connect " + quote(address) + (client.empty() ? "" : " --client " + quote(client)) +
          " jobs",
      dir, std::to_string(n++));
  EXPECT_EQ(r.code, 0) << r.err;
  fs::remove_all(dir);
  return r.out;
}

// The job id in the client's "job job-N (name): ..." line.
std::string job_id(const std::string& out) {
  const auto at = out.find("\njob job-");
  if (at == std::string::npos) return "";
  return out.substr(at + 5, out.find(' ', at + 5) - at - 5);
}

// The address from $SPINDLE_CONNECT (or the deprecated $SPINDLE_DAEMON);
// by default the client is USER@HOST, the name `spindle --connect` uses, so
// `spindle jobs` finds a job the Python client left; $SPINDLE_CLIENT and
// --client choose another name in both.
TEST_F(PythonClientTest, AddressAndClientNameAreFoundAsSpindleFindsThem) {
  const std::string script = quote(std::string(SPINDLE_PYTHON_EXAMPLES) + "/spindle_client.py");
  const std::string py = "PYTHONPATH=" + quote(SPINDLE_PYTHON_GEN) + " " + SPINDLE_PYTHON + " " + script + " " +
                         quote(example("tiny.textproto")) + " --duration 20 --keep-job";
  Result r = shell("SPINDLE_CONNECT=" + address() + " " + py);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("connected to " + address()), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("deprecated"), std::string::npos) << r.err;
  const std::string mine = job_id(r.out);
  ASSERT_FALSE(mine.empty()) << r.out;
  EXPECT_NE(spindle_jobs(address(), "").find(mine + " "), std::string::npos) << "spindle jobs does not list " << mine;

  r = shell("SPINDLE_DAEMON=" + address() + " SPINDLE_CLIENT=python-test-client " + py);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("SPINDLE_DAEMON is deprecated; set SPINDLE_CONNECT"), std::string::npos) << r.err;
  const std::string theirs = job_id(r.out);
  ASSERT_FALSE(theirs.empty()) << r.out;
  const std::string listed = spindle_jobs(address(), "python-test-client");
  EXPECT_NE(listed.find(theirs + " "), std::string::npos) << listed;
  EXPECT_EQ(listed.find(mine + " "), std::string::npos) << listed;
  EXPECT_EQ(spindle_jobs(address(), "").find(theirs + " "), std::string::npos);
  // `spindle` reads $SPINDLE_CLIENT too.
  EXPECT_EQ(shell("SPINDLE_CLIENT=python-test-client " + quote(SPINDLE_BIN) + " --connect " + address() + " jobs").out,
            listed);

  // --client wins over $SPINDLE_CLIENT; the job is deleted at the end.
  r = shell("SPINDLE_CONNECT=" + address() + " SPINDLE_CLIENT=someone-else " +
            py.substr(0, py.find(" --keep-job")) + " --client python-test-client");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(spindle_jobs(address(), "python-test-client"), listed);

  for (const auto& [client, job] : {std::pair{std::string(), mine}, std::pair{std::string("python-test-client"), theirs}})
    EXPECT_EQ(shell(quote(SPINDLE_BIN) + " --connect " + address() +
                    (client.empty() ? "" : " --client " + client) + " jobs --delete " + job).code, 0);

  r = shell("SPINDLE_CONNECT=" + address() + " PYTHONPATH=" + quote(SPINDLE_PYTHON_GEN) + " " + SPINDLE_PYTHON + " " +
            quote(std::string(SPINDLE_PYTHON_EXAMPLES) + "/reflection_client.py"));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("spindle.v1.Spindle"), std::string::npos) << r.out;
}

// Ctrl-C during a run: the client cancels the job, deletes it and exits 130.
TEST_F(PythonClientTest, CtrlCCancelsAndDeletesTheJob) {
  const fs::path out = dir_ / "ctrl_c.out", err = dir_ / "ctrl_c.err";
  const std::string gen = SPINDLE_PYTHON_GEN, script = std::string(SPINDLE_PYTHON_EXAMPLES) + "/spindle_client.py";
  const std::string net = example("cuba.textproto"), addr = address();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setenv("PYTHONPATH", gen.c_str(), 1);
    if (!std::freopen(out.c_str(), "w", stdout) || !std::freopen(err.c_str(), "w", stderr)) ::_exit(126);
    // Paced to the wall clock, 20 s of CUBA takes minutes: it is still running when interrupted.
    ::execl(SPINDLE_PYTHON, SPINDLE_PYTHON, script.c_str(), "--connect", addr.c_str(), "--client", "ctrl-c-test",
            "--real-time", "--duration", "20000", net.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (read_file(out).find("run: job ticks") == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_NE(read_file(out).find("run: job ticks"), std::string::npos) << read_file(out) << read_file(err);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // well into the run
  const std::string job = job_id(read_file(out));
  EXPECT_NE(spindle_jobs(addr, "ctrl-c-test").find(job + " "), std::string::npos);
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline + std::chrono::seconds(30))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL() << "the client did not exit after SIGINT:\n" << read_file(out) << read_file(err);
  }
  ASSERT_TRUE(WIFEXITED(status)) << status << "\n" << read_file(err);
  EXPECT_EQ(WEXITSTATUS(status), 130) << read_file(out) << read_file(err);
  EXPECT_NE(read_file(err).find("interrupted: job " + job + " cancelled and deleted"), std::string::npos)
      << read_file(err);
  EXPECT_EQ(read_file(err).find("Traceback"), std::string::npos) << read_file(err);
  // Nothing is left on the daemon.
  EXPECT_EQ(spindle_jobs(addr, "ctrl-c-test").find(job + " "), std::string::npos);
}

}  // namespace

namespace {

// The network of CliTest.WeightsLostInTheCoresAreReported: the cores' 16-bit
// weights round projections[1] to 0. The client prints the daemon's warning
// (SubmitNetworkResponse.warnings) with the field path from the file's root,
// as `spindle run` does, and runs the job.
TEST_F(PythonClientTest, WeightWarningsFromTheDaemonArePrinted) {
  const fs::path net = write("lost.textproto", spindle::test::kLostWeightsNetwork);
  const Result py = python("spindle_client.py", quote(net.string()));
  ASSERT_EQ(py.code, 0) << py.out << py.err;
  EXPECT_NE(py.err.find("spindle_client: " + net.string() +
                        ": projections[1].weight: warning: the cores hold these weights in steps of 0.00195"),
            std::string::npos)
      << py.err;
  EXPECT_EQ(py.err.find("projections[0]"), std::string::npos) << py.err;
  EXPECT_NE(py.out.find("run: RUN_COMPLETED"), std::string::npos) << py.out;
}

// The weights of a plastic network after a run through the daemon
// (GetWeights) are `spindle run`'s <projection>.weights.csv, line for line.
TEST_F(PythonClientTest, WeightsCsvHoldsTheWeightsSpindleRunWrites) {
  const std::string net = example("song_abbott_additive.textproto");
  const fs::path cli_out = dir_ / "cli_sma";
  const Result cli =
      shell(quote(SPINDLE_BIN) + " run " + quote(net) + " --duration 2000 --out " + quote(cli_out.string()));
  ASSERT_EQ(cli.code, 0) << cli.err;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(cli_out))
    if (e.path().string().ends_with(".weights.csv")) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  const fs::path weights = dir_ / "weights.csv";
  const Result py = python("spindle_client.py", quote(net) + " --duration 2000 --weights-csv " + quote(weights.string()));
  ASSERT_EQ(py.code, 0) << py.out << py.err;
  EXPECT_NE(py.out.find("weights: 1000 synapses of 1 plastic projection(s)"), std::string::npos) << py.out;
  // Each line is "inputs->neuron," + the CLI's line.
  std::istringstream cli_lines(read_file(files[0])), py_lines(read_file(weights));
  std::string a, b;
  ASSERT_TRUE(std::getline(cli_lines, a) && std::getline(py_lines, b));
  EXPECT_EQ(a, "pre,post,weight");
  EXPECT_EQ(b, "projection,pre,post,weight");
  size_t n = 0;
  while (std::getline(cli_lines, a)) {
    ASSERT_TRUE(std::getline(py_lines, b)) << "line " << n;
    ASSERT_EQ(b, "inputs->neuron," + a) << "line " << n;
    ++n;
  }
  EXPECT_FALSE(std::getline(py_lines, b)) << b;
  EXPECT_EQ(n, 1000u);
}

}  // namespace
