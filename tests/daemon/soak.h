// A soak of spindled: N clients, each a thread with its own gRPC channel and
// client identity, doing random submits, runs, injections, cancels, deletes
// and disconnects (Run streams dropped mid-run) against one daemon for a
// bounded time, while the daemon's RSS is sampled. Each client keeps a model
// of its jobs from what it did and what the daemon answered, and checks it
// against ListJobs as it goes and at the end: states and ticks agree, no job
// stays running after a Cancel, deleted jobs are gone, jobs whose Run client
// went away are reclaimed after the daemon's --orphan-grace, idle ones after
// its --job-idle, and nothing else disappears.
//
// Each client draws its choices from its own generator, seeded from the
// soak's seed and its index: with the same seed and the same answers from
// the daemon, a client makes the same sequence of choices. The answers
// depend on timing (who gets a run slot first, how far a run got before a
// Cancel), so a failing soak is reproduced by its seed in most cases, not
// all; every problem names the client and its recent calls.
//
// The driver is used by tests/daemon/daemon_soak_test.cpp (a short soak in
// CI, also under ThreadSanitizer) and bench/daemon_soak.cpp (minutes, with
// figures for docs/reliability.md). It does not start the daemon.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace spindle::test {

struct SoakOptions {
  std::string address;  // spindled's HOST:PORT
  pid_t daemon_pid = -1;  // for its RSS (/proc/PID/status VmRSS)
  unsigned clients = 4;
  std::chrono::milliseconds duration{20'000};  // of random calls; the final checks come after
  uint64_t seed = 1;
  // What the daemon was started with (--orphan-grace, --job-idle); the
  // driver checks the reclaiming against them.
  uint32_t orphan_grace_seconds = 2;
  uint32_t job_idle_seconds = 0;  // 0: the daemon never deletes idle jobs
  // Jobs a client holds at most (submits past it are skipped); keep
  // clients x this within the daemon's --max-jobs.
  unsigned jobs_per_client = 5;
  // The share of the random phase after which the RSS counts as warmed up.
  double warm_up_fraction = 0.25;
};

struct SoakReport {
  uint64_t calls = 0;            // gRPC calls made, all clients
  uint64_t jobs_submitted = 0;   // SubmitNetwork answered OK
  uint64_t runs_completed = 0;   // Run streams read to the end, status OK
  uint64_t runs_cancelled = 0;   // by a Cancel while the stream was read
  uint64_t runs_dropped = 0;     // streams dropped mid-run (the client went away)
  uint64_t runs_refused = 0;     // RESOURCE_EXHAUSTED or FAILED_PRECONDITION as expected
  uint64_t injections = 0;       // Inject calls answered OK
  uint64_t cancels = 0;          // Cancel calls answered OK
  uint64_t deletes = 0;          // DeleteJob calls answered OK
  uint64_t disconnects = 0;      // channels closed mid-run and made again
  uint64_t list_checks = 0;      // ListJobs compared with a client's model
  uint64_t reclaimed_orphans = 0;  // jobs the daemon deleted after their client went away
  uint64_t reclaimed_idle = 0;     // jobs it deleted after --job-idle
  // Daemon RSS in kB: at the end of the warm-up (the highest sample until
  // then), the highest sample after it, and after every job was deleted.
  uint64_t rss_warm_kb = 0;
  uint64_t rss_plateau_kb = 0;
  uint64_t rss_end_kb = 0;
  double seconds = 0;  // the whole soak, final checks included
  // Every inconsistency found, with the client and its recent calls; empty
  // when the soak passed.
  std::vector<std::string> problems;
};

// Runs the soak; returns when every client has finished its final checks
// and deleted its jobs.
SoakReport run_soak(const SoakOptions& options);

// VmRSS of a process in kB (0 if it cannot be read).
uint64_t rss_kb(pid_t pid);

}  // namespace spindle::test
