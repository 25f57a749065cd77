#include "remote/transport.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace spindle::emu::remote {

FdTransport::FdTransport(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

FdTransport::~FdTransport() {
  if (fd_ >= 0) ::close(fd_);
}

void FdTransport::write(const uint8_t* data, size_t size) {
  while (size > 0) {
    // send() with MSG_NOSIGNAL: a peer that died (QEMU killed) must give an
    // error here, not SIGPIPE for the whole host; ttys are not sockets.
    ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, 100);
      continue;
    }
    if (n <= 0) throw TransportClosed(name_ + ": write failed: " + std::strerror(errno));
    data += n;
    size -= static_cast<size_t>(n);
  }
}

size_t FdTransport::read(uint8_t* data, size_t capacity, std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  int r;
  do {
    r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (r < 0 && errno == EINTR);
  if (r < 0) throw TransportClosed(name_ + ": poll failed: " + std::strerror(errno));
  if (r == 0) return 0;
  ssize_t n;
  do {
    n = ::read(fd_, data, capacity);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
  if (n <= 0) throw TransportClosed(name_ + (n == 0 ? ": closed by the other end" : ": read failed: ") +
                                    (n == 0 ? "" : std::strerror(errno)));
  return static_cast<size_t>(n);
}

}  // namespace spindle::emu::remote
