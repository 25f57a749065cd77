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
#include "support/test_networks.h"
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
      if (e.path().extension() == ".npy" || e.path().filename().string().ends_with(".weights.csv"))
        files.push_back(e.path().filename().string());
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

// Plastic weights come back through GetWeights: the same .weights.csv and
// .weights.npy as in-process.
TEST_F(ConnectTest, RunPlasticWritesTheSameWeights) {
  expect_same_run(example("song_abbott_additive.textproto"), "--duration 2000", false);
  EXPECT_TRUE(fs::exists(dir_ / "remote" / "inputs-_neuron.weights.csv"));
}

TEST_F(ConnectTest, RunShortCubaWritesTheSameFiles) {
  expect_same_run(example("cuba.textproto"), "--duration 100", true);
}

// --seed reaches the daemon: a run through it with another seed gives what
// the in-process run with that seed gives (CUBA's Poisson-free network
// draws its connectivity and initial values from the seed).
TEST_F(ConnectTest, RunWithSeedWritesTheSameFilesAsInProcess) {
  expect_same_run(example("cuba.textproto"), "--duration 100 --seed 7", true);
  const fs::path other = dir_ / "other-seed";
  fs::remove_all(other);
  ASSERT_EQ(spindle("run '" + example("cuba.textproto") + "' --duration 100 --out '" + other.string() + "'").code, 0);
  EXPECT_NE(read_file(other / "spikes.csv"), read_file(dir_ / "local" / "spikes.csv")) << "--seed 7 changed nothing";
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

namespace {

TEST_F(ConnectTest, HostileLabelsAreRefusedByTheDaemon) {
  const fs::path out = dir_ / "hostile";
  const Result r = spindle(connect() + "run '" +
                           write("evil.textproto", R"(run { timestep_ms: 0.1 duration_ms: 1 }
populations { label: "../victim.txt\000" size: 2 spike_source_poisson {} }
recordings { population: "../victim.txt\000" variables: [SPIKES] })")
                               .string() +
                           "' --out '" + out.string() + "'");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("populations[0].label: character 3 ('/') is not allowed"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "victim.txt"));
}

// Ctrl-C on `spindle --connect ... run`: the daemon cancels the run, what
// ran is written (marked partial) and the job is deleted.
TEST_F(ConnectTest, InterruptedRunWritesPartialResultsAndDeletesItsJob) {
  const fs::path out = dir_ / "interrupted";
  const std::string bin = "'" + std::string(SPINDLE_BIN) + "' " + connect() + "--client interrupt-test ";
  // SIGINT once the job runs (as `spindle jobs` shows), then the exit status.
  const Result r = spindle::testing::run_command(
      "sh -c \"" + bin + "run '" + example("cuba.textproto") + "' --duration 1000000 --out '" + out.string() +
          "' & pid=\\$!; for i in \\$(seq 600); do " + bin +
          "jobs | grep -q JOB_RUNNING && break; sleep 0.1; done; kill -INT \\$pid; wait \\$pid\"",
      dir_);
  EXPECT_EQ(r.code, 130) << r.out << r.err;
  EXPECT_NE(r.out.find("stopped by SIGINT after"), std::string::npos) << r.out;
  const auto run_json = nlohmann::json::parse(read_file(out / "run.json"));
  EXPECT_EQ(run_json["partial"], true);
  EXPECT_GT(run_json["ticks"].get<uint64_t>(), 0u);
  EXPECT_EQ(nlohmann::json::parse(read_file(out / "provenance.json"))["fabric"]["balanced"], true);
  const Result jobs = spindle(connect() + "--client interrupt-test jobs");
  EXPECT_EQ(jobs.code, 0) << jobs.err;
  EXPECT_EQ(jobs.out.find("job-"), std::string::npos) << jobs.out;  // nothing left behind
}

TEST_F(ConnectTest, JobsListsCancelsAndDeletesThisClientsJobs) {
  EXPECT_EQ(spindle("jobs").code, 2);  // needs --connect
  const Result empty = spindle(connect() + "--client lister jobs");
  ASSERT_EQ(empty.code, 0) << empty.err;
  EXPECT_EQ(empty.out.find("job-"), std::string::npos);
  const Result missing = spindle(connect() + "--client lister jobs --delete job-999999");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("NOT_FOUND"), std::string::npos) << missing.err;
}

}  // namespace

