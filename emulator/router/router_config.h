// Tunables of every router and link in a Fabric (see docs/router.md).
#pragma once

#include <cstdint>

namespace spindle::emu {

struct RouterConfig {
  // A link's output buffer: packets it accepts in one round (a round is the
  // time a packet takes to cross one link; the buffer is carried whole each
  // round). A fuller link refuses packets until the next round.
  uint32_t link_buffer = 256;
  // Packets one link (one direction) carries in one tick; once spent, the
  // link refuses packets for the rest of the tick.
  uint32_t link_budget = 4096;
  // Rounds a refused packet waits for its link before emergency routing
  // (SpiNNaker's wait1), and rounds it waits on the emergency link (or, for
  // the second emergency leg, on its link) before being dumped (wait2).
  uint32_t wait_rounds = 8;
  uint32_t emergency_wait_rounds = 1;
  // Packets a router's dump queue holds; the monitor reinjects them at the
  // start of the next tick. A packet dumped when the queue is full is dropped.
  uint32_t dump_capacity = 256;
  // A packet dumped again after this many reinjections is dropped (at most 255).
  uint32_t max_reinjections = 4;
  // Packets that have crossed more links than this are dropped (routing
  // loops, e.g. default routing round a torus). 0: 4 x (width + height) + 16;
  // at most 65000.
  uint32_t max_hops = 0;
  // Route multicast packets with FastLookup (true) or the table's linear
  // scan (false); the answers are the same.
  bool fast_lookup = true;
};

}  // namespace spindle::emu
