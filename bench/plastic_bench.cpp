// Plastic synapses against static ones, in one run: the same network (N
// Poisson sources at 10 Hz, all to all onto M IF_curr_exp neurons firing at
// 20-40 Hz, three input weights) with static synapses (the baseline) and
// with additive pair STDP whose amplitudes are too small to change the
// rates much, so both runs process about the same synaptic events. Reports the run phase (CPU
// seconds), synaptic events per second, the ratio, and the core images'
// bytes per synapse (docs/performance.md, "Plastic synapses on the host").
//
// Usage: plastic_bench [--sources N] [--neurons M] [--duration MS] [--threads T]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "backend/backend.h"
#include "job/plastic_weights.h"
#include "job/prepare.h"
#include "network/load.h"

using namespace spindle;

namespace {

std::string network_text(uint32_t sources, uint32_t neurons, double duration_ms, bool plastic, double drive) {
  std::string t = "run { timestep_ms: 1.0 duration_ms: " + std::to_string(duration_ms) + " seed: 7 }\n";
  t += "populations { label: \"in\" size: " + std::to_string(sources) +
       " spike_source_poisson { rate { constant: 10 } } }\n";
  t += "populations { label: \"out\" size: " + std::to_string(neurons) + " if_curr_exp {} }\n";
  t += "projections { label: \"in-out\" pre: \"in\" post: \"out\" receptor: EXCITATORY connector { all_to_all {} }\n";
  t += "  weight { constant: " + std::to_string(drive / sources) + " } delay { constant: 1 }\n";
  if (plastic)
    t += "  synapse_dynamics { stdp { timing_dependence { A_plus: " + std::to_string(0.01 / sources) +
         " A_minus: " + std::to_string(0.0105 / sources) + " } additive { w_min: 0 w_max: " +
         std::to_string(2 * drive / sources) + " } } }\n";
  t += "}\nrecordings { population: \"out\" variables: [SPIKES] }\n";
  return t;
}

struct Result {
  double cpu_seconds = 0, wall_seconds = 0;
  uint64_t events = 0, spikes = 0, image_bytes = 0, synapses = 0;
};

Result run(uint32_t sources, uint32_t neurons, double duration_ms, unsigned threads, bool plastic, double drive) {
  const v1::Network net = host::network::parse_network(network_text(sources, neurons, duration_ms, plastic, drive),
                                                       host::network::NetworkFormat::kText, "bench");
  const emu::MachineDescription machine = emu::machine_from_shape("2x2");
  const host::PreparedNetwork p = host::prepare(net, machine, threads);
  host::BackendOptions o;
  const auto backend = host::make_backend(o);
  const auto engine = host::start_engine(machine, emu::EngineConfig{.threads = threads}, p, *backend);
  const auto ticks = static_cast<uint32_t>(duration_ms);
  const emu::RunReport r = engine->run(ticks);
  if (plastic) host::read_plastic_weights(*engine, p.load);
  Result out{r.cpu_seconds, r.wall_seconds, r.synaptic_events, r.spikes, 0, p.load.synapses};
  for (const host::CoreLoad& c : p.load.cores)
    if (c.synapses > 0) out.image_bytes += c.image.size();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t sources = 1000, neurons = 512;
  double duration_ms = 10000;
  unsigned threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--sources")) sources = static_cast<uint32_t>(std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--neurons")) neurons = static_cast<uint32_t>(std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--duration")) duration_ms = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "usage: plastic_bench [--sources N] [--neurons M] [--duration MS] [--threads T]\n");
      return 2;
    }
  }
  std::printf("%u Poisson sources at 10 Hz, all to all onto %u IF_curr_exp neurons, %.0f ms at 1 ms, %u thread(s)\n",
              sources, neurons, duration_ms, threads);
  // Three drives: post neurons at about twice their inputs' rate (a pre
  // spike's synapses mostly see one or two post spikes in their window, the
  // newest-spike shortcuts), and at three and four times it (several: the
  // full history search for most synapses).
  for (const double drive : {12.0, 15.0, 17.0}) {
  std::printf("\nweights %g / sources nA:\n", drive);
  std::printf("%-8s %12s %12s %14s %14s %10s %10s\n", "synapses", "cpu_s", "wall_s", "events", "events/s", "img B/syn", "post Hz");
  Result res[2];
  for (int plastic = 0; plastic < 2; ++plastic) {
    const Result r = run(sources, neurons, duration_ms, threads, plastic != 0, drive);
    res[plastic] = r;
    std::printf("%-8s %12.3f %12.3f %14llu %14.3g %10.2f %10.1f\n", plastic ? "plastic" : "static", r.cpu_seconds,
                r.wall_seconds, static_cast<unsigned long long>(r.events), static_cast<double>(r.events) / r.cpu_seconds,
                static_cast<double>(r.image_bytes) / static_cast<double>(r.synapses),
                static_cast<double>(r.spikes) / neurons / (duration_ms / 1000.0));
  }
  std::printf("plastic / static run phase (CPU): %.2fx; per synaptic event: %.2fx; output spikes %llu / %llu\n",
              res[1].cpu_seconds / res[0].cpu_seconds,
              (res[1].cpu_seconds / static_cast<double>(res[1].events)) / (res[0].cpu_seconds / static_cast<double>(res[0].events)),
              static_cast<unsigned long long>(res[1].spikes), static_cast<unsigned long long>(res[0].spikes));
  }
  return 0;
}
