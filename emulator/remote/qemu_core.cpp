#include "remote/qemu_core.h"

#include <stdexcept>

namespace spindle::emu::remote {

QemuCore::QemuCore(std::string name, const QemuOptions& qemu, const LinkConfig& link,
                   const std::vector<uint8_t>& image, const TransportWrapper& wrap)
    : QemuCore(std::move(name), qemu, link, wrap) {
  boot(image);
}

QemuCore::QemuCore(std::string name, const QemuOptions& qemu, const LinkConfig& link, const TransportWrapper& wrap)
    : LinkedCore(std::move(name)) {
  try {
    process_ = std::make_unique<QemuProcess>(qemu);
  } catch (const std::exception& e) {
    throw std::runtime_error(this->name() + ": cannot start QEMU: " + e.what());
  }
  transport_ = std::make_unique<FdTransport>(process_->take_socket(), this->name() + " UART");
  if (wrap) transport_ = wrap(std::move(transport_));
  connect(*transport_, link);
}

void QemuCore::boot(const std::vector<uint8_t>& image) { boot_core(image); }

std::string QemuCore::describe() const {
  return "QEMU " + process_->options().machine + " (pid " + std::to_string(process_->pid()) + ")";
}

std::string QemuCore::explain(const std::string& why) {
  // A closed link usually means QEMU died; give it a moment to be reaped.
  if (auto ended = process_->exit_description(std::chrono::milliseconds(500)))
    return "QEMU " + *ended + " (" + why + ")";
  return why + (why.find("no reply within") != std::string::npos ? " (QEMU is running but the core hangs)" : "");
}

std::string QemuCore::failure_suffix() {
  const std::string tail = process_->stderr_tail();
  return tail.empty() ? std::string() : "; QEMU stderr: " + tail;
}

}  // namespace spindle::emu::remote
