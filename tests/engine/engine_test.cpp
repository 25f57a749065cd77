// The tick engine: delivery timing, bit-identical results for any thread
// count on a network whose packets cross many chips, provenance gathering,
// real-time pacing, and clear errors when loading.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "image/core_image_builder.h"
#include "mapping/multicast_tree.h"
#include "tools/synthetic_network.h"

namespace spindle {
namespace {

using emu::ChipCoord;
using emu::CoreLocation;

std::unique_ptr<emu::Engine> load_synthetic(const host::SyntheticNetwork& net, unsigned threads, bool real_time = false,
                           uint32_t tick_period_us = 1000) {
  emu::EngineConfig cfg;
  cfg.threads = threads;
  cfg.real_time = real_time;
  cfg.tick_period_us = tick_period_us;
  auto engine = std::make_unique<emu::Engine>(net.machine, cfg);
  host::load_into(*engine, net.load);
  return engine;
}

host::SyntheticNetworkSpec small_spec() {
  host::SyntheticNetworkSpec s;
  s.machine = "torus:4x4";
  s.cores_per_chip = 3;
  s.neurons_per_core = 64;
  s.synapses_per_neuron = 64;
  s.fan_out_cores = 4;
  s.rate_hz = 25;
  s.seed = 7;
  return s;
}

TEST(Engine, AnyThreadCountGivesBitIdenticalResults) {
  const host::SyntheticNetwork net = host::make_synthetic_network(small_spec());
  std::vector<std::vector<fw::SpikeRecord>> reference;
  for (unsigned threads : {1u, 2u, 3u, 5u, 0u}) {  // 0: the default
    auto engine = load_synthetic(net, threads);
    const emu::RunReport report = engine->run(150);
    engine->run(150);  // continuing a run is the same as one long run (and the default probes threads in it)
    ASSERT_GT(report.synaptic_events, 0u);
    std::vector<std::vector<fw::SpikeRecord>> spikes;
    for (const auto& slot : engine->cores()) spikes.push_back(slot->spikes.to_vector());
    if (reference.empty()) {
      reference = spikes;
      size_t total = 0;
      for (const auto& s : spikes) total += s.size();
      EXPECT_GT(total, 500u);  // the network is active
      continue;
    }
    ASSERT_EQ(spikes.size(), reference.size());
    for (size_t c = 0; c < spikes.size(); ++c) {
      ASSERT_EQ(spikes[c].size(), reference[c].size()) << "core " << c << " threads " << threads;
      for (size_t k = 0; k < spikes[c].size(); ++k) {
        EXPECT_EQ(spikes[c][k].tick, reference[c][k].tick);
        EXPECT_EQ(spikes[c][k].neuron, reference[c][k].neuron);
      }
    }
  }
}

TEST(Engine, RunningTickByTickEqualsOneRun) {
  // run() ends with a delivery pass, so whatever the chunking every core has
  // taken its inbox and every record is drained between calls.
  const host::SyntheticNetwork net = host::make_synthetic_network(small_spec());
  auto whole = load_synthetic(net, 2);
  const emu::RunReport one = whole->run(120);
  auto stepped = load_synthetic(net, 1);
  emu::RunReport last;
  for (int t = 0; t < 120; ++t) {
    last = stepped->run(1);
    for (size_t c = 0; c < last.cores.size(); ++c)
      ASSERT_EQ(stepped->cores()[c]->core.queued_packets(), 0u) << "core " << c << " after tick " << t;
  }
  ASSERT_GT(one.synaptic_events, 0u);
  EXPECT_EQ(last.ticks, one.ticks);
  EXPECT_EQ(last.synaptic_events, one.synaptic_events);
  EXPECT_EQ(last.spikes, one.spikes);
  ASSERT_EQ(last.cores.size(), one.cores.size());
  for (size_t c = 0; c < one.cores.size(); ++c) {
    EXPECT_EQ(last.cores[c].provenance.packets_received, one.cores[c].provenance.packets_received) << "core " << c;
    const auto& a = whole->cores()[c]->spikes;
    const auto& b = stepped->cores()[c]->spikes;
    ASSERT_EQ(a.size(), b.size()) << "core " << c;
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].tick, b[k].tick);
      EXPECT_EQ(a[k].neuron, b[k].neuron);
    }
  }
}

