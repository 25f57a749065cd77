#include "backend/qemu_backend.h"

#include <algorithm>
#include <cstdlib>
#include <future>
#include <memory>
#include <stdexcept>

#ifndef SPINDLE_BOARD_IMAGES_DIR
#error "SPINDLE_BOARD_IMAGES_DIR must be defined by the build"
#endif

namespace spindle::host {

emu::MachineDescription with_arm_cores(emu::MachineDescription machine) {
  machine.max_neurons_per_core = std::min(machine.max_neurons_per_core, fw::kArmMaxNeuronsPerCore);
  return machine;
}

const std::vector<std::string>& known_boards() {
  static const std::vector<std::string> boards = {"mps2-an386", "netduinoplus2"};
  return boards;
}

std::string default_core_image(const std::string& board) {
  const char* env = std::getenv("SPINDLE_BOARD_IMAGES_DIR");
  const std::string dir = env && *env ? std::string(env) : std::string(SPINDLE_BOARD_IMAGES_DIR);
  // The host build lays the boards out as arm/<board>/boards/; a directory
  // given in the environment may also hold the images directly.
  const std::string nested = dir + "/" + board + "/boards/spindle-core-" + board + ".elf";
  if (env && *env) {
    const std::string flat = dir + "/spindle-core-" + board + ".elf";
    if (std::FILE* f = std::fopen(flat.c_str(), "rb")) {
      std::fclose(f);
      return flat;
    }
  }
  return nested;
}

void load_into(emu::Engine& engine, const MachineLoad& load, const QemuBackendOptions& options) {
  const auto& boards = known_boards();
  if (std::find(boards.begin(), boards.end(), options.board) == boards.end()) {
    std::string list;
    for (const auto& b : boards) list += (list.empty() ? "" : ", ") + b;
    throw std::invalid_argument("unknown board '" + options.board + "' (boards: " + list + ")");
  }
  if (options.slices)
    for (uint32_t s : *options.slices)
      if (std::none_of(load.cores.begin(), load.cores.end(), [&](const CoreLoad& c) { return c.slice == s; }))
        throw std::invalid_argument("--qemu-cores: slice " + std::to_string(s) + " does not exist (the mapping has " +
                                    std::to_string(load.cores.size()) + " slices)");

  emu::qemu::QemuOptions qemu;
  qemu.qemu = options.qemu;
  qemu.machine = options.board;  // each board is the QEMU machine of the same name
  qemu.kernel = options.kernel.empty() ? default_core_image(options.board) : options.kernel;

  for (const RouterLoad& r : load.routers)
    for (const auto& e : r.entries) engine.routing_table(r.chip).add_or_throw(e);

  // QEMU processes start on this thread (they die with it), then load
  // their images side by side; the engine takes them in load order.
  std::vector<std::unique_ptr<emu::qemu::QemuCore>> started(load.cores.size());
  for (size_t i = 0; i < load.cores.size(); ++i) {
    const CoreLoad& c = load.cores[i];
    if (options.slices && !options.slices->count(c.slice)) continue;
    const std::string name = "core (" + std::to_string(c.chip.x) + "," + std::to_string(c.chip.y) + "," +
                             std::to_string(c.core) + "), slice " + std::to_string(c.slice);
    started[i] = std::make_unique<emu::qemu::QemuCore>(name, qemu, options.link, options.wrap);
  }
  std::vector<std::future<void>> booting(load.cores.size());
  for (size_t i = 0; i < load.cores.size(); ++i)
    if (started[i])
      booting[i] = std::async(std::launch::async, [&core = *started[i], &image = load.cores[i].image] { core.boot(image); });
  std::exception_ptr first_error;
  for (auto& b : booting) {
    if (!b.valid()) continue;
    try {
      b.get();
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
  for (size_t i = 0; i < load.cores.size(); ++i)
    engine.load_core({load.cores[i].chip, load.cores[i].core}, load.cores[i].image, std::move(started[i]));
}

void load_into(emu::Engine& engine, const MachineLoad& load, const SerialBackendOptions& options) {
  std::set<uint32_t> slices;
  if (options.slices) slices = *options.slices;
  else
    for (const CoreLoad& c : load.cores) slices.insert(c.slice);
  for (uint32_t s : slices)
    if (std::none_of(load.cores.begin(), load.cores.end(), [&](const CoreLoad& c) { return c.slice == s; }))
      throw std::invalid_argument("--serial-cores: slice " + std::to_string(s) + " does not exist (the mapping has " +
                                  std::to_string(load.cores.size()) + " slices)");
  if (options.ports.size() != slices.size())
    throw std::invalid_argument("--backend serial: " + std::to_string(options.ports.size()) + " port(s) for " +
                                std::to_string(slices.size()) +
                                " core(s); give one --port per core, or choose the cores with --serial-cores");
  for (const RouterLoad& r : load.routers)
    for (const auto& e : r.entries) engine.routing_table(r.chip).add_or_throw(e);
  size_t next_port = 0;
  // Cores in slice order get the ports in the order given.
  std::vector<const CoreLoad*> by_slice;
  for (const CoreLoad& c : load.cores) by_slice.push_back(&c);
  std::sort(by_slice.begin(), by_slice.end(), [](const CoreLoad* a, const CoreLoad* b) { return a->slice < b->slice; });
  for (const CoreLoad* c : by_slice) {
    std::unique_ptr<emu::RemoteCore> remote;
    if (slices.count(c->slice)) {
      const std::string name = "core (" + std::to_string(c->chip.x) + "," + std::to_string(c->chip.y) + "," +
                               std::to_string(c->core) + "), slice " + std::to_string(c->slice);
      remote = std::make_unique<emu::qemu::SerialCore>(name, options.ports[next_port++], options.baud, options.link,
                                                       c->image);
    }
    engine.load_core({c->chip, c->core}, c->image, std::move(remote));
  }
}

}  // namespace spindle::host
