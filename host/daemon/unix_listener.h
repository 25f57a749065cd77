// spindled on a unix socket (`--listen unix:PATH` or `unix-abstract:NAME`).
// The daemon accepts the connections itself, reads each peer's credentials
// (SO_PEERCRED) and hands the connection to gRPC, so a caller's identity is
// its user id, which no other local user can claim (daemon/auth.h). A
// socket file is created with mode 0600: only its owner (and root) can
// connect at all.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace grpc {
class Server;
}

namespace spindle::daemon {

// Who is on each accepted connection, by the peer name gRPC gives its calls.
class PeerCredentials {
 public:
  void set(const std::string& peer, uid_t uid);
  void erase(const std::string& peer);
  std::optional<uid_t> uid_of(const std::string& peer) const;

 private:
  mutable std::mutex m_;
  std::map<std::string, uid_t> by_peer_;
};

// True for the addresses UnixListener serves.
bool is_unix_address(const std::string& address);

class UnixListener {
 public:
  // Creates and binds the socket; throws std::runtime_error saying why not
  // (path too long, in use by a live daemon, no permission). A stale socket
  // file (nobody listening) is replaced.
  UnixListener(const std::string& address, PeerCredentials& peers);
  ~UnixListener();  // stops accepting, removes the socket file
  UnixListener(const UnixListener&) = delete;
  UnixListener& operator=(const UnixListener&) = delete;

  // Accepts connections on a thread of its own and adds each to `server`.
  void start(grpc::Server& server);
  void stop();

  // The peer name gRPC reports for a connection handed over as `fd`.
  static std::string peer_name(int fd);

 private:
  void accept_loop(grpc::Server& server);

  std::string path_;  // empty for an abstract socket
  int fd_ = -1;
  PeerCredentials& peers_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace spindle::daemon
