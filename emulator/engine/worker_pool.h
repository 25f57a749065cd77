// A fixed set of threads that split a range of items between them, phase by
// phase. Item ranges are static (thread k always gets the same block for the
// same n), which keeps per-core work on one thread and makes runs repeatable.
#pragma once

#include <barrier>
#include <cstddef>
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

  // Runs job over [0, n) split into one contiguous block per thread; returns
  // when every block is done.
  void parallel_for(size_t n, const Job& job);
  unsigned threads() const { return threads_; }

 private:
  void worker(unsigned index);
  void run_block(unsigned index);

  unsigned threads_;
  std::barrier<> start_;
  std::barrier<> done_;
  const Job* job_ = nullptr;
  size_t n_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace spindle::emu