TEST(Engine, DefaultThreadsFollowTheWork) {
  // One thread per kNeuronsPerThread natively run neurons, at least one, at
  // most the hardware's.
  constexpr uint64_t k = emu::kNeuronsPerThread;
  EXPECT_EQ(emu::default_engine_threads(0, 8), 1u);
  EXPECT_EQ(emu::default_engine_threads(4000, 8), 1u);  // CUBA
  EXPECT_EQ(emu::default_engine_threads(2 * k - 1, 8), 1u);
  EXPECT_EQ(emu::default_engine_threads(2 * k, 8), 2u);
  EXPECT_EQ(emu::default_engine_threads(100 * k, 8), 8u);
  EXPECT_EQ(emu::default_engine_threads(100 * k, 2), 2u);
  EXPECT_EQ(emu::default_engine_threads(100 * k, 0), 1u);  // hardware_concurrency() unknown

  const host::SyntheticNetwork net = host::make_synthetic_network(small_spec());
  auto engine = load_synthetic(net, 0);
  uint64_t neurons = 0;
  for (const auto& slot : engine->cores()) neurons += slot->core.n_neurons();
  EXPECT_EQ(engine->threads(), emu::default_engine_threads(neurons, std::thread::hardware_concurrency()));
  EXPECT_EQ(load_synthetic(net, 3)->threads(), 3u);  // asked for: kept
}

TEST(Engine, MeasuredDefaultAddsThreadsForLongCorePhases) {
  constexpr double per = emu::kCorePhasePerThreadSeconds;
  EXPECT_EQ(emu::threads_for_core_phase(0.2 * per, 1, 8), 1u);  // CUBA-like: one thread
  EXPECT_EQ(emu::threads_for_core_phase(1.0 * per, 1, 8), 1u);
  EXPECT_EQ(emu::threads_for_core_phase(1.3 * per, 1, 8), 2u);  // COBA-like
  EXPECT_EQ(emu::threads_for_core_phase(9.0 * per, 1, 2), 2u);  // at most the hardware's
  EXPECT_EQ(emu::threads_for_core_phase(9.0 * per, 1, 0), 1u);  // hardware_concurrency() unknown
  EXPECT_EQ(emu::threads_for_core_phase(2.5 * per, 2, 8), 5u);  // measured on 2 threads: 5 x per of work
  EXPECT_EQ(emu::threads_for_core_phase(0.1 * per, 4, 8), 4u);  // never fewer than the neuron count chose
  EXPECT_EQ(emu::threads_for_core_phase(0.1 * per, 4, 2), 2u);

  // Whatever the probe decides, a run reports the threads it ended with and
  // a run with threads 0 long enough to probe keeps results bit-identical
  // (AnyThreadCountGivesBitIdenticalResults covers the default too).
  const host::SyntheticNetwork net = host::make_synthetic_network(small_spec());
  auto engine = load_synthetic(net, 0);
  const emu::RunReport report = engine->run(emu::kThreadWarmupTicks + emu::kThreadProbeTicks + 10);
  EXPECT_EQ(report.threads, engine->threads());
  EXPECT_GE(report.threads, 1u);
  EXPECT_EQ(load_synthetic(net, 3)->run(200).threads, 3u);  // asked for: kept, no probe
}

