#include "router/router.h"

#include <algorithm>
#include <bit>

#include "router/route_word.h"

namespace spindle::emu {

void Router::init(const MachineDescription& machine, uint32_t chip_index, const RouterConfig& config,
                  P2PTable* p2p) {
  index_ = chip_index;
  p2p_ = p2p;
  mesh_ = machine.mesh;
  coord_ = mesh_.coord(chip_index);
  alive_ = machine.chip_alive(coord_);
  cores_per_chip_ = std::min(machine.cores_per_chip, kMaxCoresPerChip);
  alive_cores_ = 0;
  for (uint32_t c = 0; c < cores_per_chip_; ++c)
    if (machine.core_alive(coord_, c)) alive_cores_ |= 1u << c;
  table_ = RoutingTable(alive_ ? machine.router_table_capacity : 0);
  built_generation_ = UINT64_MAX;
  for (Link l : kAllLinks) {
    OutputLink& out = links_[static_cast<uint32_t>(l)];
    out = OutputLink{};
    const auto n = mesh_.neighbour(coord_, l);
    out.exists = alive_ && n && machine.chip_alive(*n);
    out.neighbour = n ? mesh_.index(*n) : 0;
    out.failed = out.exists && !machine.link_alive(coord_, l);
  }
  set_config(config);
}

void Router::set_config(const RouterConfig& config) {
  config_ = config;
  // The packet counts hops in 16 bits and reinjections in 8.
  config_.max_reinjections = std::min(config.max_reinjections, 255u);
  max_hops_ = std::min(config.max_hops != 0 ? config.max_hops : 4 * (mesh_.width + mesh_.height) + 16, 65000u);
  // Buffers and queues grow on first use and keep their capacity: no
  // allocation per packet in steady state, nothing reserved for idle chips.
  for (OutputLink& out : links_) out.capacity = config.link_buffer;
  spent_ = true;
}

void Router::refill() {
  spent_ = false;
  for (OutputLink& out : links_) out.budget_left = config_.link_budget;
  // The monitor reinjects what was dumped last tick, before this tick's traffic.
  scratch_.swap(dump_);
  for (PendingSend& s : scratch_) {
    ++s.packet.reinjections;
    ++counters_.reinjected;
    waiting_.push_back(s);
  }
  scratch_.clear();
}

void Router::accept_local(const FabricPacket& p) {
  ++counters_.injected;
  input_.push_back(p);
}

void Router::refuse_local() {
  ++counters_.injected;
  drop(DropReason::kBadSource);
}

void Router::receive(const std::vector<FabricPacket>& packets, uint8_t arrived_on) {
  const size_t first = input_.size();
  input_.insert(input_.end(), packets.begin(), packets.end());
  for (size_t i = first; i < input_.size(); ++i) {
    input_[i].arrived_on = arrived_on;
    ++input_[i].hops;
  }
}

void Router::process_round(std::vector<fw::Packet>* inboxes) {
  spent_ = true;
  // The table may have changed between ticks; rebuilt here, where lookups
  // happen, rather than for every router every tick.
  if (config_.fast_lookup && built_generation_ != table_.generation()) {
    fast_.build(table_);
    built_generation_ = table_.generation();
  }
  // Copies already waiting are older than this round's arrivals: they go first.
  size_t keep = 0;
  for (size_t i = 0; i < waiting_.size(); ++i) {
    PendingSend s = waiting_[i];
    if (!attempt(s)) waiting_[keep++] = s;
  }
  waiting_.resize(keep);
  for (const FabricPacket& p : input_) route(p, inboxes);
  input_.clear();
}

void Router::route(FabricPacket p, std::vector<fw::Packet>* inboxes) {
  const bool local = p.arrived_on == kFromLocal;
  if (!local) {
    ++counters_.received;
    if (p.hops > max_hops_) {
      drop(DropReason::kHopLimit);
      return;
    }
    if (p.emergency == EmergencyLeg::kFirst) {
      // Intermediate chip of an emergency detour: pass it on round the
      // triangle, no table lookup.
      ++counters_.emergency_forwarded;
      start_send(p, static_cast<uint32_t>(prev_link(static_cast<Link>(p.blocked_link))), Stage::kSecondLeg);
      return;
    }
    if (p.emergency == EmergencyLeg::kSecond) {
      // Back on course: it arrives as if it had come straight over the blocked link.
      p.emergency = EmergencyLeg::kNone;
      p.arrived_on = static_cast<uint8_t>(opposite(static_cast<Link>(p.blocked_link)));
    }
  }

  switch (p.kind) {
    case PacketKind::kMulticast: {
      uint32_t route = 0;
      const uint32_t idx = config_.fast_lookup ? fast_.find_first(p.key, route) : table_.find_first(p.key);
      if (idx == kNoMatch) {
        if (local) {
          drop(DropReason::kUnroutedLocal);
          return;
        }
        ++counters_.default_routed;
        start_send(p, static_cast<uint32_t>(opposite(static_cast<Link>(p.arrived_on))), Stage::kNormal);
        return;
      }
      ++counters_.table_hits;
      if (!config_.fast_lookup) route = table_[idx].route;
      if ((route & kRouteValidMask) == 0) {
        drop(DropReason::kEmptyRoute);
        return;
      }
      // One copy per output: the packet itself and (outputs - 1) copies.
      uint32_t outputs = 0;
      for (uint32_t cores = route_cores(route); cores != 0; cores &= cores - 1, ++outputs)
        deliver(p, static_cast<uint32_t>(std::countr_zero(cores)), inboxes);
      for (uint32_t links = route_links(route); links != 0; links &= links - 1, ++outputs)
        start_send(p, static_cast<uint32_t>(std::countr_zero(links)), Stage::kNormal);
      counters_.copies += outputs - 1;
      return;
    }
    case PacketKind::kPointToPoint: {
      if (p.dest == index_) {
        deliver(p, kMonitorCore, inboxes);
        return;
      }
      const uint32_t l = p2p_->next_link(index_, p.dest);
      if (l == P2PTable::kNone) {
        drop(DropReason::kNoLink);
        return;
      }
      start_send(p, l, Stage::kNormal);
      return;
    }
    case PacketKind::kNearestNeighbour:
      if (local) start_send(p, p.dest, Stage::kNormal);
      else deliver(p, kMonitorCore, inboxes);
      return;
  }
}

void Router::deliver(const FabricPacket& p, uint32_t core, std::vector<fw::Packet>* inboxes) {
  if (!core_alive(core)) {
    drop(DropReason::kDeadCore);
    return;
  }
  inboxes[core].push_back(p.core_packet());
  ++counters_.delivered;
  if (p.reinjections != 0) ++counters_.delivered_late;
}

void Router::start_send(const FabricPacket& p, uint32_t link, Stage stage) {
  if (link >= kLinksPerChip || !links_[link].exists) {
    drop(DropReason::kNoLink);
    return;
  }
  PendingSend s{p, 0, static_cast<uint8_t>(link), stage};
  if (!attempt(s)) waiting_.push_back(s);
}

bool Router::attempt(PendingSend& s) {
  for (;;) {
    const uint32_t l =
        s.stage == Stage::kEmergency ? static_cast<uint32_t>(next_link(static_cast<Link>(s.link))) : s.link;
    OutputLink& out = links_[l];
    if (out.accepts()) {
      FabricPacket q = s.packet;
      switch (s.stage) {
        case Stage::kNormal: q.emergency = EmergencyLeg::kNone; break;
        case Stage::kEmergency:
          q.emergency = EmergencyLeg::kFirst;
          q.blocked_link = s.link;
          ++counters_.emergency_routed;
          break;
        case Stage::kSecondLeg: q.emergency = EmergencyLeg::kSecond; break;
      }
      out.buffer.push_back(q);
      return true;
    }
    if (out.exists) ++(out.failed ? out.counters.refused_dead : out.counters.refused_full);
    if (s.attempts == 0 && s.stage != Stage::kEmergency) ++counters_.blocked;
    ++s.attempts;
    if (s.stage == Stage::kNormal) {
      if (s.attempts <= config_.wait_rounds) return false;
      s.stage = Stage::kEmergency;  // waited long enough: go round the triangle, now
      s.attempts = 0;
      continue;
    }
    if (s.attempts <= config_.emergency_wait_rounds) return false;
    dump(s);
    return true;
  }
}

void Router::dump(PendingSend s) {
  if (s.packet.reinjections >= config_.max_reinjections) {
    drop(DropReason::kReinjectLimit);
    return;
  }
  if (dump_.size() >= config_.dump_capacity) {
    drop(DropReason::kDumpFull);
    return;
  }
  // Reinjected copies start over on their own link (or their second leg).
  if (s.stage == Stage::kEmergency) s.stage = Stage::kNormal;
  s.attempts = 0;
  dump_.push_back(s);
  ++counters_.dumped;
}

void Router::discard_dumped() {
  counters_.dropped[static_cast<uint32_t>(DropReason::kDiscarded)] += dump_.size();
  dump_.clear();
}

void Router::reset_counters() {
  counters_ = {};
  for (OutputLink& out : links_) out.counters = {};
}

}  // namespace spindle::emu
