// Per-client shares of a daemon resource (runs, QEMU processes), so that one
// client cannot take every slot and lock the others out. Counted by client
// identity (daemon/auth.h).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace spindle::daemon {

class ClientQuota {
 public:
  // `what` names the resource in messages ("runs", "QEMU processes").
  ClientQuota(std::string what, uint32_t per_client) : what_(std::move(what)), per_client_(per_client) {}

  // Takes n for `client`, or returns why not (nothing taken): the message of
  // a RESOURCE_EXHAUSTED status.
  std::string take(const std::string& client, uint32_t n);
  void give_back(const std::string& client, uint32_t n);
  uint32_t in_use(const std::string& client) const;
  uint32_t per_client() const { return per_client_; }

 private:
  const std::string what_;
  const uint32_t per_client_;
  mutable std::mutex m_;
  std::map<std::string, uint32_t> in_use_;  // clients with none are not kept
};

}  // namespace spindle::daemon
