// What every remote core reached over the link protocol shares, whether a
// QEMU process or a board on a serial port: the link client, the TICK
// exchanges, booting (HELLO, image in chunks, START) and the error that names
// the core with its last known tick and provenance. Subclasses own the
// transport and say what they can add about a failure.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/remote_core.h"
#include "remote/link_client.h"
#include "remote/transport.h"

namespace spindle::emu::remote {

class LinkedCore : public RemoteCore {
 public:
  void begin_tick(const std::vector<fw::Packet>& inbox) override;
  void end_tick(std::vector<fw::Packet>& sent, std::vector<fw::SpikeRecord>& spikes,
                std::vector<fw::StateRecord>& states) override;
  void deliver(const std::vector<fw::Packet>& inbox) override;
  const fw::Provenance& provenance() const override { return client_->last_status().provenance; }
  fw::CoreState state() const override { return client_->last_status().state; }
  std::vector<uint32_t> read_plastic_matrix() override;
  void set_mode(const fw::ModeChange& change) override;
  void set_learning_scale(uint32_t scale) override;

  const LinkStats& link_stats() const { return client_->stats(); }
  // The core's HELLO (empty until boot_core got it).
  const HelloInfo& hello() const { return hello_; }

 protected:
  explicit LinkedCore(std::string name) : name_(std::move(name)) {}
  // Starts the link client on `transport`, which the subclass owns. The
  // subclass's transport goes before the base's client on destruction; the
  // client only holds a reference and does no I/O when destroyed.
  void connect(ByteTransport& transport, const LinkConfig& link);
  // HELLO (kept for hello()), the image in chunks, START, STATUS.
  void boot_core(const std::vector<uint8_t>& image);

  // Runs f; a transport or link failure becomes one std::runtime_error:
  // "<name> on <describe()>: <explain(why)>; during <request>, last known
  // tick N, provenance: ...<failure_suffix()>".
  template <class F> void guarded(F&& f) {
    try {
      f();
    } catch (const TransportClosed& e) {
      fail(e.what());
    } catch (const LinkError& e) {
      fail(e.what());
    }
  }
  virtual std::string explain(const std::string& why) { return why; }
  virtual std::string failure_suffix() { return {}; }

  const std::string& name() const { return name_; }
  LinkClient& client() { return *client_; }

 private:
  [[noreturn]] void fail(const std::string& why);

  std::string name_;
  std::unique_ptr<LinkClient> client_;
  HelloInfo hello_;
};

}  // namespace spindle::emu::remote
