#include "engine/engine.h"

#include "platform/host_timer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>
#include <thread>

namespace spindle::emu {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// CPU time of the whole process (every thread), as std::clock() measures it.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

std::string describe(CoreLocation w) {
  return "core (" + std::to_string(w.chip.x) + "," + std::to_string(w.chip.y) + "," + std::to_string(w.core) + ")";
}

}  // namespace

unsigned default_engine_threads(uint64_t native_neurons, unsigned hardware_threads) {
  const uint64_t by_work = native_neurons / kNeuronsPerThread;
  return static_cast<unsigned>(std::min<uint64_t>(std::max<uint64_t>(by_work, 1), std::max(hardware_threads, 1u)));
}

unsigned threads_for_core_phase(double seconds_per_tick, unsigned threads_now, unsigned hardware_threads) {
  const double single_thread = seconds_per_tick * std::max(threads_now, 1u);
  const double wanted = std::ceil(single_thread / kCorePhasePerThreadSeconds);
  const unsigned cap = std::max(hardware_threads, 1u);
  const unsigned by_work = wanted >= cap ? cap : static_cast<unsigned>(std::max(wanted, 1.0));
  return std::max(std::min(threads_now, cap), by_work);
}

Engine::Engine(MachineDescription machine, EngineConfig config)
    : machine_(std::move(machine)),
      config_(config),
      fabric_(machine_, config_.router),
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
  slot->platform.set_writable_image(reinterpret_cast<uint8_t*>(slot->image.data()), static_cast<uint32_t>(image.size()));
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
  native_slots_.clear();
  for (const auto& other : slots_) (other->remote ? remote_slots_ : native_slots_).push_back(other.get());
}

unsigned Engine::threads() const {
  if (config_.threads != 0) return config_.threads;
  if (measured_threads_ != 0) return measured_threads_;
  uint64_t neurons = 0;
  for (const CoreSlot* s : native_slots_) neurons += s->core.n_neurons();
  return default_engine_threads(neurons, std::thread::hardware_concurrency());
}

const CoreSlot* Engine::find(CoreLocation where) const {
  for (const auto& s : slots_)
    if (s->where == where) return s.get();
  return nullptr;
}

// One pass per native core and tick: deliver the inbox routed in the
// previous tick, then run the timestep. Fusing the two halves the hand-overs
// between threads per tick.
// On one thread the range is every core: the rows of the next core's
// packets are prefetched while this one runs (Core::prefetch_rows). Items
// handed out one at a time (several threads) have no look-ahead: another
// thread may be clearing those inboxes. (A step before it for the rows'
// bounds, and one after it for the ring-buffer cells, each cost more than
// they saved once CUBA's cores were 17, not 37: docs/performance.md.)
void Engine::deliver_and_tick(size_t begin, size_t end, bool deliver_first, bool tick) {
  // The first lines of a busy core's inbox are enough to start on.
  constexpr size_t kPrefetchPackets = 64;
  auto ahead = [&](size_t i) {
    if (i >= end) return;
    CoreSlot& next = *native_slots_[i];
    const std::vector<fw::Packet>& inbox = inboxes_[inbox_index(next.where)];
    if (!inbox.empty()) next.core.prefetch_rows(inbox.data(), static_cast<uint32_t>(std::min(inbox.size(), kPrefetchPackets)));
  };
  // One clock reading per core boundary (NativePlatform::start_tick_at):
  // a core's tick is timed from before its packets to its end.
  uint32_t now_us = tick ? fw::host_timer_us() : 0;
  for (size_t i = begin; i < end; ++i) {
    if (deliver_first) ahead(i + 1);
    CoreSlot& s = *native_slots_[i];
    if (tick) s.platform.start_tick_at(now_us);
    if (deliver_first) deliver(s);
    if (tick) {
      s.core.tick();
      now_us = s.platform.end_tick(now_us);
    }
  }
}

