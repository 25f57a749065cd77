#include "backend/remote_cores.h"

#include <algorithm>
#include <stdexcept>

namespace spindle::host::backend_detail {

void check_slices(const MachineLoad& load, const std::set<uint32_t>& slices) {
  for (uint32_t s : slices)
    if (std::none_of(load.cores.begin(), load.cores.end(), [&](const CoreLoad& c) { return c.slice == s; }))
      throw std::invalid_argument("slice " + std::to_string(s) + " does not exist (the mapping has " +
                                  std::to_string(load.cores.size()) + " slices)");
}

std::string core_name(const CoreLoad& c) {
  return "core (" + std::to_string(c.chip.x) + "," + std::to_string(c.chip.y) + "," + std::to_string(c.core) +
         "), slice " + std::to_string(c.slice);
}

void load_routes(emu::Engine& engine, const MachineLoad& load) {
  for (const RouterLoad& r : load.routers)
    for (const auto& e : r.entries) engine.routing_table(r.chip).add_or_throw(e);
}

size_t remote_cores(const emu::Engine& engine) {
  size_t n = 0;
  for (const auto& s : engine.cores()) n += s->remote ? 1 : 0;
  return n;
}

}  // namespace spindle::host::backend_detail
