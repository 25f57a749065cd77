// The `serial` backend: a core on a board flashed with
// spindle-core-<board>.elf, reached over a serial port (termios raw mode,
// 8N1) with the link protocol — the same requests as a QEMU core, without a
// process to watch. Also how a QEMU started with `-serial pty` is driven.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/remote_core.h"
#include "qemu/link_client.h"
#include "qemu/transport.h"

namespace spindle::emu::qemu {

// Opens `port` (e.g. /dev/ttyACM0, /dev/pts/3) raw at `baud`; throws
// std::runtime_error naming the port and the reason (missing, permission,
// unsupported baud rate).
std::unique_ptr<FdTransport> open_serial_port(const std::string& port, unsigned baud);

class SerialCore final : public RemoteCore {
 public:
  // Opens the port, HELLO, loads the image, START. `name` as for QemuCore.
  SerialCore(std::string name, const std::string& port, unsigned baud, const LinkConfig& link,
             const std::vector<uint8_t>& image);

  void begin_tick(const std::vector<fw::Packet>& inbox) override;
  void end_tick(std::vector<fw::Packet>& sent, std::vector<fw::SpikeRecord>& spikes,
                std::vector<fw::StateRecord>& states) override;
  void deliver(const std::vector<fw::Packet>& inbox) override;
  const fw::Provenance& provenance() const override { return client_->last_status().provenance; }
  fw::CoreState state() const override { return client_->last_status().state; }
  std::string describe() const override { return "board on " + port_ + " (" + board_ + ")"; }

 private:
  template <class F> void guarded(F&& f);

  std::string name_, port_, board_ = "?";
  std::unique_ptr<FdTransport> transport_;
  std::unique_ptr<LinkClient> client_;
};

}  // namespace spindle::emu::qemu
