// The long soak of spindled (tests/daemon/soak.h): starts the daemon, lets
// N clients make random calls for M minutes, checks every job's state, the
// reclaiming and the daemon's memory as the short test does, and prints
// the figures docs/reliability.md quotes. Exits 1 on any problem.
//
//   daemon_soak [--clients N] [--minutes M] [--seed S] [--spindled PATH]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "daemon/soak.h"
#include "support/sanitizer_report.h"
#include "support/spindled_process.h"

namespace {

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  spindle::test::SoakOptions o;
  o.clients = 8;
  o.duration = std::chrono::minutes(10);
  o.orphan_grace_seconds = 5;
  o.job_idle_seconds = 60;
  o.jobs_per_client = 6;
  std::string spindled = SPINDLED_BIN;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--clients" && has_value) o.clients = static_cast<unsigned>(std::stoul(argv[++i]));
    else if (a == "--minutes" && has_value)
      o.duration = std::chrono::milliseconds(static_cast<int64_t>(std::stod(argv[++i]) * 60'000));
    else if (a == "--seed" && has_value) o.seed = std::stoull(argv[++i]);
    else if (a == "--spindled" && has_value) spindled = argv[++i];
    else {
      std::fprintf(stderr, "usage: daemon_soak [--clients N] [--minutes M] [--seed S] [--spindled PATH]\n");
      return 2;
    }
  }
  const std::string log =
      (std::filesystem::temp_directory_path() / ("daemon_soak_spindled_" + std::to_string(::getpid()) + ".log")).string();
  spindle::testing::SpindledProcess daemon;
  const std::string problem = daemon.start(
      spindled, log,
      {"--orphan-grace", std::to_string(o.orphan_grace_seconds), "--job-idle", std::to_string(o.job_idle_seconds),
       "--max-runs", "2", "--engine-threads", "2", "--max-jobs", std::to_string(std::max(64u, o.clients * 8))});
  if (!problem.empty()) {
    std::fprintf(stderr, "daemon_soak: %s\n", problem.c_str());
    return 1;
  }
  o.address = daemon.address();
  o.daemon_pid = daemon.pid();
  std::printf("daemon_soak: %u clients, %.1f min of random calls, seed %llu, spindled --orphan-grace %u --job-idle %u "
              "--max-runs 2 --engine-threads 2\nhost: %s, %u hardware threads\n",
              o.clients, static_cast<double>(o.duration.count()) / 60'000, static_cast<unsigned long long>(o.seed),
              o.orphan_grace_seconds, o.job_idle_seconds, cpu_name().c_str(), std::thread::hardware_concurrency());
  std::fflush(stdout);

  const spindle::test::SoakReport r = spindle::test::run_soak(o);
  const int status = daemon.stop();
  const std::string report = spindle::testing::sanitizer_report(daemon.read_log());
  std::remove(log.c_str());

  const auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf("calls %llu in %.0f s; jobs submitted %llu; runs completed %llu, cancelled %llu, dropped mid-run %llu "
              "(%llu on a closed channel), refused %llu; injections %llu; cancels %llu; deletes %llu; list checks "
              "%llu; reclaimed: %llu orphaned, %llu idle\n",
              u(r.calls), r.seconds, u(r.jobs_submitted), u(r.runs_completed), u(r.runs_cancelled), u(r.runs_dropped),
              u(r.disconnects), u(r.runs_refused), u(r.injections), u(r.cancels), u(r.deletes), u(r.list_checks),
              u(r.reclaimed_orphans), u(r.reclaimed_idle));
  std::printf("daemon RSS: after warm-up %.1f MB, plateau (highest after it) %.1f MB, end (all jobs deleted) %.1f MB\n",
              static_cast<double>(r.rss_warm_kb) / 1024, static_cast<double>(r.rss_plateau_kb) / 1024,
              static_cast<double>(r.rss_end_kb) / 1024);
  bool ok = r.problems.empty();
  for (const std::string& p : r.problems) std::printf("PROBLEM %s\n", p.c_str());
  if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    std::printf("PROBLEM spindled did not exit cleanly on SIGTERM (status %d)\n", status);
    ok = false;
  }
  if (!report.empty()) {
    std::printf("PROBLEM spindled printed a sanitizer report:\n%s\n", report.c_str());
    ok = false;
  }
  if (r.rss_end_kb > r.rss_warm_kb + r.rss_warm_kb / 2 + 64 * 1024) {
    std::printf("PROBLEM the daemon's RSS did not come back near its plateau\n");
    ok = false;
  }
  std::printf("%s\n", ok ? "daemon_soak: passed" : "daemon_soak: FAILED");
  return ok ? 0 : 1;
}
