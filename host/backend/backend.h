// Where a mapped network's cores run (docs/backends.md): every core in the
// native engine, or chosen cores as ARM images under QEMU or on boards
// behind serial ports. One interface and one registry: the CLI and the
// daemon pick a backend by name (make_backend) and never compare names; a
// new backend is one file and one registry entry.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "machine/machine.h"
#include "mapping/core_images.h"
#include "remote/link_client.h"
#include "remote/qemu_core.h"

namespace spindle::host {

// Every option of every backend; each backend reads its own and refuses
// (make_backend) the ones that belong to another.
struct BackendOptions {
  std::string name = "native";
  // Slices (MappingResult::partition.slices indices) that run remotely;
  // nullopt: every core. qemu and serial.
  std::optional<std::set<uint32_t>> slices;
  emu::remote::LinkConfig link{};
  // qemu: the board whose core server image runs (empty: the manifest's
  // default board), the image (empty: this build's), the QEMU executable.
  std::string board;
  std::string kernel;
  std::string qemu = "qemu-system-arm";
  // Tests: wraps each QEMU core's transport (corruption injection).
  emu::remote::QemuCore::TransportWrapper wrap;
  // serial: one board (one core) per port, taken by the slices in order.
  std::vector<std::string> ports;
  unsigned baud = 115200;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  // Puts the routing tables and every core of `load` on the engine, the
  // chosen ones remotely. Throws std::invalid_argument for options the load
  // contradicts (a slice it does not have, ports that do not pair up) and
  // std::runtime_error, naming the core, when a remote core does not start.
  virtual void load(emu::Engine& engine, const MachineLoad& load) = 0;
  // The run summary's line ("backend qemu: 2 of 4 cores ran as mps2-an386
  // images under QEMU"); empty for the native engine.
  virtual std::string summary(const emu::Engine& engine) const = 0;
};

// A backend as the registry describes it.
struct BackendType {
  std::string_view name;
  std::string_view description;
  // Its cores run as ARM images: the network is mapped for
  // with_arm_cores(machine), whose slices an image holds.
  bool arm_images = false;
  // spindled offers it (a serial port belongs to the user's own machine).
  bool offered_by_daemon = false;
  std::unique_ptr<Backend> (*make)(const BackendOptions&) = nullptr;
};

std::span<const BackendType> backend_types();
// nullptr when there is no such backend.
const BackendType* find_backend_type(std::string_view name);
// "native, qemu, serial": for usage errors.
std::string backend_names();

// Throws std::invalid_argument naming what is wrong: an unknown backend or
// board, or options of another backend.
std::unique_ptr<Backend> make_backend(const BackendOptions& options);

// The machine as ARM images run its cores (under QEMU or on boards): a core
// holds at most fw::kArmMaxNeuronsPerCore neurons. The spikes are the same
// as from the native mapping's larger slices (per-population weight scales).
emu::MachineDescription with_arm_cores(emu::MachineDescription machine);
// The machine a backend's cores need: with_arm_cores for ARM images.
emu::MachineDescription machine_for(const BackendType& type, const emu::MachineDescription& machine);

// Why the qemu backend cannot run `board` here (no qemu-system-arm on PATH,
// no core image in this build); empty when it can.
std::string qemu_unavailable(const std::string& board);

}  // namespace spindle::host