// What was routed to a remote core goes out with its next tick.
void Engine::hand_remote_inboxes() {
  for (CoreSlot* s : remote_slots_) {
    std::vector<fw::Packet>& inbox = inboxes_[inbox_index(s->where)];
    if (inbox.empty()) continue;
    s->remote_inbox.insert(s->remote_inbox.end(), inbox.begin(), inbox.end());
    inbox.clear();
  }
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
    s->remote_spikes.clear();
    s->remote_states.clear();
    s->remote->end_tick(s->remote_outbox, s->remote_spikes, s->remote_states);
    s->spikes.append(s->remote_spikes);
    s->states.append(s->remote_states);
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

void Engine::deliver(CoreSlot& s) {
  std::vector<fw::Packet>& inbox = inboxes_[inbox_index(s.where)];
  // Most cores in most ticks receive nothing and recorded nothing: those
  // cost a few size tests (the input queue is filled only here and left
  // empty here, so an empty inbox leaves nothing to process).
  if (!inbox.empty()) {
    // As the hardware's packet handler with its input buffer (on_packet,
    // process_packets whenever the buffer fills), read in place.
    s.core.receive_packets(inbox.data(), static_cast<uint32_t>(inbox.size()));
    inbox.clear();
  }
  const auto& spikes = s.core.spikes();
  const auto& states = s.core.states();
  if (spikes.size() == 0 && states.size() == 0) return;
  s.spikes.append(spikes.data(), spikes.size());
  s.states.append(states.data(), states.size());
  s.core.clear_records();
}

void Engine::pace_from(PaceClock::time_point origin) {
  pace_origin_ = origin;
  pace_origin_tick_ = totals_.ticks;
}

std::optional<PaceClock::time_point> Engine::deadline_of(uint64_t tick) const {
  if (!pace_origin_) return std::nullopt;
  // Ticks before the origin tick have already run; they are due at the origin.
  const uint64_t k = tick < pace_origin_tick_ ? 0 : tick - pace_origin_tick_ + 1;
  return *pace_origin_ + std::chrono::microseconds(config_.tick_period_us) * static_cast<int64_t>(k);
}

RunReport Engine::run(uint32_t ticks, const ProgressFn& progress) {
  const auto start = Clock::now();
  const double cpu_start = process_cpu_seconds();
  // Without pace_from(), this call's ticks are paced from its own start.
  const PaceClock::time_point pace_start = config_.real_time && !pace_origin_ ? pace_now() : PaceClock::time_point{};
  const uint64_t first_tick = totals_.ticks;
  const auto tick_length = std::chrono::microseconds(config_.tick_period_us);
  const uint32_t progress_every = std::max<uint32_t>(1, ticks / 100);
  const unsigned threads = this->threads();
  if (!pool_ || pool_->threads() != threads) pool_ = std::make_unique<WorkerPool>(threads);
  const size_t native = native_slots_.size();
  const WorkerPool::Job tick_job = [this](size_t b, size_t e) { deliver_and_tick(b, e, true, true); };
  const WorkerPool::Job deliver_job = [this](size_t b, size_t e) { deliver_and_tick(b, e, true, false); };

  for (uint32_t t = 0; t < ticks; ++t) {
    if (stop_ != nullptr && stop_->load(std::memory_order_relaxed)) break;
    if (!scheduled_modes_.empty() && scheduled_modes_.begin()->first <= totals_.ticks) {
      // As between two runs: the previous tick's packets delivered (a
      // plastic row they reach is processed at the old learning rate), then
      // the switches, then the tick.
      pool_->parallel_for(native, deliver_job);
      hand_remote_inboxes();
      flush_remote_inboxes();
      apply_due_modes();
    }
    // Phases timed on the TSC where there is one (host_clock_ns): cheaper
    // than steady_clock three times a tick.
    const uint64_t phase = fw::host_clock_ns();
    hand_remote_inboxes();
    begin_remote_ticks();
    pool_->parallel_for(native, tick_job);
    end_remote_ticks();
    const uint64_t routing = fw::host_clock_ns();
    const double core_phase = static_cast<double>(routing - phase) * 1e-9;
    totals_.core_seconds += core_phase;
    if (config_.threads == 0 && measured_threads_ == 0) probe_threads(core_phase);

    for (const auto& s : slots_) {
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
    totals_.routing_seconds += static_cast<double>(fw::host_clock_ns() - routing) * 1e-9;
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
      } else if (stop_ != nullptr) {
        // Sleeps in short steps so a stop is seen within one, even when a
        // tick's period is long.
        constexpr auto kStopCheck = std::chrono::milliseconds(20);
        while (pace_now() < deadline && !stop_->load(std::memory_order_relaxed))
          std::this_thread::sleep_until(std::min<PaceClock::time_point>(deadline, pace_now() + kStopCheck));
      } else {
        std::this_thread::sleep_until(deadline);
      }
    }
    if (progress && ((t + 1) % progress_every == 0 || t + 1 == ticks)) progress(t + 1, ticks);
  }
  // The last tick's packets and records, so that between runs every core
  // has taken its inbox and its slot holds all it recorded.
  const auto phase = Clock::now();
  pool_->parallel_for(native, deliver_job);
  hand_remote_inboxes();
  flush_remote_inboxes();
  totals_.core_seconds += seconds_since(phase);
  totals_.wall_seconds += seconds_since(start);
  totals_.cpu_seconds += process_cpu_seconds() - cpu_start;
  totals_.threads = pool_->threads();
  return make_report();
}

