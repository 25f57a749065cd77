// The core runtime: provenance counters (queue overflow, unmatched keys,
// recording overflow, send failures, ring saturation, loopback sent =
// received), the event loop's run/stop semantics, and cores in error state.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "runtime/event_loop.h"
#include "support/core_harness.h"
#include "support/image_edit.h"
#include "support/test_images.h"

namespace spindle::test {
namespace {

namespace img = fw::image;
using fw::kInputQueueCapacity;

constexpr uint32_t kSrcKey = 0x10000, kNeuronKey = 0x30000;
constexpr uint32_t kSources = 10, kNeurons = 16;

host::IncomingBlock all_to_all(uint32_t key, uint32_t n_src, uint32_t n_dst, double w, uint32_t delay) {
  host::IncomingBlock b;
  b.key = key;
  b.mask = host::slice_key_mask(n_src);
  b.n_sources = n_src;
  for (uint32_t s = 0; s < n_src; ++s)
    for (uint32_t n = 0; n < n_dst; ++n) b.synapses.push_back({s, n, w, delay, (s + n) % 2});
  return b;
}

std::vector<uint8_t> neuron_image(uint32_t flags = img::kRecordSpikes, uint32_t n = kNeurons) {
  host::IfCurrExpParams p;
  p.cm = 0.25;
  p.i_offset = 0.5;
  return host::build_core_image(
      neuron_spec(host::uniform_block(p, n, 1.0), kNeuronKey, {all_to_all(kSrcKey, kSources, n, 0.2, 2)}, flags));
}

std::vector<uint8_t> capped_poisson_image(uint32_t n, uint32_t key = 0x40000) {
  // Mean interval 2^-68 ticks (the shortest encodable): every tick is cut at 16 spikes.
  return host::build_core_image(poisson_spec(std::vector<img::PoissonSource>(n, {1u, 63u, 0u, UINT32_MAX}), key,
                                             host::core_seed(5, 5)));
}

// --- provenance -------------------------------------------------------------

// A board keeps its cores in zero-initialised memory (.bss): a Core's
// default state must be all zero bytes, or the whole object (~100 KB on a
// board) moves to flash-backed .data. Every member's default is zero until
// load().
TEST(CoreMemory, ADefaultCoreIsAllZeroBytes) {
  auto buffer = std::make_unique<unsigned char[]>(sizeof(fw::Core) + alignof(fw::Core));
  void* p = buffer.get();
  size_t space = sizeof(fw::Core) + alignof(fw::Core);
  p = std::align(alignof(fw::Core), sizeof(fw::Core), p, space);
  ASSERT_NE(p, nullptr);
  std::memset(p, 0, sizeof(fw::Core));
  auto* core = new (p) fw::Core;
  const auto* bytes = static_cast<const unsigned char*>(p);
  const size_t first = static_cast<size_t>(std::find_if(bytes, bytes + sizeof(fw::Core), [](unsigned char b) { return b != 0; }) - bytes);
  EXPECT_EQ(first, sizeof(fw::Core)) << "byte " << first << " of a default fw::Core is not zero";
  core->~Core();
}

TEST(Provenance, InputQueueOverflowIsCounted) {
  LoadedCore c(neuron_image());
  ASSERT_TRUE(c.status().ok());
  fw::Core& core = c.core();
  for (uint32_t i = 0; i < kInputQueueCapacity + 10; ++i) {
    const bool accepted = core.on_packet({kSrcKey | (i % kSources), 0, false});
    EXPECT_EQ(accepted, i < kInputQueueCapacity) << i;
  }
  EXPECT_EQ(core.provenance().packets_received, kInputQueueCapacity);
  EXPECT_EQ(core.provenance().input_queue_overflows, 10u);
  EXPECT_EQ(core.provenance().max_queue_depth, kInputQueueCapacity);
  core.process_packets();
  EXPECT_EQ(core.provenance().synaptic_events, kInputQueueCapacity * kNeurons);
  // The queue is empty again: a full queue's worth is accepted.
  for (uint32_t i = 0; i < kInputQueueCapacity; ++i) ASSERT_TRUE(core.on_packet({kSrcKey, 0, false}));
  EXPECT_FALSE(core.on_packet({kSrcKey, 0, false}));
  EXPECT_EQ(core.provenance().input_queue_overflows, 11u);
  // A tick drains the queue first.
  core.tick();
  for (uint32_t i = 0; i < 5; ++i) ASSERT_TRUE(core.on_packet({kSrcKey, 0, false}));
  EXPECT_EQ(core.provenance().packets_received, 2 * kInputQueueCapacity + 5);
  EXPECT_EQ(core.provenance().max_queue_depth, kInputQueueCapacity);
}

// The engine's in-place delivery (Core::receive_packets, with and without
// prefetch_rows' look-ups) against the packet handler's path (on_packet for
// each, the queue processed whenever full, then process_packets): the same
// ring-buffer contents (the neurons' voltages over the following ticks) and
// provenance, with more packets than the queue holds, unknown keys, hints
// for other packets than the ones received, and packets already queued.
TEST(Provenance, ReceivePacketsEqualsThePacketHandler) {
  LoadedCore a(neuron_image()), b(neuron_image());
  fw::Core& handler = a.core();
  fw::Core& engine = b.core();
  std::vector<fw::Packet> packets;
  for (uint32_t i = 0; i < kInputQueueCapacity + 44; ++i)
    packets.push_back({i % 7 == 3 ? 0x99900u + i : kSrcKey | (i * 3 % kSources), 0, false});
  std::vector<fw::Packet> reversed(packets.rbegin(), packets.rend());
  for (int tick = 0; tick < 8; ++tick) {
    const uint32_t n = tick == 0 ? static_cast<uint32_t>(packets.size()) : 5u + 11u * static_cast<uint32_t>(tick);
    if (tick == 5) {  // one packet queued by the handler path first
      ASSERT_TRUE(handler.on_packet(packets[1]));
      ASSERT_TRUE(engine.on_packet(packets[1]));
    }
    for (uint32_t i = 0; i < n; ++i) {
      if (handler.queued_packets() == kInputQueueCapacity) handler.process_packets();
      handler.on_packet(packets[i]);
    }
    handler.process_packets();
    if (tick % 3 == 1) engine.prefetch_rows(reversed.data(), n);  // hints for other packets
    else if (tick % 3 == 2) engine.prefetch_rows(packets.data(), n);
    engine.receive_packets(packets.data(), n);
    EXPECT_EQ(engine.queued_packets(), 0u);
    handler.tick();
    engine.tick();
    for (uint32_t k = 0; k < kNeurons; ++k) ASSERT_EQ(handler.voltage(k).raw, engine.voltage(k).raw) << tick << " " << k;
  }
  const fw::Provenance &p = handler.provenance(), &q = engine.provenance();
  EXPECT_EQ(p.packets_received, q.packets_received);
  EXPECT_EQ(p.max_queue_depth, q.max_queue_depth);
  EXPECT_EQ(p.max_queue_depth, kInputQueueCapacity);
  EXPECT_EQ(p.packets_no_match, q.packets_no_match);
  EXPECT_GT(p.packets_no_match, 0u);
  EXPECT_EQ(p.synaptic_events, q.synaptic_events);
  EXPECT_EQ(p.input_queue_overflows, q.input_queue_overflows);
  EXPECT_EQ(p.ring_saturations, q.ring_saturations);
  EXPECT_EQ(p.spikes_emitted, q.spikes_emitted);
}

TEST(Provenance, MaxQueueDepthTracksTheDeepestPoint) {
  LoadedCore c(neuron_image());
  fw::Core& core = c.core();
  for (int i = 0; i < 7; ++i) core.on_packet({kSrcKey, 0, false});
  core.process_packets();
  for (int i = 0; i < 3; ++i) core.on_packet({kSrcKey, 0, false});
  EXPECT_EQ(core.provenance().max_queue_depth, 7u);
}

TEST(Provenance, UnknownKeysAreCountedAsNoMatch) {
  LoadedCore c(neuron_image());
  fw::Core& core = c.core();
  const uint32_t unknown[] = {0, kSrcKey - 1, kSrcKey | kSources, kSrcKey | 15, kSrcKey | 16, 0x20000,
                              kNeuronKey, 0xFFFFFFFF};
  for (uint32_t k : unknown) core.on_packet({k, 0, false});
  for (uint32_t s = 0; s < kSources; ++s) core.on_packet({kSrcKey | s, 123, true});  // payload ignored
  core.process_packets();
  EXPECT_EQ(core.provenance().packets_no_match, std::size(unknown));
  EXPECT_EQ(core.provenance().packets_received, std::size(unknown) + kSources);
  EXPECT_EQ(core.provenance().synaptic_events, kSources * kNeurons);

  // A core nothing projects to: every packet is unmatched.
  host::IfCurrExpParams p;
  LoadedCore lonely(host::build_core_image(neuron_spec(host::uniform_block(p, 4, 1.0), kNeuronKey, {})));
  ASSERT_TRUE(lonely.status().ok());
  for (int i = 0; i < 20; ++i) lonely.core().on_packet({kSrcKey, 0, false});
  lonely.core().tick();
  EXPECT_EQ(lonely.core().provenance().packets_no_match, 20u);
  EXPECT_EQ(lonely.core().provenance().synaptic_events, 0u);
}

TEST(Provenance, SpikeRecordOverflowIsCounted) {
  LoadedCore c(capped_poisson_image(100));
  ASSERT_TRUE(c.status().ok());
  fw::Core& core = c.core();
  core.tick();  // ~1600 spikes into a 1024-record buffer
  const fw::Provenance& p = core.provenance();
  ASSERT_GT(p.spikes_emitted, fw::kSpikeRecordCapacity);
  EXPECT_EQ(core.spikes().size(), fw::kSpikeRecordCapacity);
  EXPECT_EQ(p.spike_records_dropped, p.spikes_emitted - fw::kSpikeRecordCapacity);
  // Records kept are the first ones, in emission order.
  for (uint32_t k = 0; k < core.spikes().size(); ++k) EXPECT_EQ(core.spikes()[k].tick, 0u);
  // After draining, the next tick records again; drops accumulate.
  const uint32_t dropped_before = p.spike_records_dropped, emitted_before = p.spikes_emitted;
  core.clear_records();
  c.platform().clear_outbox();
  core.tick();
  const uint32_t emitted = p.spikes_emitted - emitted_before;
  EXPECT_EQ(core.spikes().size(), std::min(emitted, fw::kSpikeRecordCapacity));
  EXPECT_EQ(p.spike_records_dropped - dropped_before, emitted - core.spikes().size());
}

TEST(Provenance, StateRecordOverflowIsCounted) {
  // A full core recording every variable: one tick's samples always fit
  // (the engine drains every tick); a second tick's do not.
  constexpr uint32_t kN = fw::kMaxNeuronsPerCore;
  static_assert(3 * kN <= fw::kStateRecordCapacity && fw::kStateRecordCapacity < 6 * kN);
  const uint32_t flags = img::kRecordV | img::kRecordGsynExc | img::kRecordGsynInh;
  LoadedCore c(neuron_image(flags, kN));
  ASSERT_TRUE(c.status().ok());
  fw::Core& core = c.core();
  core.tick();
  EXPECT_EQ(core.states().size(), 3 * kN);
  EXPECT_EQ(core.provenance().state_records_dropped, 0u);
  core.tick();
  EXPECT_EQ(core.states().size(), fw::kStateRecordCapacity);
  EXPECT_EQ(core.provenance().state_records_dropped, 6 * kN - fw::kStateRecordCapacity);
  core.clear_records();
  core.tick();
  EXPECT_EQ(core.states().size(), 3 * kN);
  for (uint32_t k = 0; k < core.states().size(); ++k) ASSERT_EQ(core.states()[k].tick, 2u);
}

TEST(Provenance, StateSamplingIntervalAndMask) {
  host::IfCurrExpParams p;
  host::CoreImageSpec spec = neuron_spec(host::uniform_block(p, 40, 1.0), kNeuronKey, {}, img::kRecordV);
  spec.recording->sample_interval_ticks = 3;
  spec.recording->neuron_mask[0] = 0b1001;  // neurons 0 and 3
  spec.recording->neuron_mask[1] = 1u << 7;  // neuron 39
  LoadedCore c(host::build_core_image(spec));
  ASSERT_TRUE(c.status().ok());
  for (int t = 0; t < 10; ++t) c.core().tick();
  std::vector<std::pair<uint32_t, uint32_t>> got;
  for (uint32_t k = 0; k < c.core().states().size(); ++k) got.push_back({c.core().states()[k].tick, c.core().states()[k].neuron});
  const std::vector<std::pair<uint32_t, uint32_t>> want = {{0, 0}, {0, 3}, {0, 39}, {3, 0}, {3, 3}, {3, 39},
                                                           {6, 0}, {6, 3}, {6, 39}, {9, 0}, {9, 3}, {9, 39}};
  EXPECT_EQ(got, want);
}

TEST(Provenance, SendFailuresAreCounted) {
  // 256 sources x 16 spikes = 4096 packets a tick: the native outbox holds
  // 4096, so a second tick without draining it cannot send.
  LoadedCore c(capped_poisson_image(256));
  ASSERT_TRUE(c.status().ok());
  c.core().tick();
  c.core().tick();
  const fw::Provenance& p = c.core().provenance();
  EXPECT_EQ(p.packets_sent, fw::NativePlatform::kOutboxCapacity);
  EXPECT_EQ(p.packets_sent + p.packets_send_failed, p.spikes_emitted);
  EXPECT_GT(p.packets_send_failed, 3000u);
  EXPECT_GT(p.poisson_capped, 256u);
}

TEST(Provenance, RingSaturationIsCounted) {
  // One source with 300 synapses of the largest weight onto neuron 0: each
  // packet adds 300 x 32768 to one ring entry; 500 packets exceed 2^32.
  host::IncomingBlock b;
  b.key = kSrcKey;
  b.mask = host::slice_key_mask(1);
  b.n_sources = 1;
  for (int i = 0; i < 300; ++i) b.synapses.push_back({0, 0, 1.0, 1, 0});
  host::IfCurrExpParams p;
  LoadedCore c(host::build_core_image(neuron_spec(host::uniform_block(p, 2, 1.0), kNeuronKey, {b})));
  ASSERT_TRUE(c.status().ok());
  fw::Core& core = c.core();
  core.tick();  // tick 0
  for (int batch = 0; batch < 2; ++batch) {
    for (int i = 0; i < 250; ++i) ASSERT_TRUE(core.on_packet({kSrcKey, 0, false}));
    core.process_packets();  // arrived after tick 0: slot 1
  }
  EXPECT_EQ(core.provenance().synaptic_events, 500u * 300u);
  EXPECT_EQ(core.provenance().ring_saturations, 0u);
  core.tick();  // tick 1 reads the saturated entry
  EXPECT_EQ(core.provenance().ring_saturations, 1u);
  core.tick();
  EXPECT_EQ(core.provenance().ring_saturations, 1u);
}

TEST(Provenance, LoopbackSentEqualsReceived) {
  // A Poisson core, a spike-array core and two neuron cores on the harness's
  // broadcast loopback: every core receives every packet any core sends.
  std::vector<img::PoissonSource> sources(kSources, host::poisson_source(60.0, 0, 1e9, 1.0));
  std::vector<img::SpikeTime> array;
  for (uint32_t t = 0; t < 300; t += 3) array.push_back({t, t % 4});
  Gen32 rng(8);
  host::IfCurrExpParams p;
  p.cm = 0.25;
  p.i_offset = 0.4;
  const std::vector<std::vector<uint8_t>> images = {
      host::build_core_image(poisson_spec(sources, kSrcKey, host::core_seed(9, 0))),
      host::build_core_image(array_spec(4, array, 0x20000)),
      host::build_core_image(neuron_spec(host::uniform_block(p, 32, 1.0), kNeuronKey,
                                         {random_block(rng, kSrcKey, kSources, 32, 0.5, 0.2, 0.6, 4),
                                          random_block(rng, 0x20000, 4, 32, 0.5, 0.2, 0.6, 2),
                                          random_block(rng, 0x50000, 16, 32, 0.2, 0.1, 0.3, 3)})),
      host::build_core_image(neuron_spec(host::uniform_block(p, 16, 1.0), 0x50000,
                                         {random_block(rng, kNeuronKey, 32, 16, 0.3, 0.3, 0.8, 5)}))};
  CoreHarness h(images);
  h.run(300);
  const auto& prov = h.result().provenance;
  uint64_t sent = 0;
  for (const auto& q : prov) {
    EXPECT_EQ(q.packets_sent, q.spikes_emitted);
    EXPECT_EQ(q.packets_send_failed, 0u);
    sent += q.packets_sent;
  }
  EXPECT_GT(prov[2].packets_sent, 0u) << "neuron core 2 should fire";
  EXPECT_GT(prov[3].packets_sent, 0u) << "neuron core 3 should fire";
  for (size_t i = 0; i < prov.size(); ++i) {
    EXPECT_EQ(prov[i].packets_received, sent) << "core " << i;
    EXPECT_EQ(prov[i].input_queue_overflows, 0u) << "core " << i;
  }
  // Source cores have no table: everything they receive is unmatched.
  EXPECT_EQ(prov[0].packets_no_match, sent);
  EXPECT_EQ(prov[1].packets_no_match, sent);
  // Neuron core 2 listens to cores 0, 1 and 3 (not to itself); core 3 to core 2 only.
  EXPECT_EQ(prov[2].packets_no_match, prov[2].packets_sent);
  EXPECT_EQ(prov[3].packets_no_match, sent - prov[2].packets_sent);
  EXPECT_EQ(h.result().spikes.size(), sent);
}

// --- event loop ---------------------------------------------------------------

TEST(EventLoop, RunAndStop) {
  LoadedCore c(neuron_image());
  ASSERT_TRUE(c.status().ok());
  fw::EventLoop loop(c.core());
  EXPECT_TRUE(loop.finished());
  EXPECT_FALSE(loop.on_timer());  // nothing to run yet
  EXPECT_EQ(c.core().current_tick(), 0u);

  loop.on_host_message({fw::HostCommand::kRun, 3});
  EXPECT_FALSE(loop.finished());
  loop.on_host_message({fw::HostCommand::kRun, 4});  // adds to what is left
  int ran = 0;
  while (loop.on_timer()) ++ran;
  EXPECT_EQ(ran, 7);
  EXPECT_TRUE(loop.finished());
  EXPECT_EQ(c.core().current_tick(), 7u);
  EXPECT_EQ(c.core().provenance().ticks, 7u);

  loop.on_host_message({fw::HostCommand::kRun, 10});
  EXPECT_TRUE(loop.on_timer());
  EXPECT_TRUE(loop.on_timer());
  loop.on_host_message({fw::HostCommand::kStop, 0});
  EXPECT_TRUE(loop.finished());
  EXPECT_FALSE(loop.on_timer());
  EXPECT_EQ(c.core().current_tick(), 9u);

  loop.on_host_message({fw::HostCommand::kRun, 0});
  EXPECT_TRUE(loop.finished());
  EXPECT_FALSE(loop.on_timer());
  loop.on_host_message({fw::HostCommand::kStop, 0});  // stop when stopped: still stopped
  EXPECT_TRUE(loop.finished());

  // Run requests add up without wrapping: 2^32 - 1 + 5 ticks is still "many", not 4.
  loop.on_host_message({fw::HostCommand::kRun, UINT32_MAX});
  loop.on_host_message({fw::HostCommand::kRun, 5});
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(loop.on_timer());
  EXPECT_FALSE(loop.finished());
}

TEST(EventLoop, PacketsQueuedBeforeATimerAreProcessedInThatTick) {
  LoadedCore c(neuron_image());
  fw::EventLoop loop(c.core());
  loop.on_host_message({fw::HostCommand::kRun, 2});
  for (uint32_t s = 0; s < kSources; ++s) loop.on_packet({kSrcKey | s, 0, false});
  EXPECT_EQ(c.core().provenance().packets_received, kSources);
  EXPECT_EQ(c.core().provenance().synaptic_events, 0u);
  ASSERT_TRUE(loop.on_timer());
  EXPECT_EQ(c.core().provenance().synaptic_events, kSources * kNeurons);
}

TEST(EventLoop, DoesNotRunACoreInError) {
  std::vector<uint8_t> bad = neuron_image();
  bad[40] ^= 1;  // region table: header checksum fails
  LoadedCore c(bad);
  ASSERT_FALSE(c.status().ok());
  fw::EventLoop loop(c.core());
  loop.on_host_message({fw::HostCommand::kRun, 5});
  EXPECT_FALSE(loop.on_timer());
  EXPECT_FALSE(loop.finished());  // the ticks are still owed; the host sees the error
  EXPECT_EQ(c.core().current_tick(), 0u);
}

// --- error state --------------------------------------------------------------

void expect_inert(fw::Core& core, fw::NativePlatform& platform) {
  for (int i = 0; i < 5; ++i) core.tick();
  EXPECT_EQ(core.current_tick(), 0u);
  EXPECT_EQ(core.provenance().ticks, 0u);
  EXPECT_EQ(core.provenance().spikes_emitted, 0u);
  EXPECT_EQ(core.spikes().size(), 0u);
  EXPECT_EQ(core.states().size(), 0u);
  EXPECT_EQ(platform.outbox().size(), 0u);
}

TEST(CoreErrorState, ANeverLoadedCoreDoesNothing) {
  auto core = std::make_unique<fw::Core>();
  fw::NativePlatform platform;
  EXPECT_EQ(core->state(), fw::CoreState::kUnloaded);
  expect_inert(*core, platform);
  EXPECT_EQ(core->voltage(0), fw::Accum::zero());
}

TEST(CoreErrorState, ABadImageLeavesTheCoreInertAndReloadRecovers) {
  // A Poisson core that would fire every tick if it ran.
  const std::vector<uint8_t> good = capped_poisson_image(8);
  std::vector<uint8_t> bad = good;
  bad.back() ^= 0x80;  // last region's checksum fails
  LoadedCore c(bad);
  EXPECT_EQ(c.status().error, img::ImageError::kRegionChecksum);
  EXPECT_EQ(c.core().state(), fw::CoreState::kError);
  expect_inert(c.core(), c.platform());

  // Loading a bad image over a running core stops it too.
  auto platform = std::make_unique<fw::NativePlatform>();
  auto core = std::make_unique<fw::Core>();
  std::vector<uint32_t> good_words((good.size() + 3) / 4), bad_words((bad.size() + 3) / 4);
  std::memcpy(good_words.data(), good.data(), good.size());
  std::memcpy(bad_words.data(), bad.data(), bad.size());
  platform->set_image(reinterpret_cast<const uint8_t*>(good_words.data()), static_cast<uint32_t>(good.size()));
  ASSERT_TRUE(core->load(*platform).ok());
  core->tick();
  EXPECT_GT(core->provenance().spikes_emitted, 0u);
  platform->clear_outbox();
  platform->set_image(reinterpret_cast<const uint8_t*>(bad_words.data()), static_cast<uint32_t>(bad.size()));
  EXPECT_FALSE(core->load(*platform).ok());
  EXPECT_EQ(core->state(), fw::CoreState::kError);
  expect_inert(*core, *platform);  // counters and tick were reset by the load
  platform->set_image(reinterpret_cast<const uint8_t*>(good_words.data()), static_cast<uint32_t>(good.size()));
  ASSERT_TRUE(core->load(*platform).ok());
  EXPECT_EQ(core->state(), fw::CoreState::kReady);
  core->tick();
  EXPECT_EQ(core->current_tick(), 1u);
}

}  // namespace
}  // namespace spindle::test
