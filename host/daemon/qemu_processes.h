// The QEMU processes of spindled's `qemu` jobs (docs/daemon.md, "Backends").
// A QEMU core dies when the thread that started it ends (PR_SET_PDEATHSIG),
// and gRPC and runner threads end long before a job does, so each qemu job
// starts and stops its processes on a ProcessOwner thread that lives as
// long as the job. ProcessBudget counts the processes of all jobs against
// --max-qemu-processes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "daemon/client_quota.h"

namespace spindle::daemon {

class ProcessOwner {
 public:
  ProcessOwner();
  // Ends the thread; processes it started and did not stop die with it.
  ~ProcessOwner();
  ProcessOwner(const ProcessOwner&) = delete;
  ProcessOwner& operator=(const ProcessOwner&) = delete;

  // Runs `task` on the owner thread and waits for it; rethrows what it
  // throws. Callers take turns (one task at a time).
  void call(const std::function<void()>& task);

 private:
  void serve();

  std::mutex m_;
  std::condition_variable changed_;
  const std::function<void()>* task_ = nullptr;  // the slot: set by call, cleared when done
  std::exception_ptr error_;
  bool done_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the fields above exist
};

class ProcessBudget {
 public:
  ProcessBudget(uint32_t max, uint32_t per_client) : max_(max), per_client_("QEMU processes", per_client) {}
  // Takes `n` processes for `client`, or returns why not (nothing taken):
  // the message of a RESOURCE_EXHAUSTED status. Both the daemon's total and
  // the client's share must allow it.
  std::string take(const std::string& client, uint32_t n);
  void give_back(const std::string& client, uint32_t n);
  uint32_t in_use() const;
  uint32_t max() const { return max_; }

 private:
  const uint32_t max_;
  ClientQuota per_client_;
  mutable std::mutex m_;
  uint32_t in_use_ = 0;
};

}  // namespace spindle::daemon
