#include "daemon/client_quota.h"

namespace spindle::daemon {

std::string ClientQuota::take(const std::string& client, uint32_t n) {
  std::lock_guard lock(m_);
  const auto it = in_use_.find(client);
  const uint32_t used = it == in_use_.end() ? 0 : it->second;
  if (uint64_t{used} + n > per_client_)
    return "a client may hold " + std::to_string(per_client_) + " " + what_ + " at once; this one holds " +
           std::to_string(used) + " and asked for " + std::to_string(n) + " more";
  if (n > 0) in_use_[client] = used + n;
  return {};
}

void ClientQuota::give_back(const std::string& client, uint32_t n) {
  std::lock_guard lock(m_);
  const auto it = in_use_.find(client);
  if (it == in_use_.end()) return;
  it->second = it->second > n ? it->second - n : 0;
  if (it->second == 0) in_use_.erase(it);
}

uint32_t ClientQuota::in_use(const std::string& client) const {
  std::lock_guard lock(m_);
  const auto it = in_use_.find(client);
  return it == in_use_.end() ? 0 : it->second;
}

}  // namespace spindle::daemon
