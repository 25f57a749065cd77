// The tick engine: runs every loaded core of a machine natively, tick by
// tick. Within tick t:
//   1. every core takes its inbox (the packets routed to it in tick t-1)
//      into its ring buffers, then runs its timestep; its recordings are
//      drained into its slot (in parallel over host threads, one pass)
//   2. the packets they sent are routed through the fabric (serially, in a
//      fixed core order) into per-core inboxes
// and run() ends with a last delivery pass, so packets emitted in tick t are
// delivered before tick t+1 and, between run() calls, every core has taken
// its inbox and every record has been drained. A slot may
// instead run on a RemoteCore (QEMU, a board), kept in lock-step: it gets
// its inbox with its next tick and its sent packets join step 2 in slot
// order, so results do not change. Each core's
// work depends only on its own state and its inbox, whose order is fixed,
// so any thread count gives bit-identical results.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "engine/record_log.h"
#include "engine/remote_core.h"
#include "engine/worker_pool.h"
#include "machine/machine.h"
#include "platform/native_platform.h"
#include "router/fabric.h"
#include "runtime/core.h"

namespace spindle::emu {

struct CoreLocation {
  ChipCoord chip;
  uint32_t core = 1;
  friend bool operator==(const CoreLocation&, const CoreLocation&) = default;
};

using PaceClock = std::chrono::steady_clock;

struct EngineConfig {
  // 0: chosen from the work (default_engine_threads: at most one per
  // hardware thread, and one per kNeuronsPerThread natively run neurons).
  unsigned threads = 0;
  bool real_time = false;         // pace ticks to the wall clock
  uint32_t tick_period_us = 1000;  // the wall-clock length of a tick when pacing: timestep x time_scale_factor
  RouterConfig router{};
  // The clock pacing reads and sleeps on; empty: PaceClock itself (tests
  // inject a fake one to check deadlines without timing).
  std::function<PaceClock::time_point()> pace_now{};
  std::function<void(PaceClock::time_point)> pace_sleep_until{};
};

// One loaded core: its image, its platform, the firmware core, and what it
// has recorded so far (in logs that never move a record, so readers may
// keep indices into them across run() calls). A slot with `remote` set runs elsewhere (QEMU, a
// board): `core` then only holds the natively validated image (kind, size),
// and provenance()/state() come from the remote core.
struct CoreSlot {
  CoreLocation where;
  std::vector<uint32_t> image;  // word-aligned copy of the core image
  fw::NativePlatform platform;
  fw::Core core;
  RecordLog<fw::SpikeRecord> spikes;
  RecordLog<fw::StateRecord> states;

  std::unique_ptr<RemoteCore> remote;
  std::vector<fw::Packet> remote_inbox;   // routed to it, sent with its next tick
  std::vector<fw::Packet> remote_outbox;  // what it sent in the current tick
  std::vector<fw::SpikeRecord> remote_spikes;  // what it recorded in the current tick
  std::vector<fw::StateRecord> remote_states;

