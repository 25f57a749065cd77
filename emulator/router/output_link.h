// One direction of one inter-chip link, as its sending router sees it: a
// bounded output buffer emptied once per round, a per-tick budget, and
// whether it exists (leads to a present, alive chip) and works (not failed).
#pragma once

#include <cstdint>
#include <vector>

#include "router/counters.h"
#include "router/packet.h"

namespace spindle::emu {

struct OutputLink {
  bool exists = false;      // a present, alive chip is across it (fixed by the machine)
  bool failed = false;      // declared dead in the machine, or failed at run time
  uint32_t neighbour = 0;   // chip index across the link (when it exists)
  uint32_t capacity = 0;    // packets accepted per round (RouterConfig::link_buffer)
  uint32_t budget_left = 0; // packets it may still carry this tick
  std::vector<FabricPacket> buffer;  // accepted this round, carried at the end of the round
  LinkCounters counters;

  bool accepts() const {
    return exists && !failed && buffer.size() < capacity && buffer.size() < budget_left;
  }
};

}  // namespace spindle::emu
