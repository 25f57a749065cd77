// A core of the machine running as the board's core server image
// (spindle-core-<board>.elf) under qemu-system-arm: the engine's `qemu`
// backend. Starting it boots QEMU, checks the link (HELLO), loads the core
// image in chunks and starts the core; each engine tick is one TICK
// exchange. A crash (QEMU exits), a hang (no reply after every retry) or a
// link failure throws std::runtime_error naming the core, how QEMU ended,
// the request, and the core's last known tick and provenance.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "remote/linked_core.h"
#include "remote/qemu_process.h"
#include "remote/transport.h"

namespace spindle::emu::remote {

class QemuCore final : public LinkedCore {
 public:
  // Starts QEMU and waits for its UART to connect. `name` is how errors
  // name the core ("core (0,0,3), slice 2"); `wrap`, if given, wraps the
  // transport (tests inject corruption with it). QEMU is killed when the
  // thread that created this object ends (PR_SET_PDEATHSIG), so create it
  // on the thread that owns the engine.
  using TransportWrapper = std::function<std::unique_ptr<ByteTransport>(std::unique_ptr<ByteTransport>)>;
  QemuCore(std::string name, const QemuOptions& qemu, const LinkConfig& link, const TransportWrapper& wrap = {});
  // Both steps above, then boot(image).
  QemuCore(std::string name, const QemuOptions& qemu, const LinkConfig& link, const std::vector<uint8_t>& image,
           const TransportWrapper& wrap = {});
  // HELLO, the image in chunks, START: the core is ready for ticks. Safe to
  // run on another thread (load_into boots its cores side by side).
  void boot(const std::vector<uint8_t>& image);

  std::string describe() const override;

  pid_t pid() const { return process_->pid(); }
  // E.g. a long timeout for booting, a short one for the ticks.
  void set_link_config(const LinkConfig& config) { client().set_config(config); }

 private:
  // How QEMU ended, or that it runs but the core hangs; then its stderr.
  std::string explain(const std::string& why) override;
  std::string failure_suffix() override;

  std::unique_ptr<QemuProcess> process_;
  std::unique_ptr<ByteTransport> transport_;
};

}  // namespace spindle::emu::remote
