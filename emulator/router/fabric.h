// The packet fabric of a whole machine: one Router per chip, the links
// between them, and per-core injection queues. The engine injects packets
// while cores run a tick, then calls route_tick(), which moves every packet
// hop by hop (in rounds) until each copy is delivered to a core inbox,
// dropped (counted by reason) or parked in a dump queue (reinjected at the
// start of the next tick and counted as late). See docs/router.md.
//
// Threading: inject*() may be called concurrently for different (chip, core)
// pairs (each core has its own queue); everything else is single-threaded,
// between or after the cores' work. Results depend only on the injected
// packets and the tables: route_tick() reads the queues in (chip index,
// core, injection) order, so the inboxes are bit-identical however the cores
// were scheduled.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "machine/machine.h"
#include "platform/platform.h"
#include "router/counters.h"
#include "router/p2p_table.h"
#include "router/router.h"
#include "router/router_config.h"

namespace spindle::emu {

using Inboxes = std::vector<std::vector<fw::Packet>>;  // by chip index * cores_per_chip + core

class Fabric {
 public:
  explicit Fabric(const MachineDescription& machine, const RouterConfig& config = {});
  Fabric(const Fabric&) = delete;
  Fabric& operator=(const Fabric&) = delete;

  const MachineDescription& machine() const { return machine_; }
  const RouterConfig& config() const { return config_; }
  // Between ticks only.
  void set_config(const RouterConfig& config);
  uint32_t cores_per_chip() const { return cores_per_chip_; }
  // Size of the inbox vector route_tick() fills, and the slot of one core.
  uint32_t inbox_count() const { return machine_.mesh.chip_count() * cores_per_chip_; }
  uint32_t inbox_index(ChipCoord chip, uint32_t core) const { return machine_.mesh.index(chip) * cores_per_chip_ + core; }

  RoutingTable& table(ChipCoord chip) { return router(chip).table(); }
  const RoutingTable& table(ChipCoord chip) const { return router(chip).table(); }
  Router& router(ChipCoord chip);
  const Router& router(ChipCoord chip) const;

  // --- during a tick (thread-safe across different (chip, core)) ---------------
  // Multicast packet from `core` of `chip`. Throws std::out_of_range if the
  // chip is outside the mesh or core >= cores_per_chip; packets from dead or
  // absent chips/cores are accepted here and dropped (kBadSource) when routed.
  void inject(ChipCoord chip, uint32_t core, const fw::Packet& packet);
  // Point-to-point packet to the monitor core of `target`.
  void inject_p2p(ChipCoord chip, uint32_t core, ChipCoord target, const fw::Packet& packet);
  // Nearest-neighbour packet to the monitor core of the chip across `link`.
  void inject_nn(ChipCoord chip, uint32_t core, Link link, const fw::Packet& packet);

  // --- after the cores' work of a tick ----------------------------------------
  // Reinjects last tick's dumped copies, then routes everything injected
  // since the last call until no packet is in flight. Delivered packets are
  // appended to `inboxes` (resized to inbox_count() if it has another size).
  // Returns the number of rounds the tick took.
  uint32_t route_tick(Inboxes& inboxes);
  // Copies parked in dump queues (they will be reinjected next tick).
  uint64_t pending() const;
  // End of run: routes ticks without new traffic until no copy is pending
  // (bounded by RouterConfig::max_reinjections). Returns the ticks it took.
  uint32_t drain(Inboxes& inboxes);
  // End of run, alternative: drops pending copies (reason kDiscarded).
  void discard_pending();

  // --- link failures (between ticks) -------------------------------------------
  // Fails / restores the link in both directions. Links across which no chip
  // exists are ignored. Links declared dead in the machine start failed.
  void fail_link(ChipCoord chip, Link link);
  void restore_link(ChipCoord chip, Link link);
  bool link_failed(ChipCoord chip, Link link) const;

  // --- counters -------------------------------------------------------------------
  FabricReport report() const;
  void reset_counters();

 private:
  // The core's injection queue (throws std::out_of_range outside the
  // machine); marks its chip as having injected.
  std::vector<FabricPacket>& injection_queue(ChipCoord chip, uint32_t core);
  void set_failed(ChipCoord chip, Link link, bool failed);

  MachineDescription machine_;
  RouterConfig config_;
  uint32_t cores_per_chip_;
  P2PTable p2p_;
  std::vector<Router> routers_;                    // by chip index (dead/absent chips: !alive())
  std::vector<std::vector<FabricPacket>> outbox_;  // by chip index * cores_per_chip + core
  // By chip index: some core of the chip injected since the last route_tick,
  // so route_tick visits only those chips' core queues (atomic: cores of one
  // chip may inject concurrently).
  std::unique_ptr<std::atomic<uint8_t>[]> chip_injected_;
  std::vector<uint32_t> active_, next_active_;     // routers with work this / next round
  std::vector<uint8_t> marked_;                    // router already in next_active_
};

}  // namespace spindle::emu
