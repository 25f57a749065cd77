#include "engine/engine.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

namespace spindle::emu {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string describe(CoreLocation w) {
  return "core (" + std::to_string(w.chip.x) + "," + std::to_string(w.chip.y) + "," + std::to_string(w.core) + ")";
}

unsigned default_threads(unsigned requested) {
  if (requested != 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

}  // namespace

Engine::Engine(MachineDescription machine, EngineConfig config)
    : machine_(std::move(machine)),
      config_(config),
      fabric_(machine_, config_.router),
      pool_(default_threads(config.threads)),
      inboxes_(size_t{machine_.mesh.chip_count()} * machine_.cores_per_chip) {}

void Engine::load_core(CoreLocation where, const std::vector<uint8_t>& image) {
  load_core(where, image, nullptr);
}

void Engine::load_core(CoreLocation where, const std::vector<uint8_t>& image, std::unique_ptr<RemoteCore> remote) {
  if (where.core == kMonitorCore) throw std::invalid_argument(describe(where) + " is the monitor core");
  if (!machine_.core_alive(where.chip, where.core))
    throw std::invalid_argument(describe(where) + " does not exist or is dead on machine '" + machine_.name + "'");
  if (find(where)) throw std::invalid_argument(describe(where) + " already has an image");

  auto slot = std::make_unique<CoreSlot>();
  slot->where = where;
  slot->image.assign((image.size() + 3) / 4, 0u);
  std::memcpy(slot->image.data(), image.data(), image.size());
  slot->platform.set_image(reinterpret_cast<const uint8_t*>(slot->image.data()), static_cast<uint32_t>(image.size()));
  const fw::image::ImageStatus s = slot->core.load(slot->platform);
  if (!s.ok())
    throw std::invalid_argument(describe(where) + ": core image rejected: " + fw::image::to_string(s.error) +
                                " (region " + std::to_string(s.region) + ", offset " + std::to_string(s.offset) + ")");
  // Keep slots in location order: the fabric sees packets in this order.
  const auto pos = std::lower_bound(slots_.begin(), slots_.end(), where, [this](const auto& a, CoreLocation b) {
    return inbox_index(a->where) < inbox_index(b);
  });
  slot->remote = std::move(remote);
  slots_.insert(pos, std::move(slot));
  remote_slots_.clear();
  for (const auto& other : slots_)
    if (other->remote) remote_slots_.push_back(other.get());
}

const CoreSlot* Engine::find(CoreLocation where) const {
  for (const auto& s : slots_)
    if (s->where == where) return s.get();
  return nullptr;
}

void Engine::tick_cores(size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i)
    if (!slots_[i]->remote) slots_[i]->core.tick();
}

void Engine::begin_remote_ticks() {
  for (CoreSlot* s : remote_slots_) {
    s->remote->begin_tick(s->remote_inbox);
    s->remote_inbox.clear();
  }
}

void Engine::end_remote_ticks() {
  for (CoreSlot* s : remote_slots_) {
    s->remote_outbox.clear();
    s->remote->end_tick(s->remote_outbox, s->spikes, s->states);
  }
}

// A remote core's last inbox would otherwise wait for a tick that may never
// come; delivered now, its provenance matches a native core's after run().
void Engine::flush_remote_inboxes() {
  for (CoreSlot* s : remote_slots_) {
    if (s->remote_inbox.empty()) continue;
    s->remote->deliver(s->remote_inbox);
    s->remote_inbox.clear();
  }
}

void Engine::deliver(size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    CoreSlot& s = *slots_[i];
    std::vector<fw::Packet>& inbox = inboxes_[inbox_index(s.where)];
    if (s.remote) {
      s.remote_inbox.swap(inbox);  // goes out with the core's next tick
      inbox.clear();
      continue;
    }
    // The input queue stands for the hardware's packet buffer, which the
    // packet handler drains as packets arrive: process whenever it fills.
    for (const fw::Packet& p : inbox) {
      if (s.core.queued_packets() == fw::kInputQueueCapacity) s.core.process_packets();
      s.core.on_packet(p);
    }
    inbox.clear();
    s.core.process_packets();
    const auto& spikes = s.core.spikes();
    s.spikes.insert(s.spikes.end(), spikes.data(), spikes.data() + spikes.size());
    const auto& states = s.core.states();
    s.states.insert(s.states.end(), states.data(), states.data() + states.size());
    s.core.clear_records();
  }
}

void Engine::pace_from(PaceClock::time_point origin) {
  pace_origin_ = origin;
  pace_origin_tick_ = totals_.ticks;
}