TEST(Engine, SpikesCrossingChipsArriveAfterTheirDelay) {
  // An array source on chip (0,0) fires at tick 5; a non-leaky IF on chip
  // (2,3) of a 4x4 torus gets it with delay 3 and a weight above threshold,
  // so it fires in tick 8 exactly.
  emu::MachineDescription m = emu::machine_from_shape("torus:4x4");
  emu::Engine engine(m, {});
  const ChipCoord src{0, 0}, dst{2, 3};

  host::CoreImageSpec source;
  source.kind = fw::image::CoreKind::kArraySource;
  source.n_neurons = 1;
  source.key_base = 0x100;
  source.key_mask = ~0u;
  source.spike_times = {{5, 0}};
  engine.load_core({src, 1}, host::build_core_image(source));

  host::IfNonLeakyParams nl;
  host::IncomingBlock in;
  in.key = 0x100;
  in.mask = ~0u;
  in.n_sources = 1;
  in.synapses = {{0, 0, 1.5, 3, 0}};
  host::CoreImageSpec target;
  target.n_neurons = 1;
  target.key_base = 0x200;
  target.key_mask = ~0u;
  target.neurons = host::uniform_block(nl, 1, 1.0);
  target.synapses = host::build_synaptic_matrix({in}, 1, 2);
  target.recording = host::record_all(fw::image::kRecordSpikes, 1);
  engine.load_core({dst, 2}, host::build_core_image(target));

  for (const auto& [chip, route] : host::multicast_tree(m, src, {{dst, 2}}))
    engine.routing_table(m.mesh.coord(chip)).add_or_throw({0x100, ~0u, route});

  const emu::RunReport report = engine.run(20);
  const emu::CoreSlot* slot = engine.find({dst, 2});
  ASSERT_NE(slot, nullptr);
  ASSERT_EQ(slot->spikes.size(), 1u);
  EXPECT_EQ(slot->spikes[0].tick, 8u);
  EXPECT_EQ(report.ticks, 20u);
  ASSERT_EQ(report.cores.size(), 2u);
  EXPECT_EQ(report.cores[1].provenance.synaptic_events, 1u);
}

TEST(Engine, ScheduledPacketsActLikeASpikeSentInTheirTick) {
  // The same pair as above with a silent source: a packet scheduled for
  // tick 12 from the source core makes the target fire in tick 15 (delay 3);
  // one scheduled for a tick already run goes out in the next tick.
  emu::MachineDescription m = emu::machine_from_shape("torus:4x4");
  emu::Engine engine(m, {});
  const ChipCoord src{0, 0}, dst{2, 3};
  host::CoreImageSpec source;
  source.kind = fw::image::CoreKind::kArraySource;
  source.n_neurons = 1;
  source.key_base = 0x100;
  source.key_mask = ~0u;
  engine.load_core({src, 1}, host::build_core_image(source));
  host::IfNonLeakyParams nl;
  host::IncomingBlock in;
  in.key = 0x100;
  in.mask = ~0u;
  in.n_sources = 1;
  in.synapses = {{0, 0, 1.0, 3, 0}};  // exactly threshold: v is back to 0 after each spike
  host::CoreImageSpec target;
  target.n_neurons = 1;
  target.key_base = 0x200;
  target.key_mask = ~0u;
  target.neurons = host::uniform_block(nl, 1, 1.0);
  target.synapses = host::build_synaptic_matrix({in}, 1, 2);
  target.recording = host::record_all(fw::image::kRecordSpikes, 1);
  engine.load_core({dst, 2}, host::build_core_image(target));
  for (const auto& [chip, route] : host::multicast_tree(m, src, {{dst, 2}}))
    engine.routing_table(m.mesh.coord(chip)).add_or_throw({0x100, ~0u, route});

  engine.schedule_packet(12, {src, 1}, {0x100, 0, false});
  EXPECT_EQ(engine.scheduled_packets(), 1u);
  engine.run(10);
  EXPECT_EQ(engine.ticks_run(), 10u);
  engine.run(10);
  EXPECT_EQ(engine.scheduled_packets(), 0u);
  engine.schedule_packet(3, {src, 1}, {0x100, 0, false});  // past: sent in tick 20
  engine.run(10);
  const emu::CoreSlot* slot = engine.find({dst, 2});
  ASSERT_NE(slot, nullptr);
  ASSERT_EQ(slot->spikes.size(), 2u);
  EXPECT_EQ(slot->spikes[0].tick, 15u);
  EXPECT_EQ(slot->spikes[1].tick, 23u);
  EXPECT_THROW(engine.schedule_packet(0, {{9, 0}, 1}, {}), std::out_of_range);
}

