#include "daemon/qemu_processes.h"

#include <cstdio>


namespace spindle::daemon {

ProcessOwner::ProcessOwner() : thread_([this] { serve(); }) {}

ProcessOwner::~ProcessOwner() {
  {
    std::lock_guard lock(m_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void ProcessOwner::call(const std::function<void()>& task) {
  std::unique_lock lock(m_);
  changed_.wait(lock, [&] { return task_ == nullptr; });
  task_ = &task;
  done_ = false;
  error_ = nullptr;
  changed_.notify_all();
  changed_.wait(lock, [&] { return done_; });
  const std::exception_ptr error = error_;
  task_ = nullptr;
  done_ = false;
  lock.unlock();
  changed_.notify_all();  // the next caller's turn
  if (error) std::rethrow_exception(error);
}

void ProcessOwner::serve() {
  std::unique_lock lock(m_);
  for (;;) {
    changed_.wait(lock, [&] { return stop_ || (task_ != nullptr && !done_); });
    if (task_ != nullptr && !done_) {
      const std::function<void()>* task = task_;
      lock.unlock();
      std::exception_ptr error;
      try {
        (*task)();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      error_ = error;
      done_ = true;
      changed_.notify_all();
      continue;
    }
    if (stop_) return;
  }
}

std::string ProcessBudget::take(const std::string& client, uint32_t n) {
  std::lock_guard lock(m_);
  if (uint64_t{in_use_} + n > max_)
    return "qemu: " + std::to_string(n) + " QEMU process" + (n == 1 ? "" : "es") + " (one per core under QEMU) would " +
           "bring the daemon to " + std::to_string(uint64_t{in_use_} + n) + ", over its limit of " +
           std::to_string(max_) + " (--max-qemu-processes; " + std::to_string(in_use_) +
           " held by other jobs until they are deleted)";
  if (std::string why = per_client_.take(client, n); !why.empty())
    return "qemu: " + why + " (--max-qemu-processes-per-client; delete finished qemu jobs to free them)";
  in_use_ += n;
  return {};
}

void ProcessBudget::give_back(const std::string& client, uint32_t n) {
  std::lock_guard lock(m_);
  per_client_.give_back(client, n);
  in_use_ -= n < in_use_ ? n : in_use_;
}

uint32_t ProcessBudget::in_use() const {
  std::lock_guard lock(m_);
  return in_use_;
}

}  // namespace spindle::daemon
