// A fixed set of threads that share out the items of a range, phase by
// phase. Items (cores) are claimed one at a time by whichever thread is
// running, the calling thread included, so a phase never waits for a thread
// that the OS has not scheduled: on a machine whose CPUs are held by other
// processes the caller simply does the work itself. Which thread runs an
// item does not change results (an item's work depends only on its own
// state). Idle threads spin briefly, then sleep on a futex
// (std::atomic::wait) until the next phase.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace spindle::emu {

class WorkerPool {
 public:
  using Job = std::function<void(size_t begin, size_t end)>;

  // threads >= 1; the calling thread is one of them.
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs job(i, i + 1) for every i in [0, n), spread over the threads;
  // returns when every item is done. n < 2^32.
  void parallel_for(size_t n, const Job& job);
  unsigned threads() const { return threads_; }

 private:
  void worker();
  // Claims and runs items of phase `phase` until none is left.
  void run_items(uint32_t phase, const Job& job);

  unsigned threads_;
  uint32_t phase_ = 0;                      // the caller's count of phases
  std::atomic<uint32_t> started_{0};        // phase last started; workers wait on it
  std::atomic<uint64_t> work_{0};           // phase << 32 | items not yet claimed
  std::atomic<const Job*> job_{nullptr};
  std::atomic<uint32_t> done_{0};           // items of the current phase finished
  std::atomic<bool> stop_{false};
  std::vector<std::thread> workers_;
};

}  // namespace spindle::emu