TEST(Engine, TickOverrunsIncludeTheTicksPackets) {
  // A core whose timer period is 20 us gets 100,000 packets in one tick:
  // delivering them takes far longer than 20 us, and that time counts
  // towards the tick, as packet interrupts delay the hardware's timer (a
  // one-neuron tick alone takes well under a microsecond).
  emu::MachineDescription m = emu::machine_from_shape("1");
  emu::Engine engine(m, {});
  host::IfNonLeakyParams nl;
  host::IncomingBlock in;
  in.key = 0x100;
  in.mask = ~0u;
  in.n_sources = 1;
  in.synapses = {{0, 0, 0.001, 1, 0}};
  host::CoreImageSpec target;
  target.n_neurons = 1;
  target.timer_period_us = 20;
  target.key_base = 0x200;
  target.key_mask = ~0u;
  target.neurons = host::uniform_block(nl, 1, 1e9);
  target.synapses = host::build_synaptic_matrix({in}, 1, 2);
  engine.load_core({{0, 0}, 2}, host::build_core_image(target));
  engine.routing_table({0, 0}).add_or_throw({0x100, ~0u, emu::route_core(2)});
  for (int i = 0; i < 100000; ++i) engine.schedule_packet(5, {{0, 0}, 1}, {0x100, 0, false});
  engine.run(10);
  const emu::CoreSlot* slot = engine.find({{0, 0}, 2});
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(slot->provenance().packets_received, 100000u);
  EXPECT_GE(slot->provenance().tick_overruns, 1u);
}

TEST(Engine, ReportsLateTicksWhenPacingCannotKeepUp) {
  const host::SyntheticNetwork net = host::make_synthetic_network(small_spec());
  auto engine = load_synthetic(net, 1, /*real_time=*/true, /*tick_period_us=*/1);
  const emu::RunReport report = engine->run(50);
  EXPECT_GT(report.late_ticks, 0u);
  EXPECT_FALSE(report.first_late_ticks.empty());
  EXPECT_LE(report.first_late_ticks.size(), emu::RunReport::kMaxListedLateTicks);
}

TEST(Engine, PacedRunTakesAtLeastItsBiologicalTime) {
  const host::SyntheticNetwork net = host::make_synthetic_network(small_spec());
  auto engine = load_synthetic(net, 1, /*real_time=*/true, /*tick_period_us=*/2000);
  const emu::RunReport report = engine->run(25);
  EXPECT_GE(report.wall_seconds, 0.05);  // 25 ticks x 2 ms: sleeping never ends early
}

// A clock that only moves when told: each tick of work costs `work`, and
// sleeping jumps to the deadline, which is recorded.
struct FakePaceClock {
  emu::PaceClock::time_point now{};
  emu::PaceClock::duration work{};
  std::vector<emu::PaceClock::time_point> sleeps;
};

std::unique_ptr<emu::Engine> load_fake_paced(const host::SyntheticNetwork& net, FakePaceClock& clock,
                                             uint32_t tick_period_us) {
  emu::EngineConfig cfg;
  cfg.threads = 1;
  cfg.real_time = true;
  cfg.tick_period_us = tick_period_us;
  cfg.pace_now = [&clock] { return clock.now += clock.work; };
  cfg.pace_sleep_until = [&clock](emu::PaceClock::time_point t) {
    clock.sleeps.push_back(t);
    clock.now = t;
  };
  auto engine = std::make_unique<emu::Engine>(net.machine, cfg);
  host::load_into(*engine, net.load);
  return engine;
}

