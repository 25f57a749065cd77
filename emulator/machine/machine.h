// What a machine is: its mesh of chips, cores per chip, memory, router
// capacity, and what is dead. Plain data; the engine and the mapping
// pipeline both read it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "machine/geometry.h"
#include "config/limits.h"

namespace spindle::emu {

inline constexpr uint32_t kMonitorCore = 0;
inline constexpr uint32_t kMaxCoresPerChip = 18;  // route word has 18 core bits

struct DeadCore {
  ChipCoord chip;
  uint32_t core;
};
struct DeadLink {
  ChipCoord chip;
  Link link;
};

struct MachineDescription {
  std::string name = "custom";
  MeshShape mesh{};
  uint32_t cores_per_chip = 18;          // core 0 is the monitor
  uint32_t dtcm_bytes_per_core = 64 * 1024;
  // Neurons one application core holds: a limit of the firmware build that
  // runs the cores (this build's native cores; ARM images, under QEMU or on
  // boards, hold fw::kArmMaxNeuronsPerCore). The mapping slices within it.
  uint32_t max_neurons_per_core = fw::kMaxNeuronsPerCore;
  uint32_t itcm_bytes_per_core = 32 * 1024;
  uint64_t sdram_bytes_per_chip = 128ull * 1024 * 1024;
  uint32_t router_table_capacity = 1024;
  std::vector<bool> chip_present;        // by chip index; empty = all present
  std::vector<ChipCoord> dead_chips;
  std::vector<DeadCore> dead_cores;
  std::vector<DeadLink> dead_links;      // dead in both directions

  bool chip_alive(ChipCoord c) const;
  bool core_alive(ChipCoord c, uint32_t core) const;
  // A link works if it is not declared dead (from either end) and both chips are alive.
  bool link_alive(ChipCoord c, Link l) const;
  // Alive application cores of a chip (never the monitor), ascending.
  std::vector<uint32_t> application_cores(ChipCoord c) const;
  std::vector<ChipCoord> alive_chips() const;
  uint32_t application_core_count() const;
};

// Named shapes:
//   "1" or "single"   one chip
//   "2x2"             2x2 torus (a SpiNN-3-like board)
//   "48" or "spinn5"  one 48-chip board: the hexagon inside an 8x8 grid, no wrap
//   "boards:WxH"      a torus of 3WH 48-chip boards (12W x 12H chips)
//   "torus:WxH"       a WxH torus of chips
//   "mesh:WxH"        a WxH open mesh of chips
// Throws std::invalid_argument with the accepted forms on anything else.
MachineDescription machine_from_shape(std::string_view shape);

// Whether chip (x, y) of an 8x8 grid belongs to a 48-chip board's hexagon.
bool in_spinn5_hexagon(ChipCoord c);

}  // namespace spindle::emu
