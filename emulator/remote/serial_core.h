// The `serial` backend: a core on a board flashed with
// spindle-core-<board>.elf, reached over a serial port (termios raw mode,
// 8N1) with the link protocol — the same requests as a QEMU core, without a
// process to watch. Also how a QEMU started with `-serial pty` is driven.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "remote/linked_core.h"
#include "remote/transport.h"

namespace spindle::emu::remote {

// Opens `port` (e.g. /dev/ttyACM0, /dev/pts/3) raw at `baud`; throws
// std::runtime_error naming the port and the reason (missing, permission,
// unsupported baud rate).
std::unique_ptr<FdTransport> open_serial_port(const std::string& port, unsigned baud);

class SerialCore final : public LinkedCore {
 public:
  // Opens the port, HELLO, loads the image, START. `name` as for QemuCore.
  SerialCore(std::string name, const std::string& port, unsigned baud, const LinkConfig& link,
             const std::vector<uint8_t>& image);

  std::string describe() const override {
    return "board on " + port_ + " (" + (hello().board.empty() ? "?" : hello().board) + ")";
  }

 private:
  std::string port_;
  std::unique_ptr<FdTransport> transport_;
};

}  // namespace spindle::emu::remote