TEST(Engine, PacingFromAnOriginHoldsAcrossRunCalls) {
  const host::SyntheticNetwork net = host::make_synthetic_network(small_spec());
  FakePaceClock clock;
  auto engine = load_fake_paced(net, clock, 1000);
  engine->run(3);  // ticks before the origin
  const auto origin = clock.now;
  engine->pace_from(origin);
  EXPECT_EQ(engine->deadline_of(3), origin + std::chrono::milliseconds(1));
  clock.sleeps.clear();
  engine->run(4);
  clock.now += std::chrono::microseconds(2500);  // time between run() calls: a chunk's publishing
  engine->run(4);
  // Tick 3 + k is due at origin + (k + 1) ms whichever call runs it; the gap
  // left the clock at origin + 6.5 ms, so ticks 7 and 8 (due at 5 and 6 ms)
  // ended late and tick 9 slept until its own deadline, not 2.5 ms later.
  const std::vector<emu::PaceClock::time_point> expected = {
      origin + std::chrono::milliseconds(1), origin + std::chrono::milliseconds(2),
      origin + std::chrono::milliseconds(3), origin + std::chrono::milliseconds(4),
      origin + std::chrono::milliseconds(7), origin + std::chrono::milliseconds(8)};
  EXPECT_EQ(clock.sleeps, expected);
  const emu::RunReport report = engine->run(0);
  EXPECT_EQ(report.late_ticks, 2u);
  const std::vector<uint32_t> late = {7, 8};
  EXPECT_EQ(report.first_late_ticks, late);
  EXPECT_DOUBLE_EQ(report.max_lateness_ms, 1.5);
}

TEST(Engine, LatenessUnderPaceFromIsTheLagBehindTheOrigin) {
  const host::SyntheticNetwork net = host::make_synthetic_network(small_spec());
  FakePaceClock clock;
  clock.work = std::chrono::microseconds(1500);  // each tick takes 1.5 timesteps
  auto engine = load_fake_paced(net, clock, 1000);
  engine->pace_from(clock.now);
  for (int chunk = 0; chunk < 4; ++chunk) engine->run(5);
  // Tick k ends at (k + 1) * 1.5 ms, due at (k + 1) ms: the lag grows over
  // the calls instead of starting again at each one.
  const emu::RunReport report = engine->run(0);
  EXPECT_EQ(report.late_ticks, 20u);
  EXPECT_TRUE(clock.sleeps.empty());
  EXPECT_DOUBLE_EQ(report.max_lateness_ms, 10.0);
}

TEST(Engine, WithoutPaceFromEachRunPacesFromItsOwnStart) {
  const host::SyntheticNetwork net = host::make_synthetic_network(small_spec());
  FakePaceClock clock;
  auto engine = load_fake_paced(net, clock, 1000);
  EXPECT_FALSE(engine->deadline_of(0).has_value());
  engine->run(2);
  const auto second_start = clock.now += std::chrono::milliseconds(5);
  clock.sleeps.clear();
  engine->run(2);
  const std::vector<emu::PaceClock::time_point> expected = {second_start + std::chrono::milliseconds(1),
                                                            second_start + std::chrono::milliseconds(2)};
  EXPECT_EQ(clock.sleeps, expected);
}

TEST(Engine, LoadErrorsNameTheCore) {
  emu::MachineDescription m = emu::machine_from_shape("2x2");
  m.dead_cores.push_back({{1, 1}, 3});
  emu::Engine engine(m, {});
  host::CoreImageSpec source;
  source.kind = fw::image::CoreKind::kArraySource;
  source.n_neurons = 1;
  source.spike_times = {{1, 0}};
  const auto image = host::build_core_image(source);

  auto message = [&](CoreLocation where, const std::vector<uint8_t>& img) {
    try {
      engine.load_core(where, img);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{0, 0}, 0}, image).find("monitor"), std::string::npos);
  EXPECT_NE(message({{1, 1}, 3}, image).find("dead"), std::string::npos);
  EXPECT_NE(message({{5, 0}, 1}, image).find("(5,0,1)"), std::string::npos);
  EXPECT_EQ(message({{0, 1}, 1}, image), "no error");
  EXPECT_NE(message({{0, 1}, 1}, image).find("already"), std::string::npos);
  std::vector<uint8_t> bad = image;
  bad[0] ^= 0xFF;
  EXPECT_NE(message({{1, 0}, 1}, bad).find("bad magic"), std::string::npos);
}

}  // namespace
}  // namespace spindle
