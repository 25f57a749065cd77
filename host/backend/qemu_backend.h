// Puts a mapped network on an engine with some or all of its cores running
// as ARM images under QEMU (the `qemu` backend; docs/backends.md). The
// routers and the native cores load as with load_into(engine, load); each
// chosen core gets its own qemu-system-arm process running the board's core
// server image, loaded with the same core image over the link protocol.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "mapping/core_images.h"
#include "qemu/link_client.h"
#include "qemu/qemu_core.h"
#include "qemu/serial_core.h"

namespace spindle::host {

struct QemuBackendOptions {
  std::string board = "mps2-an386";
  std::string qemu = "qemu-system-arm";
  std::string kernel;  // empty: default_core_image(board)
  emu::qemu::LinkConfig link{};
  // Slices (MappingResult::partition.slices indices) to run under QEMU;
  // nullopt: every core.
  std::optional<std::set<uint32_t>> slices;
  // Tests: wraps each core's transport (corruption injection).
  emu::qemu::QemuCore::TransportWrapper wrap;
};

// The machine as ARM images run its cores (under QEMU or on boards): a
// core holds at most fw::kArmMaxNeuronsPerCore neurons. Map for this
// machine whenever any core may run as an ARM image (the rest run natively
// from the same images). The spikes are the same as from the native
// mapping's larger slices (per-population weight scales).
emu::MachineDescription with_arm_cores(emu::MachineDescription machine);

// Boards with a core server image, and the QEMU machine each runs on.
const std::vector<std::string>& known_boards();
// Where this build put spindle-core-<board>.elf (SPINDLE_BOARD_IMAGES_DIR
// in the environment overrides the build tree's directory).
std::string default_core_image(const std::string& board);

// Throws std::invalid_argument for an unknown board or a slice the load does
// not have, std::runtime_error (naming the core) if a QEMU core does not
// start or load, and what load_into(engine, load) throws.
void load_into(emu::Engine& engine, const MachineLoad& load, const QemuBackendOptions& options);

// The serial backend: one board (one core) per port.
struct SerialBackendOptions {
  std::vector<std::string> ports;
  unsigned baud = 115200;
  // Slices for the boards, taken in ascending order, one per port; nullopt:
  // every slice (then there must be a port per core).
  std::optional<std::set<uint32_t>> slices;
  emu::qemu::LinkConfig link{};
};

// Throws std::invalid_argument when ports and slices do not pair up or a
// slice does not exist, std::runtime_error (naming core and port) when a
// board does not answer or refuses the image.
void load_into(emu::Engine& engine, const MachineLoad& load, const SerialBackendOptions& options);

}  // namespace spindle::host
