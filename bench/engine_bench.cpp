// Whole-run engine benchmark (issue 3): a synthetic network of 16 chips x 16
// cores, 256 neurons per core, 1000 synapses per neuron at ~10 Hz, run for
// 1 s of biological time at 1 ms ticks, with 1 and with N host threads.
// Reports synaptic events per second per host core, neuron updates per
// second, and the share of time spent routing. Baseline, measured in the
// same run: a bare loop doing the same number of saturating ring-buffer
// additions at random addresses (the memory-bound floor of the synaptic
// work), so the engine's figure reads as a fraction of what the hardware
// allows here.
//
// Usage: engine_bench [--ticks N] [--threads N] [--small] [--link-buffer N] [--wait-rounds N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "tools/synthetic_network.h"

using namespace spindle;

namespace {

double baseline_events_per_second(uint64_t events) {
  // 4096 cores' worth of ring buffers does not fit in cache either: use the
  // same total ring memory the engine's cores have.
  const size_t cores = 256, words_per_core = 16 * 2 * 256;
  std::vector<uint32_t> ring(cores * words_per_core, 0);
  std::vector<uint32_t> words(1 << 16);
  std::mt19937 rng(1);
  for (auto& w : words) w = static_cast<uint32_t>(rng());
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t done = 0;
  size_t core = 0;
  while (done < events) {
    uint32_t* r = ring.data() + core * words_per_core;
    for (uint32_t k = 0; k < 250 && done < events; ++k, ++done) {
      const uint32_t w = words[(done * 7) & 0xFFFF];
      uint32_t& cell = r[w & (words_per_core - 1)];
      const uint32_t s = cell + (w >> 16);
      cell = s < cell ? UINT32_MAX : s;
    }
    core = (core * 31 + 7) % cores;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  volatile uint32_t sink = ring[12345];
  (void)sink;
  return static_cast<double>(events) / s;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t ticks = 1000;
  unsigned threads = std::thread::hardware_concurrency();
  host::SyntheticNetworkSpec spec;
  emu::RouterConfig router;
  spec.machine = "torus:4x4";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--ticks" && i + 1 < argc) ticks = static_cast<uint32_t>(std::atoi(argv[++i]));
    else if (a == "--threads" && i + 1 < argc) threads = static_cast<unsigned>(std::atoi(argv[++i]));
    else if (a == "--link-buffer" && i + 1 < argc) router.link_buffer = static_cast<uint32_t>(std::atoi(argv[++i]));
    else if (a == "--wait-rounds" && i + 1 < argc) router.wait_rounds = static_cast<uint32_t>(std::atoi(argv[++i]));
    else if (a == "--small") {
      spec.cores_per_chip = 4;
      spec.synapses_per_neuron = 200;
    } else {
      std::fprintf(stderr, "usage: engine_bench [--ticks N] [--threads N] [--small] [--link-buffer N] [--wait-rounds N]\n");
      return 2;
    }
  }
  if (threads == 0) threads = 1;

  const auto t0 = std::chrono::steady_clock::now();
  const host::SyntheticNetwork net = host::make_synthetic_network(spec);
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("network: %s, %zu cores, %u neurons/core, %llu synapses (built in %.1f s)\n", spec.machine.c_str(),
              net.load.cores.size(), spec.neurons_per_core, static_cast<unsigned long long>(net.load.synapses), build_s);

  uint64_t events = 0;
  for (unsigned t : {1u, threads}) {
    if (t == threads && threads == 1 && events != 0) break;
    emu::EngineConfig cfg;
    cfg.threads = t;
    cfg.router = router;
    emu::Engine engine(net.machine, cfg);
    host::load_into(engine, net.load);
    const emu::RunReport r = engine.run(ticks);
    events = r.synaptic_events;
    const double rate = static_cast<double>(r.spikes) / (static_cast<double>(net.load.cores.size()) * spec.neurons_per_core) /
                        (ticks * spec.dt_ms / 1000.0);
    std::printf(
        "threads=%u: wall %.2f s for %u ticks; %.3g synaptic events/s (%.3g per host core); %.3g neuron updates/s; "
        "routing %.1f%% of run time; mean rate %.2f Hz; spikes %llu; dropped packets %llu\n",
        t, r.wall_seconds, ticks, static_cast<double>(r.synaptic_events) / r.wall_seconds,
        static_cast<double>(r.synaptic_events) / r.wall_seconds / t, static_cast<double>(r.neuron_updates) / r.wall_seconds, 100.0 * r.routing_seconds / r.wall_seconds, rate,
        static_cast<unsigned long long>(r.spikes), static_cast<unsigned long long>(r.fabric.totals.dropped_total()));
    const emu::RouterCounters& tot = r.fabric.totals;
    std::printf("  fabric: injected %llu, delivered %llu (late %llu), blocked %llu, emergency %llu, dumped %llu",
                static_cast<unsigned long long>(tot.injected), static_cast<unsigned long long>(tot.delivered),
                static_cast<unsigned long long>(tot.delivered_late), static_cast<unsigned long long>(tot.blocked),
                static_cast<unsigned long long>(tot.emergency_routed), static_cast<unsigned long long>(tot.dumped));
    for (uint32_t k = 0; k < emu::kDropReasonCount; ++k)
      if (tot.dropped[k] != 0)
        std::printf(", dropped (%s) %llu", std::string(emu::drop_reason_name(static_cast<emu::DropReason>(k))).c_str(),
                    static_cast<unsigned long long>(tot.dropped[k]));
    std::printf("\n");
  }
  const double base = baseline_events_per_second(events);
  std::printf("baseline (bare saturating ring-buffer adds, 1 thread): %.3g events/s\n", base);
  return 0;
}
