// What spindled is started with: where it listens, TLS and token files, the
// machine it maps onto and its limits (docs/daemon.md).
#pragma once

#include <cstdint>
#include <string>

namespace spindle::daemon {

struct Limits {
  uint32_t max_jobs = 64;             // jobs in the table, all clients
  uint32_t max_concurrent_runs = 2;   // the reference machine has 2 cores
  uint32_t max_queued_runs = 16;      // runs waiting for a slot; one more is refused
  uint64_t max_neurons = 2'000'000;   // per network
  uint64_t max_synapses = 200'000'000;  // per network, after expansion
  uint64_t max_run_ticks = 100'000'000;  // per Run
  uint64_t stream_buffer_bytes = 8u << 20;  // per stream
  uint32_t engine_threads = 1;        // per running job
  uint32_t default_chunk_ticks = 10;
  uint32_t max_qemu_processes = 8;    // backend qemu: one process per core, ~30 MB each, all jobs
  // Shares of one client (identity: daemon/auth.h), so no client can lock
  // the others out.
  uint32_t max_jobs_per_client = 16;
  uint32_t max_runs_per_client = 4;           // running or waiting in line
  uint32_t max_qemu_processes_per_client = 4;
  // Injections: spikes in one InjectRequest, and spikes of a job waiting to
  // enter the fabric (handed over at the next chunk, or scheduled for a
  // later tick). Beyond either, Inject answers RESOURCE_EXHAUSTED.
  uint32_t max_inject_spikes_per_request = 100'000;
  uint64_t max_pending_injections = 1'000'000;
  uint32_t max_chunk_ticks = 100'000;         // RunRequest.chunk_ticks
  uint32_t max_recordings_per_chunk = 262'144;  // GetRecordingsRequest.max_per_chunk (~3 MB a message)
  // Reclaiming: a job whose Run client went away is deleted this long after
  // (unless it asked to be kept, or a call uses it meanwhile); any job no
  // call has used for job_idle_seconds is deleted (0: never).
  uint32_t orphan_grace_seconds = 60;
  uint32_t job_idle_seconds = 24 * 3600;
};

struct DaemonOptions {
  std::string listen = "127.0.0.1:50051";
  std::string machine = "48";
  std::string tls_cert, tls_key;  // PEM files
  std::string token_file;         // "NAME TOKEN" lines
  double grace_seconds = 0;       // SIGTERM: how long running jobs may finish before they are cancelled
  Limits limits;
};

// Whether a listen address only reaches this host: 127.0.0.0/8, ::1,
// localhost, or a unix: socket.
bool is_loopback_address(const std::string& address);

// Empty when the options can be used; otherwise why not (e.g. a non-loopback
// address without TLS and a token file).
std::string check_options(const DaemonOptions& options);

}  // namespace spindle::daemon
