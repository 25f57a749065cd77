#include "qemu/qemu_core.h"

#include <stdexcept>

namespace spindle::emu::qemu {

QemuCore::QemuCore(std::string name, const QemuOptions& qemu, const LinkConfig& link,
                   const std::vector<uint8_t>& image, const TransportWrapper& wrap)
    : QemuCore(std::move(name), qemu, link, wrap) {
  boot(image);
}

QemuCore::QemuCore(std::string name, const QemuOptions& qemu, const LinkConfig& link, const TransportWrapper& wrap)
    : name_(std::move(name)) {
  try {
    process_ = std::make_unique<QemuProcess>(qemu);
  } catch (const std::exception& e) {
    throw std::runtime_error(name_ + ": cannot start QEMU: " + e.what());
  }
  transport_ = std::make_unique<FdTransport>(process_->take_socket(), name_ + " UART");
  if (wrap) transport_ = wrap(std::move(transport_));
  client_ = std::make_unique<LinkClient>(*transport_, link);
}

void QemuCore::boot(const std::vector<uint8_t>& image) {
  guarded([&] {
    hello_ = client_->hello();
    client_->load(image);
    client_->start();
    client_->status();
  });
}

std::string QemuCore::describe() const {
  return "QEMU " + process_->options().machine + " (pid " + std::to_string(process_->pid()) + ")";
}

template <class F>
void QemuCore::guarded(F&& f) {
  try {
    f();
  } catch (const TransportClosed& e) {
    fail(e.what());
  } catch (const LinkError& e) {
    fail(e.what());
  }
}

void QemuCore::fail(const std::string& why) {
  std::string msg = name_ + " on " + describe() + ": ";
  // A closed link usually means QEMU died; give it a moment to be reaped.
  if (auto ended = process_->exit_description(std::chrono::milliseconds(500)))
    msg += "QEMU " + *ended + " (" + why + ")";
  else
    msg += why + (why.find("no reply within") != std::string::npos ? " (QEMU is running but the core hangs)" : "");
  const CoreStatus& s = client_->last_status();
  msg += "; during " + std::string(client_->current_request()) + ", last known tick " + std::to_string(s.tick) +
         ", provenance:";
  fw::for_each_counter(s.provenance, [&](const char* n, uint32_t v) { msg += " " + std::string(n) + "=" + std::to_string(v); });
  const std::string tail = process_->stderr_tail();
  if (!tail.empty()) msg += "; QEMU stderr: " + tail;
  throw std::runtime_error(msg);
}

void QemuCore::begin_tick(const std::vector<fw::Packet>& inbox) {
  guarded([&] { client_->begin_tick(inbox, 1); });
}

void QemuCore::end_tick(std::vector<fw::Packet>& sent, std::vector<fw::SpikeRecord>& spikes,
                        std::vector<fw::StateRecord>& states) {
  guarded([&] {
    TickOutput out = client_->finish_tick();
    sent.insert(sent.end(), out.sent.begin(), out.sent.end());
    spikes.insert(spikes.end(), out.spikes.begin(), out.spikes.end());
    states.insert(states.end(), out.states.begin(), out.states.end());
  });
}

void QemuCore::deliver(const std::vector<fw::Packet>& inbox) {
  guarded([&] {
    client_->begin_tick(inbox, 0);
    client_->finish_tick();
  });
}

}  // namespace spindle::emu::qemu