  const fw::Provenance& provenance() const { return remote ? remote->provenance() : core.provenance(); }
  fw::CoreState state() const { return remote ? remote->state() : core.state(); }
};

struct CoreReport {
  CoreLocation where;
  fw::CoreState state;
  fw::Provenance provenance;
};

struct RunReport {
  uint32_t ticks = 0;
  double wall_seconds = 0;
  double cpu_seconds = 0;      // the process's CPU time over run() (all threads; Brian2's loop figure is the same clock)
  double core_seconds = 0;     // phases 1 and 3 (neurons, synapses, recording)
  double routing_seconds = 0;  // phase 2
  uint64_t neuron_updates = 0;
  uint64_t synaptic_events = 0;
  uint64_t spikes = 0;
  uint32_t late_ticks = 0;     // real-time pacing: ticks that ended after their deadline
  double max_lateness_ms = 0;
  unsigned threads = 0;        // host threads the last run() ended with
  std::vector<uint32_t> first_late_ticks;  // up to kMaxListedLateTicks of them
  std::vector<CoreReport> cores;
  FabricReport fabric;
  static constexpr size_t kMaxListedLateTicks = 32;
};

using ProgressFn = std::function<void(uint32_t done, uint32_t total)>;

// Neurons (and sources) one host thread should have before another thread
// is worth its synchronisation: a tick costs tens of nanoseconds per neuron,
// a hand-over between threads microseconds when idle and a scheduler time
// slice (ms) when other processes hold the CPUs. CUBA (4000 neurons, 37
// cores) ran 1.9x slower in wall time on 2 threads than on 1 (loaded VM).
constexpr uint64_t kNeuronsPerThread = 16384;
// The thread count used when EngineConfig::threads is 0, before any tick.
unsigned default_engine_threads(uint64_t native_neurons, unsigned hardware_threads);

// With EngineConfig::threads 0 the engine also times its core phase (cores'
// deliver and tick, the part threads share) over kThreadProbeTicks ticks
// after kThreadWarmupTicks, and adds threads if the work is long enough: a
// neuron count says little about a tick's cost (a CUBA neuron is ~1 ns, an
// IF_cond_exp one ~8, a Poisson source at 12 kHz far more). A second thread
// pays for its two hand-overs a tick (a few us each on an idle machine) when
// the phase takes more than kCorePhasePerThreadSeconds: COBA's ~38 us went
// to 23 us on 2 threads, CUBA's ~6 us to 20 us. Results do not depend on the
// thread count (Engine.AnyThreadCountGivesBitIdenticalResults).
constexpr uint32_t kThreadWarmupTicks = 16;
constexpr uint32_t kThreadProbeTicks = 128;
constexpr double kCorePhasePerThreadSeconds = 30e-6;
// Threads for a core phase of `seconds_per_tick` measured on `threads_now`
// threads: one per kCorePhasePerThreadSeconds of single-thread work, never
// fewer than threads_now, at most the hardware's.
unsigned threads_for_core_phase(double seconds_per_tick, unsigned threads_now, unsigned hardware_threads);

class Engine {
 public:
  explicit Engine(MachineDescription machine, EngineConfig config = {});

  // Puts a core image on an application core. Throws std::invalid_argument
  // naming the core if the core is dead, the monitor, already loaded, or the
  // image does not load (with the parser's error, region and offset).
  void load_core(CoreLocation where, const std::vector<uint8_t>& image);
  // The same checks, then the core runs on `remote` (which has the same
  // image loaded) instead of natively.
  void load_core(CoreLocation where, const std::vector<uint8_t>& image, std::unique_ptr<RemoteCore> remote);

  RoutingTable& routing_table(ChipCoord chip) { return fabric_.table(chip); }
  Fabric& fabric() { return fabric_; }
  const MachineDescription& machine() const { return machine_; }

  // Runs n ticks (may be called again to continue). progress, if given, is
  // called from the calling thread about every 1% of the run.
  RunReport run(uint32_t ticks, const ProgressFn& progress = {});

  // With a stop flag, run() returns early once it reads *stop true (before
  // each tick), with every tick it ran complete (ticks_run() says how many):
  // a cancel takes effect within one tick, whatever run() was asked for.
  // nullptr: run() always runs all its ticks.
  void set_stop_flag(const std::atomic<bool>* stop) { stop_ = stop; }

