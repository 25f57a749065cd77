// `spindle run NETWORK [--machine SHAPE] [--duration MS] [--out DIR]
// [--threads N]`: validate, map, build core images, run on the native
// engine, write results (docs/cli.md), print a summary.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include "cli/common.h"
#include "cli/results.h"
#include "engine/engine.h"
#include "mapping/core_images.h"
#include "mapping/report.h"

namespace spindle::cli {
namespace {

struct RunArgs {
  std::string network;
  std::string machine = "48";
  double duration_ms = -1;  // < 0: the network's run.duration_ms
  std::string out = "spindle-out";
  unsigned threads = 0;
};

// A progress bar on stderr, shown only once a run has taken over a second.
class Progress {
 public:
  void operator()(uint32_t done, uint32_t total) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (s < 1.0 && done < total) return;
    if (s < 1.0 && !shown_) return;
    shown_ = true;
    const int width = 40, filled = static_cast<int>(width * static_cast<double>(done) / total);
    std::fprintf(stderr, "\rrunning [%.*s%*s] %3d%% %u/%u ticks", filled, "########################################",
                 width - filled, "", static_cast<int>(100.0 * done / total), done, total);
    if (done == total) std::fprintf(stderr, "\n");
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool shown_ = false;
};

int run_network(const RunArgs& a) {
  const auto machine = parse_machine(a.machine, "run", std::cerr);
  if (!machine) return kExitUsage;
  int code = kExitOk;
  const auto net = load_valid_network(a.network, std::cerr, code);
  if (!net) return code;
  const double dt = net->run().timestep_ms();
  const double duration = a.duration_ms >= 0 ? a.duration_ms : net->run().duration_ms();
  const auto ticks = static_cast<uint32_t>(std::llround(duration / dt));

  try {
    const MappedNetwork m = map_network(*net, *machine);
    const host::MachineLoad load = host::build_machine_load(*net, m.graph, m.result);
    emu::EngineConfig config;
    config.threads = a.threads;
    config.timestep_us = static_cast<uint32_t>(std::lround(dt * 1000));
    emu::Engine engine(*machine, config);
    host::load_into(engine, load);

    Progress progress;
    const emu::RunReport report = engine.run(ticks, std::ref(progress));
    const auto summary = write_results(a.out, *net, m.result, load, engine, report);
    {
      std::ofstream mj(std::filesystem::path(a.out) / "mapping.json");
      mj << host::to_json(host::make_report(m.graph, *machine, m.result, m.options)).dump(2) << '\n';
    }

    uint64_t core_drops = 0;
    for (const auto& c : report.cores)
      core_drops += uint64_t{c.provenance.input_queue_overflows} + c.provenance.packets_send_failed +
                    c.provenance.spike_records_dropped + c.provenance.state_records_dropped;
    std::printf("%s: %.1f ms of biological time (%u ticks of %g ms) on %s, %zu cores, %llu synapses, %.2f s wall\n",
                a.network.c_str(), duration, ticks, dt, machine->name.c_str(), load.cores.size(),
                static_cast<unsigned long long>(load.synapses), report.wall_seconds);
    std::printf("%-24s %8s %10s %12s\n", "population", "neurons", "spikes", "rate (Hz)");
    for (const auto& s : summary) {
      if (!s.recorded) {
        std::printf("%-24s %8u %10s %12s\n", s.label.c_str(), s.size, "-", "(not recorded)");
        continue;
      }
      const double rate = duration > 0 ? static_cast<double>(s.spikes) / s.size / (duration / 1000.0) : 0.0;
      std::printf("%-24s %8u %10llu %12.2f\n", s.label.c_str(), s.size, static_cast<unsigned long long>(s.spikes),
                  rate);
    }
    std::printf("dropped packets: %llu in routers, %llu on cores (provenance.json has the reasons)\n",
                static_cast<unsigned long long>(report.fabric.totals.dropped_total()),
                static_cast<unsigned long long>(core_drops));
    std::printf("results in %s/\n", a.out.c_str());
  } catch (const std::exception& e) {
    std::cerr << a.network << ": run on machine " << a.machine << " failed: " << e.what() << '\n';
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("run", "Validate, map and run a network on the native engine; write results");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("NETWORK", args->network, "Network file (.textproto, .json, .pb)")->required();
  cmd->add_option("-m,--machine", args->machine, "Machine shape (see `spindle machine --help`)")->capture_default_str();
  cmd->add_option("-d,--duration", args->duration_ms, "Biological time to run, ms (default: the network's run.duration_ms)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-o,--out", args->out, "Directory for the results")->capture_default_str();
  cmd->add_option("-t,--threads", args->threads, "Host threads (0: one per hardware thread)")->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = run_network(*args); });
}

}  // namespace spindle::cli