namespace {

// Recordings of neuron subsets with their own intervals: the daemon's cores
// record the union, and both paths write what each recording asked for.
TEST_F(ConnectTest, RecordingSubsetsWriteTheSameFiles) {
  const fs::path net = write("subsets.textproto", R"(run { timestep_ms: 1.0 duration_ms: 60 seed: 4 }
populations { label: "noise" size: 10 spike_source_poisson { rate { constant: 200 } } }
populations { label: "cells" size: 4 if_curr_exp {} }
projections { pre: "noise" post: "cells" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 0.5 } }
recordings { population: "noise" variables: [SPIKES] neurons: [0, 1, 2] }
recordings { population: "cells" variables: [V] neurons: [0] sampling_interval: 2 }
recordings { population: "cells" variables: [GSYN_EXC] neurons: [1, 3] sampling_interval: 3 })");
  expect_same_run(net.string(), "", true);
}

}  // namespace

namespace {

// $SPINDLE_CONNECT stands for --connect: `spindle jobs` and `spindle
// machine` reach the daemon with the variable and no option.
TEST_F(ConnectTest, SpindleConnectVariableReachesTheDaemon) {
  const std::string bin = "SPINDLE_CONNECT=" + daemon_->address() + " '" + SPINDLE_BIN + "' ";
  const Result jobs = spindle::testing::run_command(bin + "--client env-test jobs", dir_);
  EXPECT_EQ(jobs.code, 0) << jobs.err;
  EXPECT_EQ(jobs.out.rfind("job ", 0), 0u) << jobs.out;  // the list's header: ListJobs answered
  const Result machine = spindle::testing::run_command(bin + "machine", dir_);
  EXPECT_EQ(machine.code, 0) << machine.err;
  EXPECT_NE(machine.out.find(" at " + daemon_->address() + ")"), std::string::npos) << machine.out;
}

// The network of CliTest.WeightsLostInTheCoresAreReported: the cores'
// 16-bit weights round projections[1] to 0. Through the daemon the warning
// is the in-process one (SubmitNetworkResponse.warnings), and
// --strict-weights makes the daemon refuse the job with the field path.
constexpr const char* kLostWeights = spindle::test::kLostWeightsNetwork;

TEST_F(ConnectTest, RunReportsWeightsLostInTheCoresAndStrictWeightsRefuses) {
  const fs::path net = write("lost.textproto", kLostWeights);
  const Result r = spindle(connect() + "run '" + net.string() + "' --out '" + (dir_ / "lost").string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find(net.string() + ": projections[1].weight: warning: the cores hold these weights in steps of "
                       "0.00195 (16 bits scaled to the largest weight onto population \"dst\"), so their total "
                       "changes by 100.0% and 16 of 16 weights become 0"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("projections[0]"), std::string::npos) << r.err;

  const fs::path strict_out = dir_ / "lost-strict";
  const Result strict = spindle(connect() + "run '" + net.string() + "' --strict-weights --out '" +
                                strict_out.string() + "'");
  EXPECT_EQ(strict.code, 1) << strict.err;
  EXPECT_NE(strict.err.find(net.string() + ": projections[1].weight: the cores hold these weights"), std::string::npos)
      << strict.err;
  EXPECT_EQ(strict.err.find("warning:"), std::string::npos) << strict.err;
  EXPECT_FALSE(fs::exists(strict_out / "run.json"));  // refused before anything ran
}

// Starts `spindle --connect ADDR --client CLIENT run` of a long CUBA in the
// background, waits until `spindle jobs` shows its job running, runs
// `spindle jobs ACTION JOB` and waits for the run. Prints "job JOB", that
// command's output, "jobs: exit N" and "run: exit N"; the run's stdout and
// stderr go to OUT.stdout and OUT.stderr. The run's client is stopped
// (SIGSTOP) while ACTION runs: it deletes its job as soon as the run ends,
// which would race with --delete.
constexpr const char* kJobActionScript = R"(bin=$1 addr=$2 client=$3 net=$4 out=$5 action=$6
s() { "$bin" --connect "$addr" --client "$client" "$@"; }
"$bin" --connect "$addr" --client "$client" run "$net" --duration 1000000 --out "$out" >"$out.stdout" 2>"$out.stderr" &
pid=$!
job=
for i in $(seq 600); do
  job=$(s jobs | awk '$2 == "JOB_RUNNING" { print $1 }')
  [ -n "$job" ] && break
  sleep 0.1
done
if [ -z "$job" ]; then kill -INT $pid; wait $pid; echo "no running job"; exit 1; fi
echo "job $job"
kill -STOP $pid
s jobs "$action" "$job"
rc=$?
echo "jobs: exit $rc"
kill -CONT $pid
[ $rc = 0 ] || kill -INT $pid
wait $pid
echo "run: exit $?"
)";

// kJobActionScript with ACTION on a running CUBA job of CLIENT; `run_err`
// gets the run's stderr.
Result job_action(const fs::path& dir, const std::string& address, const std::string& client,
                  const std::string& action, std::string& run_err) {
  const fs::path script = dir / "job_action.sh", out = dir / ("job_action_" + client);
  std::ofstream(script, std::ios::binary) << kJobActionScript;
  fs::remove_all(out);
  const Result r = spindle::testing::run_command("sh '" + script.string() + "' '" + SPINDLE_BIN + "' " + address +
                                                     " " + client + " '" + example("cuba.textproto") + "' '" +
                                                     out.string() + "' " + action,
                                                 dir);
  run_err = read_file(out.string() + ".stderr");
  return r;
}

// The JOB of kJobActionScript's "job JOB" line.
std::string running_job(const std::string& out) {
  const auto at = out.find("job job-");
  return at == std::string::npos ? "" : out.substr(at + 4, out.find('\n', at) - at - 4);
}

// `spindle jobs --cancel` of a running job returns once the run stopped: the
// job is JOB_CANCELLED, and the run's client sees its stream end CANCELLED.
TEST_F(ConnectTest, JobsCancelStopsARunningJob) {
  std::string run_err;
  const Result r = job_action(dir_, daemon_->address(), "cancel-test", "--cancel", run_err);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const std::string job = running_job(r.out);
  ASSERT_FALSE(job.empty()) << r.out << r.err;
  EXPECT_NE(r.out.find("\n" + job + ": JOB_CANCELLED\njobs: exit 0\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run: exit 1\n"), std::string::npos) << r.out << run_err;
  EXPECT_NE(run_err.find("CANCELLED: cancelled by a Cancel call"), std::string::npos) << run_err;
  // The run's client deletes its job as it ends.
  const Result jobs = spindle(connect() + "--client cancel-test jobs");
  EXPECT_EQ(jobs.code, 0) << jobs.err;
  EXPECT_EQ(jobs.out.find(job + " "), std::string::npos) << jobs.out;
}

// `spindle jobs --delete` of a running job cancels the run first (the daemon
// deletes no running job), then deletes it.
TEST_F(ConnectTest, JobsDeleteCancelsAndDeletesARunningJob) {
  std::string run_err;
  const Result r = job_action(dir_, daemon_->address(), "delete-test", "--delete", run_err);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const std::string job = running_job(r.out);
  ASSERT_FALSE(job.empty()) << r.out << r.err;
  EXPECT_NE(r.out.find("\n" + job + ": deleted\njobs: exit 0\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run: exit 1\n"), std::string::npos) << r.out << run_err;
  EXPECT_NE(run_err.find("CANCELLED: cancelled by a Cancel call"), std::string::npos) << run_err;
  const Result jobs = spindle(connect() + "--client delete-test jobs");
  EXPECT_EQ(jobs.code, 0) << jobs.err;
  EXPECT_EQ(jobs.out.find(job + " "), std::string::npos) << jobs.out;
}

}  // namespace
