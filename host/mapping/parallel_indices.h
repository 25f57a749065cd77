// Independent work items 0..n-1 spread over worker threads, as the mapping's
// parallel stages do (core images, table compression, weight ranges): each
// thread claims the next index; after a failure no index is claimed any
// more, and the error rethrown is that of the lowest failing index (indices
// are claimed in increasing order, so every lower one has run by then):
// what a caller sees does not depend on thread timing.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace spindle::host {

// Threads for `work` items: `threads` (0: one per hardware thread), at most
// one per item, at least one.
inline unsigned worker_count(unsigned threads, size_t work) {
  const unsigned n = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<size_t>(n, std::max<size_t>(work, 1)));
}

class ParallelIndices {
 public:
  explicit ParallelIndices(size_t n) : n_(n) {}

  // Runs worker() on worker_count(threads, n) threads, this one included,
  // then rethrows the lowest failing index's error. A worker sets up what
  // it keeps from item to item and calls each().
  template <class Worker>
  void run(unsigned threads, Worker&& worker) {
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < worker_count(threads, n_); ++w) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (error_) std::rethrow_exception(error_);
  }

  // In a worker: item(i) for each index this thread claims, until none is
  // left or one has failed.
  template <class Item>
  void each(Item&& item) {
    for (size_t i = next_++; i < n_; i = next_++) {
      try {
        item(i);
      } catch (...) {
        const std::lock_guard lock(error_mutex_);
        if (i < error_index_) error_ = std::current_exception(), error_index_ = i;
        failed_ = true;
        next_ = n_;
        return;
      }
    }
  }

  // Some item has failed (its error will be rethrown by run()).
  bool failed() const { return failed_; }

 private:
  const size_t n_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::mutex error_mutex_;
  std::exception_ptr error_;
  size_t error_index_ = SIZE_MAX;
};

}  // namespace spindle::host
