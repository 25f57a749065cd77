#include "engine/worker_pool.h"

namespace spindle::emu {

WorkerPool::WorkerPool(unsigned threads)
    : threads_(threads == 0 ? 1 : threads), start_(threads_), done_(threads_) {
  for (unsigned i = 1; i < threads_; ++i) workers_.emplace_back([this, i] { worker(i); });
}

WorkerPool::~WorkerPool() {
  stop_ = true;
  if (threads_ > 1) start_.arrive_and_wait();
  for (auto& t : workers_) t.join();
}

void WorkerPool::run_block(unsigned index) {
  const size_t begin = n_ * index / threads_;
  const size_t end = n_ * (index + 1) / threads_;
  if (begin < end) (*job_)(begin, end);
}

void WorkerPool::parallel_for(size_t n, const Job& job) {
  if (threads_ == 1) {
    if (n > 0) job(0, n);
    return;
  }
  job_ = &job;
  n_ = n;
  start_.arrive_and_wait();  // barrier phases order these writes before the workers' reads
  run_block(0);
  done_.arrive_and_wait();
}

void WorkerPool::worker(unsigned index) {
  for (;;) {
    start_.arrive_and_wait();
    if (stop_) return;
    run_block(index);
    done_.arrive_and_wait();
  }
}

}  // namespace spindle::emu
