// What the backends that run cores remotely (qemu, serial) share: checking
// the chosen slices against the load, naming a core in errors, routes.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "engine/engine.h"
#include "mapping/core_images.h"

namespace spindle::host::backend_detail {

// Throws std::invalid_argument for a slice the load does not have.
void check_slices(const MachineLoad& load, const std::set<uint32_t>& slices);
// "core (0,0,3), slice 2": how errors name a core.
std::string core_name(const CoreLoad& core);
// Every router's table, as load_into(engine, load) loads them.
void load_routes(emu::Engine& engine, const MachineLoad& load);
// Cores of the engine that run remotely.
size_t remote_cores(const emu::Engine& engine);

}  // namespace spindle::host::backend_detail
