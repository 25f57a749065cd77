#include "engine/worker_pool.h"

namespace spindle::emu {
namespace {

// About 10-40 us of polling before sleeping: a tick's phases follow each
// other within that when the pool's threads have CPUs, and past it a
// sleeping waiter leaves the CPU to whoever needs it.
constexpr int kSpins = 2000;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

WorkerPool::WorkerPool(unsigned threads) : threads_(threads == 0 ? 1 : threads) {
  for (unsigned i = 1; i < threads_; ++i) workers_.emplace_back([this] { worker(); });
}

WorkerPool::~WorkerPool() {
  stop_.store(true);
  started_.fetch_add(1, std::memory_order_release);
  started_.notify_all();
  for (auto& t : workers_) t.join();
}

void WorkerPool::run_items(uint32_t phase, const Job& job) {
  for (;;) {
    uint64_t w = work_.load(std::memory_order_acquire);
    // A claim succeeds only while the word still belongs to this phase; the
    // next phase starts after every item of this one is claimed and done,
    // so a late thread cannot claim (or run `job` on) an item of another.
    do {
      if (static_cast<uint32_t>(w >> 32) != phase || (w & 0xFFFFFFFFu) == 0) return;
    } while (!work_.compare_exchange_weak(w, w - 1, std::memory_order_acq_rel, std::memory_order_acquire));
    const size_t item = static_cast<size_t>((w & 0xFFFFFFFFu) - 1);
    job(item, item + 1);
    done_.fetch_add(1, std::memory_order_release);
    done_.notify_one();
  }
}

void WorkerPool::parallel_for(size_t n, const Job& job) {
  if (threads_ == 1 || n < 2) {
    if (n > 0) job(0, n);
    return;
  }
  const uint32_t phase = ++phase_;
  job_.store(&job, std::memory_order_relaxed);
  done_.store(0, std::memory_order_relaxed);
  work_.store((uint64_t{phase} << 32) | n, std::memory_order_release);
  started_.store(phase, std::memory_order_release);
  started_.notify_all();
  run_items(phase, job);
  // Only items other threads claimed and are still running are left.
  const auto total = static_cast<uint32_t>(n);
  for (int k = 0;; ++k) {
    const uint32_t done = done_.load(std::memory_order_acquire);
    if (done == total) return;
    if (k < kSpins) cpu_relax();
    else done_.wait(done, std::memory_order_acquire);
  }
}

void WorkerPool::worker() {
  uint32_t seen = 0;
  for (;;) {
    uint32_t phase = 0;
    for (int k = 0;; ++k) {
      phase = started_.load(std::memory_order_acquire);
      if (phase != seen) break;
      if (k < kSpins) cpu_relax();
      else started_.wait(seen, std::memory_order_acquire);
    }
    if (stop_.load()) return;
    seen = phase;
    // Loaded after the phase: the job of this phase or of a later one, and
    // a later one's items cannot be claimed under this phase's number.
    const Job* job = job_.load(std::memory_order_acquire);
    run_items(phase, *job);
  }
}

}  // namespace spindle::emu
