// A job's run, on its own thread: the engine runs in chunks; between chunks
// the runner hands pending injections to the engine and publishes the new
// spikes (packed batches per population) and progress to the job's
// broadcast. Publishing never waits for a client. The run ends after its
// ticks, on cancel_requested, or when the engine throws; the job's state is
// updated before the final event goes out, so a client that has the final
// event can run the job again at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "daemon/job.h"

namespace spindle::daemon {

struct RunPlan {
  uint64_t ticks = 0;
  uint32_t chunk_ticks = 10;
  uint32_t max_batch_spikes = 32768;  // keeps each message far below gRPC's 4 MB default
};

// `broadcast` is the job's (set by the caller with the state RUNNING);
// `release` is called once the job's state is final for this run.
void run_job(Job& job, const RunPlan& plan, const std::shared_ptr<RunBroadcast>& broadcast,
             const std::function<void()>& release);

}  // namespace spindle::daemon