// The measured default: after the warm-up, kThreadProbeTicks ticks of the
// core phase decide once; a larger pool takes over at the next tick. Only
// native cores are timed (a QEMU or serial core's tick is the link's
// round trip, which more host threads do not shorten).
void Engine::probe_threads(double core_phase_seconds) {
  if (!remote_slots_.empty()) {
    measured_threads_ = pool_->threads();
    return;
  }
  if (++probe_ticks_ <= kThreadWarmupTicks) return;
  probe_seconds_ += core_phase_seconds;
  if (probe_ticks_ < kThreadWarmupTicks + kThreadProbeTicks) return;
  measured_threads_ = threads_for_core_phase(probe_seconds_ / kThreadProbeTicks, pool_->threads(),
                                             std::thread::hardware_concurrency());
  if (measured_threads_ != pool_->threads()) pool_ = std::make_unique<WorkerPool>(measured_threads_);
}

void Engine::schedule_packet(uint64_t tick, CoreLocation from, const fw::Packet& packet) {
  if (!machine_.mesh.contains(from.chip) || from.core >= machine_.cores_per_chip)
    throw std::out_of_range("schedule_packet: " + describe(from) + " is outside machine '" + machine_.name + "'");
  scheduled_.emplace(tick, std::make_pair(from, packet));
}

void Engine::schedule_mode(uint64_t tick, CoreLocation where, const fw::ModeChange& change) {
  CoreSlot* slot = const_cast<CoreSlot*>(find(where));  // one of slots_, which the engine owns
  if (slot == nullptr || slot->core.kind() != fw::image::CoreKind::kNeurons)
    throw std::invalid_argument("schedule_mode: " + describe(where) + " holds no neuron core");
  const uint32_t n = slot->core.n_neurons();
  if (change.count == 0 || change.first >= n || change.count > n - change.first)
    throw std::invalid_argument("schedule_mode: neurons " + std::to_string(change.first) + " to " +
                                std::to_string(uint64_t{change.first} + change.count) + " are outside the " +
                                std::to_string(n) + " of " + describe(where));
  if (!fw::mode_values_valid(change.threshold_offset, change.gain))
    throw std::invalid_argument("schedule_mode: threshold offset or gain out of bounds for " + describe(where));
  scheduled_modes_.emplace(tick, CoreControl{slot, change, 0});
}

void Engine::schedule_learning_scale(uint64_t tick, CoreLocation where, uint32_t scale) {
  CoreSlot* slot = const_cast<CoreSlot*>(find(where));  // one of slots_, which the engine owns
  if (slot == nullptr || !slot->core.has_plastic())
    throw std::invalid_argument("schedule_learning_scale: " + describe(where) + " holds no plastic synapses");
  if (scale > fw::stdp::kLearningScaleMax)
    throw std::invalid_argument("schedule_learning_scale: scale out of bounds for " + describe(where));
  fw::ModeChange none{};
  none.count = 0;
  scheduled_modes_.emplace(tick, CoreControl{slot, none, scale});
}

// Between two ticks, with every inbox delivered (run() does that first):
// the remote cores have finished theirs, so a switch reaches every core at
// the same point of the run, the point where one run ends and the next
// begins.
void Engine::apply_due_modes() {
  while (!scheduled_modes_.empty() && scheduled_modes_.begin()->first <= totals_.ticks) {
    const CoreControl& c = scheduled_modes_.begin()->second;
    if (c.mode.count == 0) {
      if (c.slot->remote) c.slot->remote->set_learning_scale(c.learning_scale);
      else if (!c.slot->core.set_learning_scale(c.learning_scale))
        throw std::runtime_error(describe(c.slot->where) + " refused a learning-rate scale");
    } else if (c.slot->remote) {
      c.slot->remote->set_mode(c.mode);
    } else if (!c.slot->core.set_mode(c.mode)) {
      throw std::runtime_error(describe(c.slot->where) + " refused a neuron mode switch");
    }
    scheduled_modes_.erase(scheduled_modes_.begin());
  }
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
