// `spindle machine [SHAPE]`: what a machine shape amounts to.
#include <iostream>
#include <memory>
#include <stdexcept>

#include "cli/common.h"
#include "cli/remote.h"
#include "machine/machine.h"

namespace spindle::cli {

namespace {

void describe(const std::string& shape, const emu::MachineDescription& m) {
  const auto alive = m.alive_chips();
  std::cout << "machine " << shape << " (" << m.name << ")\n"
            << "  mesh:              " << m.mesh.width << " x " << m.mesh.height << ' '
            << (m.mesh.wrap ? "torus (wraps around)" : "open mesh (no wrap-around)") << '\n'
            << "  chips alive:       " << alive.size() << " of " << m.mesh.chip_count() << " grid positions\n"
            << "  cores per chip:    " << m.cores_per_chip << " (core 0 is the monitor)\n"
            << "  application cores: " << m.application_core_count() << '\n'
            << "  per core:          " << m.dtcm_bytes_per_core / 1024 << " KiB DTCM, " << m.itcm_bytes_per_core / 1024
            << " KiB ITCM, at most " << m.max_neurons_per_core << " neurons (" << fw::kArmMaxNeuronsPerCore
            << " as ARM images)\n"
            << "  per chip:          " << m.sdram_bytes_per_chip / (1024 * 1024) << " MiB SDRAM, "
            << m.router_table_capacity << " routing entries\n";
  if (m.dead_chips.empty() && m.dead_cores.empty() && m.dead_links.empty()) {
    std::cout << "  dead parts:        none\n";
    return;
  }
  std::cout << "  dead parts:        " << m.dead_chips.size() << " chips, " << m.dead_cores.size() << " cores, "
            << m.dead_links.size() << " links\n";
  for (const auto& c : m.dead_chips) std::cout << "    chip (" << c.x << ", " << c.y << ")\n";
  for (const auto& c : m.dead_cores) std::cout << "    core " << c.core << " of chip (" << c.chip.x << ", " << c.chip.y << ")\n";
  for (const auto& l : m.dead_links)
    std::cout << "    link " << emu::link_name(l.link) << " of chip (" << l.chip.x << ", " << l.chip.y << ")\n";
}

}  // namespace

void add_machine_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("machine", "Describe a machine shape (chips, cores, wrap-around, dead parts)");
  auto shape = std::make_shared<std::string>("48");
  cmd->add_option("SHAPE", *shape, "Machine shape: 1, 2x2, 48, boards:WxH, torus:WxH, mesh:WxH")
      ->capture_default_str();
  cmd->callback([cmd, shape, &exit_code] {
    if (remote_enabled()) {
      if (cmd->count("SHAPE")) {
        std::cerr << "spindle machine: a SHAPE cannot be given with --connect (the daemon's machine is described)\n";
        exit_code = kExitUsage;
        return;
      }
      exit_code = remote_machine();
      return;
    }
    try {
      describe(*shape, emu::machine_from_shape(*shape));
      exit_code = kExitOk;
    } catch (const std::invalid_argument& e) {
      std::cerr << "spindle machine: " << e.what() << '\n';
      exit_code = kExitUsage;
    }
  });
}

}  // namespace spindle::cli