  // Host-side injection (the daemon's live spikes): queues a multicast
  // packet that enters the fabric from `from` in tick `tick` (counted like
  // ticks_run()), after that tick's packets from the cores, as if `from` had
  // sent it then; a tick already run means the next one. Between runs only.
  // Throws std::out_of_range if `from` is outside the machine.
  void schedule_packet(uint64_t tick, CoreLocation from, const fw::Packet& packet);
  size_t scheduled_packets() const { return scheduled_.size(); }
  // A neuron mode switch (fw::Core::set_mode) on the core at `where`, made
  // before tick `tick` (counted like ticks_run()) runs, once the packets of
  // the tick before are delivered (as between two runs, so a switch gives
  // the same results whether a run is split at its tick or not); a tick
  // already run means the next one. Switches for one tick are made in the order they
  // were scheduled. Between runs only. Throws std::invalid_argument if no
  // neuron core is loaded there, the neurons are outside it or the values
  // out of bounds.
  void schedule_mode(uint64_t tick, CoreLocation where, const fw::ModeChange& change);
  // A learning-rate scale for the plastic synapses of the core at `where`
  // (fw::Core::set_learning_scale), like schedule_mode. Throws
  // std::invalid_argument if that core has no plastic synapses or the scale
  // is above fw::stdp::kLearningScaleMax.
  void schedule_learning_scale(uint64_t tick, CoreLocation where, uint32_t scale);
  // Mode switches and learning-rate scales not made yet.
  size_t scheduled_modes() const { return scheduled_modes_.size(); }
  // Real-time pacing across run() calls: from now on, tick ticks_run() + k
  // (k = 0, 1, ...) is due by origin + (k + 1) timesteps, whichever run()
  // call runs it, so a caller running in chunks does not drift and
  // late_ticks / max_lateness_ms measure the lag behind `origin`. Without
  // it, each run() paces from its own start.
  void pace_from(PaceClock::time_point origin);
  // When tick `tick` (counted like ticks_run()) is due under pace_from();
  // nullopt if pace_from() was not called.
  std::optional<PaceClock::time_point> deadline_of(uint64_t tick) const;
  // Ticks run so far, over every run() call.
  uint32_t ticks_run() const { return totals_.ticks; }

  const std::vector<std::unique_ptr<CoreSlot>>& cores() const { return slots_; }
  const CoreSlot* find(CoreLocation where) const;
  // Host threads the next run() uses (config, or chosen from the cores
  // loaded so far and, once measured, from the core phase's time).
  unsigned threads() const;

 private:
  size_t inbox_index(CoreLocation where) const {
    return machine_.mesh.index(where.chip) * machine_.cores_per_chip + where.core;
  }
  void deliver_and_tick(size_t begin, size_t end, bool deliver_first, bool tick);
  void probe_threads(double core_phase_seconds);
  void deliver(CoreSlot& s);
  void hand_remote_inboxes();
  void begin_remote_ticks();
  void end_remote_ticks();
  void flush_remote_inboxes();
  RunReport make_report() const;
  PaceClock::time_point pace_now() const { return config_.pace_now ? config_.pace_now() : PaceClock::now(); }

  MachineDescription machine_;
  EngineConfig config_;
  Fabric fabric_;
  std::unique_ptr<WorkerPool> pool_;  // sized at run() from the cores loaded
  // The measured default (threads 0): probe progress and the result.
  uint32_t probe_ticks_ = 0;
  double probe_seconds_ = 0;
  unsigned measured_threads_ = 0;
  std::vector<CoreSlot*> native_slots_;  // in slot order
  std::vector<std::unique_ptr<CoreSlot>> slots_;
  std::vector<CoreSlot*> remote_slots_;  // in slot order
  std::vector<std::vector<fw::Packet>> inboxes_;  // by inbox_index
  RunReport totals_;
  std::optional<PaceClock::time_point> pace_origin_;  // set by pace_from()
  uint64_t pace_origin_tick_ = 0;                      // ticks_run() then
  // By tick; packets of one tick keep their scheduling order.
  std::multimap<uint64_t, std::pair<CoreLocation, fw::Packet>> scheduled_;
  // A switch the host makes on a core between ticks: a neuron mode change
  // or (mode.count == 0) a learning-rate scale.
  struct CoreControl {
    CoreSlot* slot = nullptr;
    fw::ModeChange mode{};
    uint32_t learning_scale = 0;
  };
  std::multimap<uint64_t, CoreControl> scheduled_modes_;
  void apply_due_modes();
  const std::atomic<bool>* stop_ = nullptr;
};

}  // namespace spindle::emu
