// The daemon's jobs, by id, each owned by the client that submitted it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/support/status.h>

#include "daemon/job.h"

namespace spindle::daemon {

// Milliseconds of the steady clock: what Job::last_used_ms and orphaned_ms hold.
int64_t steady_ms();

class JobTable {
 public:
  JobTable(uint32_t max_jobs, uint32_t max_per_client) : max_jobs_(max_jobs), max_per_client_(max_per_client) {}

  // RESOURCE_EXHAUSTED when full, or when `client` holds its share
  // (checked before building a job and again on adding it).
  grpc::Status check_room(const std::string& client) const;
  // Gives the job its id ("job-N") and adds it.
  grpc::Status add(const std::shared_ptr<Job>& job);
  // NOT_FOUND for an unknown id, PERMISSION_DENIED for another client's job.
  // A job found is marked used now (not idle, not orphaned).
  grpc::Status find(const std::string& id, const std::string& client, std::shared_ptr<Job>& job) const;
  void remove(const std::string& id);
  // A client's jobs, oldest first; every job when client is empty.
  std::vector<std::shared_ptr<Job>> list(const std::string& client = {}) const;

 private:
  grpc::Status room_for(const std::string& client) const;  // m_ held
  const uint32_t max_jobs_;
  const uint32_t max_per_client_;
  mutable std::mutex m_;
  std::vector<std::shared_ptr<Job>> jobs_;  // oldest first
  uint64_t next_id_ = 1;
};

}  // namespace spindle::daemon
