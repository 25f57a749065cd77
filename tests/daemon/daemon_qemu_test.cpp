// spindled's `qemu` backend end to end (docs/daemon.md, "Backends"): the
// real daemon with its cores as ARM images under qemu-system-arm, against
// the same daemon's native jobs. The QEMU processes are found in /proc as
// the daemon's children, so the tests can check that none is left behind
// and can kill one to see the job fail while the daemon goes on.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "daemon_process.h"
#include "network/load.h"
#include "spindle/v1/service.grpc.pb.h"

namespace spindle {
namespace {

namespace fs = std::filesystem;
using test::DaemonProcess;
using Stub = v1::Spindle::Stub;
using Spikes = std::map<std::string, std::vector<std::pair<uint64_t, uint32_t>>>;
constexpr const char* kClient = "qa";

std::string tiny_path() { return std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/tiny.textproto"; }
v1::Network tiny() { return host::network::load_network(tiny_path()); }

std::unique_ptr<Stub> connect(const std::string& address) {
  return v1::Spindle::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

std::unique_ptr<grpc::ClientContext> context() {
  auto c = std::make_unique<grpc::ClientContext>();
  c->AddMetadata("spindle-client", kClient);
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  return c;
}

v1::SubmitNetworkRequest request(const std::string& backend, std::vector<uint32_t> slices = {}) {
  v1::SubmitNetworkRequest r;
  *r.mutable_network() = tiny();
  r.set_backend(backend);
  if (backend == "qemu") r.mutable_qemu()->mutable_slices()->Add(slices.begin(), slices.end());
  return r;
}

grpc::Status submit(Stub& stub, const v1::SubmitNetworkRequest& r, v1::SubmitNetworkResponse& resp) {
  return stub.SubmitNetwork(context().get(), r, &resp);
}

struct Streamed {
  Spikes spikes;
  v1::RunFinal final_event;
  grpc::Status status;
};

// Runs a job; `on_progress` is called on every Progress event.
Streamed run(Stub& stub, const std::string& job, double duration_ms, const std::function<void()>& on_progress = {}) {
  v1::RunRequest req;
  req.set_job_id(job);
  req.set_duration_ms(duration_ms);
  req.set_chunk_ticks(7);
  auto ctx = context();
  auto reader = stub.Run(ctx.get(), req);
  Streamed out;
  v1::RunEvent e;
  while (reader->Read(&e)) {
    if (e.has_spikes())
      for (int i = 0; i < e.spikes().neuron_ids_size(); ++i)
        out.spikes[e.spikes().population()].push_back({e.spikes().ticks(i), e.spikes().neuron_ids(i)});
    if (e.has_progress() && on_progress) on_progress();
    if (e.has_final()) out.final_event = e.final();
  }
  out.status = reader->Finish();
  return out;
}

grpc::Status delete_job(Stub& stub, const std::string& job) {
  v1::DeleteJobRequest req;
  req.set_job_id(job);
  v1::DeleteJobResponse resp;
  return stub.DeleteJob(context().get(), req, &resp);
}

// The qemu-system-arm processes whose parent is `parent`, from /proc.
std::vector<pid_t> qemu_children(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
    const size_t close = line.rfind(')');
    const size_t open = line.find('(');
    if (close == std::string::npos || open == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state != 'Z' && line.substr(open + 1, close - open - 1) == "qemu-system-arm")
      out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

// Whether `pid` is still a live qemu-system-arm process (any parent).
bool qemu_alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t close = line.rfind(')');
  return line.find("(qemu-system-arm)") != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

// Waits up to 20 s for the daemon to have `n` QEMU children.
std::vector<pid_t> wait_for_children(pid_t daemon, size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::vector<pid_t> now = qemu_children(daemon);
  while (now.size() != n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    now = qemu_children(daemon);
  }
  return now;
}

TEST(DaemonQemu, StreamsTheNativeSpikesBitForBit) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  v1::DescribeMachineResponse machine;
  ASSERT_TRUE(stub->DescribeMachine(context().get(), {}, &machine).ok());
  const auto qemu = std::find_if(machine.backends().begin(), machine.backends().end(),
                                 [](const v1::Backend& b) { return b.name() == "qemu"; });
  ASSERT_NE(qemu, machine.backends().end());
  EXPECT_TRUE(qemu->available()) << qemu->description();

  v1::SubmitNetworkResponse native_job, qemu_job, mixed_job;
  ASSERT_TRUE(submit(*stub, request("native"), native_job).ok());
  const grpc::Status s = submit(*stub, request("qemu"), qemu_job);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const uint32_t cores = qemu_job.job().cores();
  EXPECT_GE(cores, 3u);
  EXPECT_EQ(qemu_job.job().backend(), "qemu");
  EXPECT_EQ(qemu_job.job().board(), "mps2-an386");
  EXPECT_EQ(qemu_job.job().qemu_cores(), cores);
  EXPECT_EQ(qemu_children(daemon.pid()).size(), cores);  // one process per core, all the daemon's
  ASSERT_TRUE(submit(*stub, request("qemu", {1}), mixed_job).ok());
  EXPECT_EQ(mixed_job.job().qemu_cores(), 1u);
  EXPECT_EQ(qemu_children(daemon.pid()).size(), cores + 1);

  const Streamed native = run(*stub, native_job.job().job_id(), 200);
  const Streamed on_qemu = run(*stub, qemu_job.job().job_id(), 200);
  const Streamed mixed = run(*stub, mixed_job.job().job_id(), 200);
  for (const Streamed* r : {&native, &on_qemu, &mixed}) {
    ASSERT_TRUE(r->status.ok()) << r->status.error_message();
    EXPECT_EQ(r->final_event.status(), v1::RUN_COMPLETED);
  }
  ASSERT_FALSE(native.spikes.at("neurons").empty());
  EXPECT_EQ(on_qemu.spikes, native.spikes);  // in streaming order, not sorted: bit for bit
  EXPECT_EQ(mixed.spikes, native.spikes);
  EXPECT_EQ(on_qemu.final_event.provenance().spikes(), native.final_event.provenance().spikes());
  EXPECT_EQ(on_qemu.final_event.provenance().fabric().delivered(),
            native.final_event.provenance().fabric().delivered());

  ASSERT_TRUE(delete_job(*stub, qemu_job.job().job_id()).ok());
  EXPECT_EQ(wait_for_children(daemon.pid(), 1).size(), 1u);  // the mixed job's stays
  ASSERT_TRUE(delete_job(*stub, mixed_job.job().job_id()).ok());
  EXPECT_TRUE(wait_for_children(daemon.pid(), 0).empty());
}

TEST(DaemonQemu, CancelDeleteAndShutdownLeaveNoQemuBehind) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  v1::SubmitNetworkResponse job;
  ASSERT_TRUE(submit(*stub, request("qemu"), job).ok());
  const std::string id = job.job().job_id();
  const std::vector<pid_t> first = qemu_children(daemon.pid());
  ASSERT_EQ(first.size(), job.job().cores());

  // Cancelled mid-run: the job keeps its processes (and recordings) until
  // DeleteJob.
  std::thread canceller;
  const Streamed r = run(*stub, id, 100000, [&] {
    if (canceller.joinable()) return;
    canceller = std::thread([&] {
      v1::CancelRequest c;
      c.set_job_id(id);
      v1::JobInfo out;
      stub->Cancel(context().get(), c, &out);
    });
  });
  ASSERT_TRUE(canceller.joinable());
  canceller.join();
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::CANCELLED) << r.status.error_message();
  EXPECT_EQ(r.final_event.status(), v1::RUN_CANCELLED);
  EXPECT_EQ(qemu_children(daemon.pid()).size(), first.size());
  ASSERT_TRUE(delete_job(*stub, id).ok());
  EXPECT_TRUE(wait_for_children(daemon.pid(), 0).empty());
  for (pid_t p : first) EXPECT_FALSE(qemu_alive(p)) << p;

  // Shutdown while a qemu job runs: the run is cancelled, spindled exits 0
  // and takes the processes with it.
  v1::SubmitNetworkResponse second;
  ASSERT_TRUE(submit(*stub, request("qemu"), second).ok());
  const std::vector<pid_t> running = qemu_children(daemon.pid());
  ASSERT_EQ(running.size(), second.job().cores());
  std::promise<void> started;
  auto started_once = std::make_shared<std::once_flag>();
  std::thread runner([&] {
    run(*stub, second.job().job_id(), 100000, [&] { std::call_once(*started_once, [&] { started.set_value(); }); });
  });
  ASSERT_EQ(started.get_future().wait_for(std::chrono::seconds(60)), std::future_status::ready);
  const test::ProcessResult end = daemon.terminate(60);
  runner.join();
  EXPECT_EQ(end.exit_code, 0) << end.output;
  EXPECT_NE(end.output.find(second.job().job_id() + " of client 'qa': run cancelled at tick"), std::string::npos)
      << end.output;
  for (pid_t p : running) EXPECT_FALSE(qemu_alive(p)) << p;
}

TEST(DaemonQemu, KilledQemuFailsItsJobAndTheDaemonGoesOn) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  v1::SubmitNetworkResponse job, native_job;
  ASSERT_TRUE(submit(*stub, request("qemu"), job).ok());
  ASSERT_TRUE(submit(*stub, request("native"), native_job).ok());
  const std::string id = job.job().job_id();
  const std::vector<pid_t> processes = qemu_children(daemon.pid());
  ASSERT_FALSE(processes.empty());

