#include "daemon/job_table.h"

#include <algorithm>
#include <chrono>

namespace spindle::daemon {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

grpc::Status JobTable::room_for(const std::string& client) const {
  if (jobs_.size() >= max_jobs_)
    return {grpc::StatusCode::RESOURCE_EXHAUSTED,
            "the daemon holds its maximum of " + std::to_string(max_jobs_) + " jobs; delete finished ones (DeleteJob)"};
  const auto own = std::count_if(jobs_.begin(), jobs_.end(), [&](const auto& j) { return j->owner == client; });
  if (static_cast<uint64_t>(own) >= max_per_client_)
    return {grpc::StatusCode::RESOURCE_EXHAUSTED,
            "this client holds " + std::to_string(own) + " jobs, the most one client may hold (--max-jobs-per-client); "
            "delete finished ones (DeleteJob)"};
  return grpc::Status::OK;
}

grpc::Status JobTable::check_room(const std::string& client) const {
  std::lock_guard lock(m_);
  return room_for(client);
}

grpc::Status JobTable::add(const std::shared_ptr<Job>& job) {
  std::lock_guard lock(m_);
  if (grpc::Status s = room_for(job->owner); !s.ok()) return s;
  job->id = "job-" + std::to_string(next_id_++);
  jobs_.push_back(job);
  return grpc::Status::OK;
}

grpc::Status JobTable::find(const std::string& id, const std::string& client, std::shared_ptr<Job>& job) const {
  if (id.empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "job_id: missing"};
  std::lock_guard lock(m_);
  const auto it = std::find_if(jobs_.begin(), jobs_.end(), [&](const auto& j) { return j->id == id; });
  if (it == jobs_.end()) return {grpc::StatusCode::NOT_FOUND, "job_id: no job '" + id + "'"};
  if ((*it)->owner != client)
    return {grpc::StatusCode::PERMISSION_DENIED, "job_id: job '" + id + "' belongs to another client"};
  job = *it;
  // In use: not idle, and no longer orphaned (its client is back).
  job->last_used_ms.store(steady_ms());
  job->orphaned_ms.store(0);
  return grpc::Status::OK;
}

void JobTable::remove(const std::string& id) {
  std::lock_guard lock(m_);
  jobs_.erase(std::remove_if(jobs_.begin(), jobs_.end(), [&](const auto& j) { return j->id == id; }), jobs_.end());
}

std::vector<std::shared_ptr<Job>> JobTable::list(const std::string& client) const {
  std::lock_guard lock(m_);
  std::vector<std::shared_ptr<Job>> out;
  for (const auto& j : jobs_)
    if (client.empty() || j->owner == client) out.push_back(j);
  return out;
}

}  // namespace spindle::daemon
