// Who may run now. At most `slots` runs go at once (the machine's cores are
// shared); further runs wait in one first-come, first-served line of at
// most `max_waiting`, and only a full line refuses a run. Each run holds a
// ticket from join() to leave(), whether it waited, ran, or was cancelled.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>

namespace spindle::daemon {

class RunQueue {
 public:
  RunQueue(uint32_t slots, uint32_t max_waiting) : slots_(slots), max_waiting_(max_waiting) {}

  // A ticket: running at once if a slot is free and nobody waits, else in
  // line. nullopt when the line is full.
  std::optional<uint64_t> join();
  // 0 when the ticket holds a slot, else its place in line (1: next).
  uint32_t position(uint64_t ticket) const;
  // Waits up to `timeout` for the place to differ from `known`; returns it.
  uint32_t wait_for_change(uint64_t ticket, uint32_t known, std::chrono::milliseconds timeout) const;
  // Gives up the slot or the place in line; the next in line may run.
  void leave(uint64_t ticket);

  uint32_t running() const;
  uint32_t waiting() const;

 private:
  uint32_t position_locked(uint64_t ticket) const;
  void promote_locked();

  const uint32_t slots_, max_waiting_;
  mutable std::mutex m_;
  mutable std::condition_variable changed_;
  std::set<uint64_t> running_;
  std::deque<uint64_t> waiting_;  // first in line at the front
  uint64_t next_ = 1;
};

}  // namespace spindle::daemon
