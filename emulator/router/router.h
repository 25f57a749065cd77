// One chip's router: multicast routing by table (first match, default
// routing of unmatched packets from links), point-to-point and
// nearest-neighbour routing to monitor cores, and the congestion path
// wait -> emergency route round the triangle -> dump queue -> reinjection by
// the monitor at the next tick. Driven round by round by the Fabric; see
// docs/router.md for the model.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "machine/machine.h"
#include "router/counters.h"
#include "router/fast_lookup.h"
#include "router/output_link.h"
#include "router/p2p_table.h"
#include "router/packet.h"
#include "router/router_config.h"
#include "router/routing_table.h"

namespace spindle::emu {

class Router {
 public:
  Router() = default;
  // Sets the router up for chip `chip_index` of `machine` (links, cores,
  // table capacity). `p2p` (shared by all routers, owned by the Fabric) gives
  // the point-to-point routes.
  void init(const MachineDescription& machine, uint32_t chip_index, const RouterConfig& config, P2PTable* p2p);
  void set_config(const RouterConfig& config);

  bool alive() const { return alive_; }
  ChipCoord coord() const { return coord_; }
  uint32_t index() const { return index_; }

  RoutingTable& table() { return table_; }
  const RoutingTable& table() const { return table_; }
  const FastLookup& fast_lookup() const { return fast_; }

  const OutputLink& link(Link l) const { return links_[static_cast<uint32_t>(l)]; }
  OutputLink& link(Link l) { return links_[static_cast<uint32_t>(l)]; }
  const RouterCounters& counters() const { return counters_; }
  bool core_alive(uint32_t core) const { return core < cores_per_chip_ && ((alive_cores_ >> core) & 1u); }

  // --- driven by the Fabric ---------------------------------------------------
  // Start of a tick: refill link budgets and move the dump queue's copies
  // back in (the monitor reinjects). Only a router that routed since its last
  // refill (or was reconfigured) has anything to refill or reinject; the
  // others return at once, so an idle chip costs a flag test a tick.
  void begin_tick() {
    if (spent_) refill();
  }
  // A packet from one of this chip's cores (counted as injected).
  void accept_local(const FabricPacket& p);
  // A packet injected by a core that cannot send (dead core/chip, P2P to a
  // dead chip): counted as injected and dropped.
  void refuse_local();
  // Packets carried over a link into this chip, arriving on `arrived_on`.
  void receive(const std::vector<FabricPacket>& packets, uint8_t arrived_on);
  // One round: retry waiting copies, then route this round's arrivals.
  // `inboxes` points at this chip's core 0 inbox (cores_per_chip of them).
  void process_round(std::vector<fw::Packet>* inboxes);
  // Anything to do next round (arrivals or copies waiting for a link).
  bool busy() const { return !input_.empty() || !waiting_.empty(); }
  uint32_t dump_size() const { return static_cast<uint32_t>(dump_.size()); }
  // Drops everything in the dump queue (reason kDiscarded).
  void discard_dumped();
  void reset_counters();

 private:
  enum class Stage : uint8_t { kNormal, kEmergency, kSecondLeg };
  struct PendingSend {
    FabricPacket packet;
    uint32_t attempts;  // failed attempts in the current stage
    uint8_t link;       // kNormal/kEmergency: the blocked link l; kSecondLeg: the link to take
    Stage stage;
  };

  void refill();
  void route(FabricPacket p, std::vector<fw::Packet>* inboxes);
  void deliver(const FabricPacket& p, uint32_t core, std::vector<fw::Packet>* inboxes);
  void start_send(const FabricPacket& p, uint32_t link, Stage stage);
  // Tries to put the copy on its link; on refusal advances wait -> emergency
  // -> dump. Returns true when the copy is settled (sent, dumped or dropped),
  // false when it must wait another round.
  bool attempt(PendingSend& s);
  void dump(PendingSend s);
  void drop(DropReason r) { ++counters_.dropped[static_cast<uint32_t>(r)]; }

  bool alive_ = false;
  ChipCoord coord_{};
  uint32_t index_ = 0;
  MeshShape mesh_{};
  P2PTable* p2p_ = nullptr;
  uint32_t cores_per_chip_ = 0;
  uint32_t alive_cores_ = 0;  // bit c: core c alive
  uint32_t max_hops_ = 0;
  RouterConfig config_{};

  RoutingTable table_;
  FastLookup fast_;
  uint64_t built_generation_ = UINT64_MAX;
  // Routed a round (link budgets spent, copies maybe dumped) or reconfigured
  // since the last refill: the next begin_tick() has work.
  bool spent_ = true;

  std::array<OutputLink, kLinksPerChip> links_{};
  std::vector<FabricPacket> input_;   // this round's arrivals and injections
  std::vector<PendingSend> waiting_;  // copies waiting for a link, oldest first
  std::vector<PendingSend> dump_;     // dumped copies, reinjected next tick
  std::vector<PendingSend> scratch_;
  RouterCounters counters_{};
};

}  // namespace spindle::emu
