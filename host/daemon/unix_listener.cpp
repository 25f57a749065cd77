#include "daemon/unix_listener.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <grpcpp/server.h>
#include <grpcpp/server_posix.h>

namespace spindle::daemon {
namespace {

std::string error_text() { return std::strerror(errno); }

// Whether something accepts connections on the socket file `path`.
bool in_use(const sockaddr_un& addr, socklen_t len) {
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool live = ::connect(probe, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
  ::close(probe);
  return live;
}

}  // namespace

void PeerCredentials::set(const std::string& peer, uid_t uid) {
  std::lock_guard lock(m_);
  by_peer_[peer] = uid;
}

void PeerCredentials::erase(const std::string& peer) {
  std::lock_guard lock(m_);
  by_peer_.erase(peer);
}

std::optional<uid_t> PeerCredentials::uid_of(const std::string& peer) const {
  std::lock_guard lock(m_);
  const auto it = by_peer_.find(peer);
  if (it == by_peer_.end()) return std::nullopt;
  return it->second;
}

bool is_unix_address(const std::string& address) {
  return address.rfind("unix:", 0) == 0 || address.rfind("unix-abstract:", 0) == 0;
}

std::string UnixListener::peer_name(int fd) { return "fd:" + std::to_string(fd); }

UnixListener::UnixListener(const std::string& address, PeerCredentials& peers) : peers_(peers) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  socklen_t len = 0;
  const bool abstract = address.rfind("unix-abstract:", 0) == 0;
  std::string name = address.substr(abstract ? 14 : 5);
  if (!abstract && name.rfind("//", 0) == 0) name = name.substr(2);  // unix:///abs/path
  if (name.empty()) throw std::runtime_error("--listen " + address + ": no socket path");
  if (name.size() + 1 > sizeof(addr.sun_path))
    throw std::runtime_error("--listen " + address + ": the socket path is longer than " +
                             std::to_string(sizeof(addr.sun_path) - 1) + " bytes");
  if (abstract) {
    std::memcpy(addr.sun_path + 1, name.data(), name.size());
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  } else {
    std::memcpy(addr.sun_path, name.data(), name.size());
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
    struct stat st {};
    if (::lstat(name.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode))
        throw std::runtime_error("--listen " + address + ": '" + name + "' exists and is not a socket");
      if (in_use(addr, len)) throw std::runtime_error("--listen " + address + ": another server listens there");
      ::unlink(name.c_str());  // a stale socket of a daemon that is gone
    }
  }
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket: " + error_text());
  // Created 0600: umask is process-wide, so this runs before any thread
  // (spindled makes its listener before starting gRPC).
  const mode_t old_mask = ::umask(0177);
  const int bound = ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len);
  const std::string bind_error = bound != 0 ? error_text() : std::string();
  ::umask(old_mask);
  if (bound != 0) {
    ::close(fd_);
    throw std::runtime_error("--listen " + address + ": " + bind_error);
  }
  if (!abstract) path_ = name;
  if (::listen(fd_, 64) != 0) {
    const std::string e = error_text();
    ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
    throw std::runtime_error("--listen " + address + ": listen: " + e);
  }
}

UnixListener::~UnixListener() {
  stop();
  if (fd_ >= 0) ::close(fd_);
  if (!path_.empty()) ::unlink(path_.c_str());
}

void UnixListener::start(grpc::Server& server) {
  thread_ = std::thread([this, &server] { accept_loop(server); });
}

void UnixListener::stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void UnixListener::accept_loop(grpc::Server& server) {
  while (!stopping_.load()) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (conn < 0) continue;
    ucred cred{};
    socklen_t cred_len = sizeof cred;
    if (::getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) != 0) {
      ::close(conn);  // no credentials, no identity: refused
      continue;
    }
    // Recorded before gRPC sees the connection, so its first call finds it.
    // A number gRPC has closed may come back for a later connection; this
    // entry is then replaced before that connection's calls.
    peers_.set(peer_name(conn), cred.uid);
    grpc::AddInsecureChannelFromFd(&server, conn);
  }
}

}  // namespace spindle::daemon
