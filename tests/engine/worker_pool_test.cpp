// WorkerPool: every item of every phase runs exactly once, whatever the
// thread count and phase sizes, and a phase returns only when all are done.
#include "engine/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <algorithm>
#include <cstddef>
#include <vector>

namespace {

using spindle::emu::WorkerPool;

TEST(WorkerPool, EveryItemOfEveryPhaseRunsExactlyOnce) {
  for (unsigned threads : {1u, 2u, 3u, 8u}) {
    WorkerPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    std::vector<int> runs(300);
    for (int phase = 0; phase < 2000; ++phase) {
      const size_t n = static_cast<size_t>(phase % 7 == 0 ? 0 : phase % 300);
      const WorkerPool::Job job = [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) ++runs[i];  // items are disjoint: no race
      };
      pool.parallel_for(n, job);
      // All done on return: the counts are complete before the next phase.
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(runs[i], 1) << "threads " << threads << " phase " << phase;
      for (size_t i = n; i < runs.size(); ++i) ASSERT_EQ(runs[i], 0);
      std::fill(runs.begin(), runs.end(), 0);
    }
  }
}

TEST(WorkerPool, SlowItemsAreWaitedFor) {
  WorkerPool pool(4);
  std::atomic<int> finished{0};
  const WorkerPool::Job job = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      volatile unsigned sink = 0;
      for (unsigned k = 0; k < 200000; ++k) sink = sink + k;
      finished.fetch_add(1);
    }
  };
  for (int phase = 0; phase < 5; ++phase) {
    finished = 0;
    pool.parallel_for(16, job);
    EXPECT_EQ(finished.load(), 16);
  }
}

}  // namespace