std::optional<PaceClock::time_point> Engine::deadline_of(uint64_t tick) const {
  if (!pace_origin_) return std::nullopt;
  // Ticks before the origin tick have already run; they are due at the origin.
  const uint64_t k = tick < pace_origin_tick_ ? 0 : tick - pace_origin_tick_ + 1;
  return *pace_origin_ + std::chrono::microseconds(config_.timestep_us) * static_cast<int64_t>(k);
}

RunReport Engine::run(uint32_t ticks, const ProgressFn& progress) {
  const auto start = Clock::now();
  // Without pace_from(), this call's ticks are paced from its own start.
  const PaceClock::time_point pace_start = config_.real_time && !pace_origin_ ? pace_now() : PaceClock::time_point{};
  const uint64_t first_tick = totals_.ticks;
  const auto tick_length = std::chrono::microseconds(config_.timestep_us);
  const uint32_t progress_every = std::max<uint32_t>(1, ticks / 100);
  const WorkerPool::Job tick_job = [this](size_t b, size_t e) { tick_cores(b, e); };
  const WorkerPool::Job deliver_job = [this](size_t b, size_t e) { deliver(b, e); };

  for (uint32_t t = 0; t < ticks; ++t) {
    auto phase = Clock::now();
    begin_remote_ticks();
    pool_.parallel_for(slots_.size(), tick_job);
    end_remote_ticks();
    totals_.core_seconds += seconds_since(phase);

    phase = Clock::now();
    for (auto& s : slots_) {
      if (s->remote) {
        for (const fw::Packet& p : s->remote_outbox) fabric_.inject(s->where.chip, s->where.core, p);
        continue;
      }
      const auto& out = s->platform.outbox();
      for (uint32_t k = 0; k < out.size(); ++k) fabric_.inject(s->where.chip, s->where.core, out[k]);
      s->platform.clear_outbox();
    }
    while (!scheduled_.empty() && scheduled_.begin()->first <= totals_.ticks) {
      const auto& [from, packet] = scheduled_.begin()->second;
      fabric_.inject(from.chip, from.core, packet);
      scheduled_.erase(scheduled_.begin());
    }
    fabric_.route_tick(inboxes_);
    totals_.routing_seconds += seconds_since(phase);

    phase = Clock::now();
    pool_.parallel_for(slots_.size(), deliver_job);
    totals_.core_seconds += seconds_since(phase);
    ++totals_.ticks;

    if (config_.real_time) {
      const uint64_t tick = totals_.ticks - 1;
      const auto deadline = pace_origin_ ? *deadline_of(tick)
                                         : pace_start + tick_length * static_cast<int64_t>(tick - first_tick + 1);
      const auto now = pace_now();
      if (now > deadline) {
        ++totals_.late_ticks;
        const double late_ms = std::chrono::duration<double, std::milli>(now - deadline).count();
        totals_.max_lateness_ms = std::max(totals_.max_lateness_ms, late_ms);
        if (totals_.first_late_ticks.size() < RunReport::kMaxListedLateTicks)
          totals_.first_late_ticks.push_back(totals_.ticks - 1);
      } else if (config_.pace_sleep_until) {
        config_.pace_sleep_until(deadline);
      } else {
        std::this_thread::sleep_until(deadline);
      }
    }
    if (progress && ((t + 1) % progress_every == 0 || t + 1 == ticks)) progress(t + 1, ticks);
  }
  flush_remote_inboxes();
  totals_.wall_seconds += seconds_since(start);
  return make_report();
}

void Engine::schedule_packet(uint64_t tick, CoreLocation from, const fw::Packet& packet) {
  if (!machine_.mesh.contains(from.chip) || from.core >= machine_.cores_per_chip)
    throw std::out_of_range("schedule_packet: " + describe(from) + " is outside machine '" + machine_.name + "'");
  scheduled_.emplace(tick, std::make_pair(from, packet));
}

RunReport Engine::make_report() const {
  RunReport r = totals_;
  r.neuron_updates = r.synaptic_events = r.spikes = 0;
  for (const auto& s : slots_) {
    const fw::Provenance& p = s->provenance();
    r.cores.push_back({s->where, s->state(), p});
    if (s->core.kind() == fw::image::CoreKind::kNeurons) r.neuron_updates += uint64_t{p.ticks} * s->core.n_neurons();
    r.synaptic_events += p.synaptic_events;
    r.spikes += p.spikes_emitted;
  }
  r.fabric = fabric_.report();
  return r;
}

}  // namespace spindle::emu
