// A short soak of spindled (tests/daemon/soak.h): clients with their own
// channels and identities submitting, running, injecting, cancelling,
// deleting and dropping streams mid-run for 15 s, then the reclaiming and
// the daemon's memory checked. Also runs under ThreadSanitizer (label
// tsan), where the daemon's threads see the same mix of calls. The long
// version with figures is bench/daemon_soak (docs/reliability.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "daemon_process.h"
#include "soak.h"

namespace spindle {
namespace {

using namespace test;

TEST(DaemonSoak, ClientsComingAndGoingLeaveEveryJobConsistent) {
  SoakOptions o;
  o.clients = 4;
  o.duration = std::chrono::seconds(15);
  o.orphan_grace_seconds = 2;
  o.job_idle_seconds = 8;
  o.jobs_per_client = 5;
  // SPINDLE_SOAK_SEED=N repeats another sequence of choices.
  if (const char* seed = std::getenv("SPINDLE_SOAK_SEED")) o.seed = std::stoull(seed);
  DaemonProcess daemon({"--orphan-grace", std::to_string(o.orphan_grace_seconds), "--job-idle",
                        std::to_string(o.job_idle_seconds), "--max-runs", "2", "--engine-threads", "2"});
  o.address = daemon.address();
  o.daemon_pid = daemon.pid();

  const SoakReport r = run_soak(o);
  for (const std::string& p : r.problems) ADD_FAILURE() << p;
  // Every kind of call happened (the final phase makes one orphan per
  // client, so some job was reclaimed for it).
  EXPECT_GT(r.jobs_submitted, 0u);
  EXPECT_GT(r.runs_completed, 0u);
  EXPECT_GT(r.runs_cancelled, 0u);
  EXPECT_GT(r.runs_dropped, 0u);
  EXPECT_GT(r.injections, 0u);
  EXPECT_GT(r.deletes, 0u);
  EXPECT_GE(r.reclaimed_orphans, o.clients);
  // Memory back at (or near) its plateau once every job is deleted: a
  // bound relative to the RSS after the warm-up, generous enough for the
  // allocator's and a sanitizer's own keeping, far below a leak of jobs.
  ASSERT_GT(r.rss_warm_kb, 0u);
  EXPECT_LE(r.rss_plateau_kb, 2 * r.rss_warm_kb + 128 * 1024) << "warm " << r.rss_warm_kb << " kB";
  EXPECT_LE(r.rss_end_kb, r.rss_warm_kb + r.rss_warm_kb / 2 + 64 * 1024) << "warm " << r.rss_warm_kb << " kB";
  // Still serving after all that, and it stops cleanly.
  const ProcessResult end = daemon.terminate();
  EXPECT_EQ(end.exit_code, 0) << end.output;
  std::printf("soak: %llu calls, %llu jobs, %llu runs completed, %llu cancelled, %llu dropped, %llu orphans and %llu "
              "idle jobs reclaimed; RSS warm %llu kB, plateau %llu kB, end %llu kB\n",
              static_cast<unsigned long long>(r.calls), static_cast<unsigned long long>(r.jobs_submitted),
              static_cast<unsigned long long>(r.runs_completed), static_cast<unsigned long long>(r.runs_cancelled),
              static_cast<unsigned long long>(r.runs_dropped), static_cast<unsigned long long>(r.reclaimed_orphans),
              static_cast<unsigned long long>(r.reclaimed_idle), static_cast<unsigned long long>(r.rss_warm_kb),
              static_cast<unsigned long long>(r.rss_plateau_kb), static_cast<unsigned long long>(r.rss_end_kb));
}

}  // namespace
}  // namespace spindle
