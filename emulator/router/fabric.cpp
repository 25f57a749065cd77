#include "router/fabric.h"

#include <stdexcept>
#include <string>

namespace spindle::emu {

Fabric::Fabric(const MachineDescription& machine, const RouterConfig& config)
    : machine_(machine), config_(config), cores_per_chip_(machine.cores_per_chip), p2p_(machine) {
  if (cores_per_chip_ == 0 || cores_per_chip_ > kMaxCoresPerChip)
    throw std::invalid_argument("Fabric: cores_per_chip must be 1.." + std::to_string(kMaxCoresPerChip));
  const uint32_t chips = machine_.mesh.chip_count();
  routers_.resize(chips);
  for (uint32_t i = 0; i < chips; ++i) routers_[i].init(machine_, i, config_, &p2p_);
  outbox_.resize(static_cast<size_t>(chips) * cores_per_chip_);
  chip_injected_ = std::make_unique<std::atomic<uint8_t>[]>(chips);
  marked_.assign(chips, 0);
  active_.reserve(chips);
  next_active_.reserve(chips);
}

void Fabric::set_config(const RouterConfig& config) {
  config_ = config;
  for (Router& r : routers_) r.set_config(config);
}

Router& Fabric::router(ChipCoord chip) {
  if (!machine_.mesh.contains(chip)) throw std::out_of_range("Fabric: chip outside the mesh");
  return routers_[machine_.mesh.index(chip)];
}
const Router& Fabric::router(ChipCoord chip) const {
  if (!machine_.mesh.contains(chip)) throw std::out_of_range("Fabric: chip outside the mesh");
  return routers_[machine_.mesh.index(chip)];
}

std::vector<FabricPacket>& Fabric::injection_queue(ChipCoord chip, uint32_t core) {
  if (!machine_.mesh.contains(chip) || core >= cores_per_chip_)
    throw std::out_of_range("Fabric::inject: chip (" + std::to_string(chip.x) + ", " + std::to_string(chip.y) +
                            ") core " + std::to_string(core) + " is outside the machine");
  chip_injected_[machine_.mesh.index(chip)].store(1, std::memory_order_relaxed);
  return outbox_[inbox_index(chip, core)];
}

namespace {

// A core's packet as the fabric carries it.
FabricPacket from_core(const fw::Packet& packet, PacketKind kind, uint32_t core, uint32_t dest) {
  FabricPacket p;
  p.key = packet.key;
  p.payload = packet.payload;
  p.has_payload = packet.has_payload;
  p.kind = kind;
  p.dest = dest;
  p.source_core = static_cast<uint8_t>(core);
  return p;
}

}  // namespace

void Fabric::inject(ChipCoord chip, uint32_t core, const fw::Packet& packet) {
  injection_queue(chip, core).push_back(from_core(packet, PacketKind::kMulticast, core, FabricPacket{}.dest));
}

void Fabric::inject_p2p(ChipCoord chip, uint32_t core, ChipCoord target, const fw::Packet& packet) {
  // A target outside the mesh is marked with an impossible index and refused when routed.
  const uint32_t dest = machine_.mesh.contains(target) ? machine_.mesh.index(target) : UINT32_MAX;
  injection_queue(chip, core).push_back(from_core(packet, PacketKind::kPointToPoint, core, dest));
}

void Fabric::inject_nn(ChipCoord chip, uint32_t core, Link link, const fw::Packet& packet) {
  injection_queue(chip, core).push_back(
      from_core(packet, PacketKind::kNearestNeighbour, core, static_cast<uint32_t>(link)));
}

uint32_t Fabric::route_tick(Inboxes& inboxes) {
  if (inboxes.size() != inbox_count()) inboxes.resize(inbox_count());
  const uint32_t chips = static_cast<uint32_t>(routers_.size());
  active_.clear();
  for (uint32_t i = 0; i < chips; ++i) {
    Router& r = routers_[i];
    if (r.alive()) r.begin_tick();
    if (chip_injected_[i].load(std::memory_order_relaxed) == 0) {
      if (r.busy()) active_.push_back(i);
      continue;
    }
    chip_injected_[i].store(0, std::memory_order_relaxed);
    std::vector<FabricPacket>* out = &outbox_[static_cast<size_t>(i) * cores_per_chip_];
    for (uint32_t core = 0; core < cores_per_chip_; ++core) {
      const bool core_ok = r.alive() && r.core_alive(core);
      for (const FabricPacket& p : out[core]) {
        const bool target_ok = p.kind != PacketKind::kPointToPoint ||
                               (p.dest < chips && routers_[p.dest].alive());
        if (core_ok && target_ok) r.accept_local(p);
        else r.refuse_local();
      }
      out[core].clear();
    }
    if (r.busy()) active_.push_back(i);
  }

  uint32_t rounds = 0;
  while (!active_.empty()) {
    ++rounds;
    for (uint32_t i : active_) routers_[i].process_round(&inboxes[static_cast<size_t>(i) * cores_per_chip_]);
    // Carry every link's buffer to the chip across it, in (sender, link) order.
    next_active_.clear();
    auto mark = [&](uint32_t i) {
      if (!marked_[i]) {
        marked_[i] = 1;
        next_active_.push_back(i);
      }
    };
    for (uint32_t i : active_) {
      Router& r = routers_[i];
      for (Link l : kAllLinks) {
        OutputLink& out = r.link(l);
        if (out.buffer.empty()) continue;
        const uint32_t n = static_cast<uint32_t>(out.buffer.size());
        out.budget_left -= n;
        out.counters.carried += n;
        for (const FabricPacket& p : out.buffer)
          if (p.emergency != EmergencyLeg::kNone) ++out.counters.carried_emergency;
        routers_[out.neighbour].receive(out.buffer, static_cast<uint8_t>(opposite(l)));
        out.buffer.clear();
        mark(out.neighbour);
      }
      if (r.busy()) mark(i);
    }
    for (uint32_t i : next_active_) marked_[i] = 0;
    active_.swap(next_active_);
  }
  return rounds;
}

uint64_t Fabric::pending() const {
  uint64_t n = 0;
  for (const Router& r : routers_) n += r.dump_size();
  return n;
}

uint32_t Fabric::drain(Inboxes& inboxes) {
  uint32_t ticks = 0;
  while (pending() != 0) {
    route_tick(inboxes);
    ++ticks;
  }
  return ticks;
}

void Fabric::discard_pending() {
  for (Router& r : routers_) r.discard_dumped();
}

void Fabric::set_failed(ChipCoord chip, Link link, bool failed) {
  Router& r = router(chip);
  OutputLink& out = r.link(link);
  if (!out.exists) return;
  out.failed = failed;
  routers_[out.neighbour].link(opposite(link)).failed = failed;
}

void Fabric::fail_link(ChipCoord chip, Link link) { set_failed(chip, link, true); }
void Fabric::restore_link(ChipCoord chip, Link link) { set_failed(chip, link, false); }
bool Fabric::link_failed(ChipCoord chip, Link link) const { return router(chip).link(link).failed; }

FabricReport Fabric::report() const {
  FabricReport rep;
  rep.routers.reserve(routers_.size());
  rep.links.reserve(routers_.size() * kLinksPerChip);
  for (const Router& r : routers_) {
    rep.routers.push_back(r.counters());
    rep.totals += r.counters();
    for (Link l : kAllLinks) {
      rep.links.push_back(r.link(l).counters);
      rep.link_totals += r.link(l).counters;
    }
    rep.pending += r.dump_size();
  }
  return rep;
}

void Fabric::reset_counters() {
  for (Router& r : routers_) r.reset_counters();
}

}  // namespace spindle::emu
