// The backends: one entry each.
#include <algorithm>
#include <array>
#include <stdexcept>

#include "backend/backends.h"

namespace spindle::host {
namespace {

using namespace backend_detail;

constexpr std::array kBackends = {
    BackendType{"native", "the tick engine: every core's firmware compiled for the host, bit-exact with the boards", false, true, &make_native},
    BackendType{"qemu", "ARM core images under qemu-system-arm, one process per core, bit-exact with native", true,
                true, &make_qemu},
    BackendType{"serial", "boards on serial ports running the core server image, one core per board", true, false,
                &make_serial},
};

}  // namespace

std::span<const BackendType> backend_types() { return kBackends; }

const BackendType* find_backend_type(std::string_view name) {
  for (const BackendType& t : kBackends)
    if (t.name == name) return &t;
  return nullptr;
}

std::string backend_names() {
  std::string s;
  for (const BackendType& t : kBackends) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

std::unique_ptr<Backend> make_backend(const BackendOptions& options) {
  const BackendType* type = find_backend_type(options.name);
  if (type == nullptr)
    throw std::invalid_argument("unknown backend '" + options.name + "' (backends: " + backend_names() + ")");
  return type->make(options);
}

emu::MachineDescription with_arm_cores(emu::MachineDescription machine) {
  machine.max_neurons_per_core = std::min(machine.max_neurons_per_core, fw::kArmMaxNeuronsPerCore);
  return machine;
}

emu::MachineDescription machine_for(const BackendType& type, const emu::MachineDescription& machine) {
  return type.arm_images ? with_arm_cores(machine) : machine;
}

}  // namespace spindle::host
