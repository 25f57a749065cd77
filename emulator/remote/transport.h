// Byte streams the link client talks over: a connected socket or serial
// device (FdTransport), or a test's wrapper around one.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace spindle::emu::remote {

// The other end closed the stream (a QEMU process exited, a cable came out).
class TransportClosed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ByteTransport {
 public:
  virtual ~ByteTransport() = default;
  // Writes everything; throws TransportClosed if the peer is gone.
  virtual void write(const uint8_t* data, size_t size) = 0;
  // Waits up to `timeout` for at least one byte; returns how many were read
  // (0: timed out). Throws TransportClosed at end of stream.
  virtual size_t read(uint8_t* data, size_t capacity, std::chrono::milliseconds timeout) = 0;
};

// Owns a file descriptor (socket, pty, tty).
class FdTransport final : public ByteTransport {
 public:
  FdTransport(int fd, std::string name);
  ~FdTransport() override;
  FdTransport(const FdTransport&) = delete;
  FdTransport& operator=(const FdTransport&) = delete;

  void write(const uint8_t* data, size_t size) override;
  size_t read(uint8_t* data, size_t capacity, std::chrono::milliseconds timeout) override;

 private:
  int fd_;
  std::string name_;
};

}  // namespace spindle::emu::remote
