#include "daemon/run_queue.h"

#include <algorithm>

namespace spindle::daemon {

std::optional<uint64_t> RunQueue::join() {
  std::lock_guard lock(m_);
  const uint64_t ticket = next_++;
  if (waiting_.empty() && running_.size() < slots_) {
    running_.insert(ticket);
    return ticket;
  }
  if (waiting_.size() >= max_waiting_) return std::nullopt;
  waiting_.push_back(ticket);
  return ticket;
}

uint32_t RunQueue::position_locked(uint64_t ticket) const {
  if (running_.count(ticket)) return 0;
  const auto it = std::find(waiting_.begin(), waiting_.end(), ticket);
  // A ticket that left has no place; callers only ask about their own.
  return it == waiting_.end() ? 0 : static_cast<uint32_t>(it - waiting_.begin()) + 1;
}

uint32_t RunQueue::position(uint64_t ticket) const {
  std::lock_guard lock(m_);
  return position_locked(ticket);
}

uint32_t RunQueue::wait_for_change(uint64_t ticket, uint32_t known, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(m_);
  changed_.wait_for(lock, timeout, [&] { return position_locked(ticket) != known; });
  return position_locked(ticket);
}

void RunQueue::promote_locked() {
  while (running_.size() < slots_ && !waiting_.empty()) {
    running_.insert(waiting_.front());
    waiting_.pop_front();
  }
}

void RunQueue::leave(uint64_t ticket) {
  {
    std::lock_guard lock(m_);
    running_.erase(ticket);
    waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), ticket), waiting_.end());
    promote_locked();
  }
  changed_.notify_all();
}

uint32_t RunQueue::running() const {
  std::lock_guard lock(m_);
  return static_cast<uint32_t>(running_.size());
}

uint32_t RunQueue::waiting() const {
  std::lock_guard lock(m_);
  return static_cast<uint32_t>(waiting_.size());
}

}  // namespace spindle::daemon