  bool killed = false;
  const Streamed r = run(*stub, id, 100000, [&] {
    if (!killed) ::kill(processes.back(), SIGKILL);
    killed = true;
  });
  ASSERT_TRUE(killed);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(r.final_event.status(), v1::RUN_FAILED);
  const std::string& why = r.final_event.message();
  // The core, how QEMU ended and the core's last known state.
  EXPECT_NE(why.find("killed by signal 9"), std::string::npos) << why;
  EXPECT_TRUE(std::regex_search(why, std::regex("core \\([0-9]+,[0-9]+,[0-9]+\\), slice [0-9]+"))) << why;
  EXPECT_NE(why.find("last known tick"), std::string::npos) << why;
  EXPECT_NE(why.find("provenance"), std::string::npos) << why;
  v1::ListJobsResponse jobs;
  ASSERT_TRUE(stub->ListJobs(context().get(), {}, &jobs).ok());
  ASSERT_EQ(jobs.jobs_size(), 2);
  EXPECT_EQ(jobs.jobs(0).state(), v1::JOB_FAILED);
  EXPECT_EQ(jobs.jobs(0).message(), why);
  EXPECT_EQ(run(*stub, id, 10).status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // Other jobs go on.
  const Streamed native = run(*stub, native_job.job().job_id(), 200);
  EXPECT_TRUE(native.status.ok()) << native.status.error_message();
  EXPECT_FALSE(native.spikes.at("neurons").empty());
  ASSERT_TRUE(delete_job(*stub, id).ok());
  EXPECT_TRUE(wait_for_children(daemon.pid(), 0).empty());
}

TEST(DaemonQemu, ProcessLimitGivesResourceExhausted) {
  DaemonProcess daemon({"--max-qemu-processes", "2"});
  auto stub = connect(daemon.address());
  v1::DescribeMachineResponse machine;
  ASSERT_TRUE(stub->DescribeMachine(context().get(), {}, &machine).ok());
  EXPECT_EQ(machine.limits().max_qemu_processes(), 2u);

  v1::SubmitNetworkResponse resp, one;
  grpc::Status s = submit(*stub, request("qemu"), resp);  // every core: 3 or more processes
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_NE(s.error_message().find("over its limit of 2 (--max-qemu-processes"), std::string::npos) << s.error_message();
  ASSERT_TRUE(submit(*stub, request("qemu", {0}), one).ok());
  s = submit(*stub, request("qemu", {0, 1}), resp);  // 1 + 2 > 2
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(qemu_children(daemon.pid()).size(), 1u);  // the refused jobs started none
  ASSERT_TRUE(delete_job(*stub, one.job().job_id()).ok());
  s = submit(*stub, request("qemu", {0, 1}), resp);  // given back on DeleteJob
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST(DaemonQemu, BadQemuOptionsNameTheField) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  const auto refused = [&](const v1::SubmitNetworkRequest& r, const std::string& field) {
    v1::SubmitNetworkResponse resp;
    const grpc::Status s = submit(*stub, r, resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_EQ(s.error_message().rfind(field, 0), 0u) << s.error_message();
  };
  v1::SubmitNetworkRequest r = request("qemu");
  r.mutable_qemu()->set_board("nope");
  refused(r, "qemu.board: unknown board 'nope' (boards: mps2-an386, netduinoplus2)");
  refused(request("qemu", {0, 99}), "qemu.slices[1]: slice 99 does not exist");
  refused(request("qemu", {1, 1}), "qemu.slices[1]: slice 1 is given twice");
  r = request("qemu");
  r.mutable_qemu()->set_tick_timeout_ms(700000);
  refused(r, "qemu.tick_timeout_ms:");
  r = request("native");
  r.mutable_qemu()->set_board("mps2-an386");
  refused(r, "qemu: options given for backend 'native'");
  refused(request("spinnaker"), "backend: 'spinnaker' is not a backend");
  EXPECT_TRUE(qemu_children(daemon.pid()).empty());
}

// `spindle --connect ADDR run --backend qemu` writes what the in-process
// `spindle run --backend qemu` writes (docs/cli.md).
TEST(DaemonQemu, CliRunOnQemuThroughTheDaemonMatchesInProcess) {
  DaemonProcess daemon;
  const fs::path dir = fs::temp_directory_path() / ("spindle_daemon_qemu_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string local = (dir / "local").string(), remote = (dir / "remote").string();
  const test::ProcessResult a =
      test::run_process({SPINDLE_BIN, "run", tiny_path(), "--backend", "qemu", "--qemu-cores", "0,2", "--out", local}, 120);
  const test::ProcessResult b = test::run_process({SPINDLE_BIN, "--connect", daemon.address(), "run", tiny_path(),
                                                   "--backend", "qemu", "--qemu-cores", "0,2", "--out", remote},
                                                  120);
  ASSERT_EQ(a.exit_code, 0) << a.output;
  ASSERT_EQ(b.exit_code, 0) << b.output;
  const std::string line = "backend qemu: 2 of ";
  EXPECT_NE(a.output.find(line), std::string::npos) << a.output;
  EXPECT_NE(b.output.find(line), std::string::npos) << b.output;
  const auto backend_line = [&](const std::string& out) { return out.substr(out.find(line), out.find('\n', out.find(line)) - out.find(line)); };
  EXPECT_EQ(backend_line(a.output), backend_line(b.output));
  for (const char* f : {"spikes.csv", "run.json"}) {
    std::ifstream la(dir / "local" / f), lb(dir / "remote" / f);
    std::stringstream sa, sb;
    sa << la.rdbuf();
    sb << lb.rdbuf();
    EXPECT_GT(sa.str().size(), 30u) << f;
    EXPECT_EQ(sa.str(), sb.str()) << f << " differs";
  }
  EXPECT_TRUE(wait_for_children(daemon.pid(), 0).empty());  // the CLI deletes its job

  const test::ProcessResult bad = test::run_process(
      {SPINDLE_BIN, "--connect", daemon.address(), "run", tiny_path(), "--backend", "qemu", "--qemu-cores", "x"}, 60);
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--qemu-cores: 'x' is not a slice number"), std::string::npos) << bad.output;
  const test::ProcessResult board = test::run_process(
      {SPINDLE_BIN, "--connect", daemon.address(), "run", tiny_path(), "--backend", "qemu", "--board", "nope"}, 60);
  EXPECT_NE(board.exit_code, 0);
  EXPECT_NE(board.output.find("qemu.board: unknown board 'nope'"), std::string::npos) << board.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace spindle
