// `spindle run NETWORK [--machine SHAPE] [--duration MS] [--out DIR]
// [--threads N] [--backend native|qemu [--board B] [--qemu-cores LIST]]`:
// validate, map, build core images, run on the native engine (some or all
// cores as ARM images under QEMU), write results (docs/cli.md), print a
// summary.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/common.h"
#include "cli/host_memory.h"
#include "cli/interrupt.h"
#include "cli/progress.h"
#include "cli/remote.h"
#include "cli/results.h"
#include "engine/engine.h"
#include "backend/backend.h"
#include "boards/boards.h"
#include "job/prepare.h"
#include "mapping/core_images.h"
#include "mapping/fit_check.h"
#include "mapping/report.h"
#include "network/run_settings.h"

namespace spindle::cli {
namespace {

// "native, qemu": the backends spindled offers.
std::string daemon_backend_names() {
  std::string s;
  for (const host::BackendType& t : host::backend_types())
    if (t.offered_by_daemon) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

struct RunArgs {
  std::string network;
  std::string machine = "48";
  std::optional<double> duration_ms;  // unset: the network's run.duration_ms
  std::optional<uint64_t> seed;       // unset: the network's run.seed
  std::string out = "spindle-out";
  unsigned threads = 0;
  bool no_memory_check = false;
  bool strict_weights = false;
  std::string backend = "native";
  std::string board = host::default_board();
  std::string qemu_cores;   // empty or "all": every core; else slice numbers "0,3"
  std::string board_image;  // empty: this build's spindle-core-<board>.elf
  unsigned qemu_timeout_ms = 5000;
  std::vector<std::string> ports;  // serial backend: one board (core) per port
  unsigned baud = 115200;
  std::string serial_cores;        // which slices the boards run (default all)
  std::optional<double> record_weights_every_ms;  // plastic weights every this many ms
};

// Weight snapshots (plastic synapses x snapshots) one run may keep: 24
// bytes each in memory, about 40 in the CSV.
constexpr uint64_t kMaxWeightHistoryRecords = 50'000'000;

// --qemu-cores: "all" or a comma-separated list of slice numbers.
std::optional<std::set<uint32_t>> parse_slice_list(const std::string& text, bool& ok) {
  ok = true;
  if (text.empty() || text == "all") return std::nullopt;
  std::set<uint32_t> slices;
  size_t at = 0;
  while (at <= text.size()) {
    const size_t comma = std::min(text.find(',', at), text.size());
    const std::string item = text.substr(at, comma - at);
    if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos || item.size() > 9) {
      std::cerr << "spindle run: --qemu-cores: '" << item << "' is not a slice number (use e.g. 0,3 or all)\n";
      ok = false;
      return std::nullopt;
    }
    slices.insert(static_cast<uint32_t>(std::stoul(item)));
    at = comma + 1;
  }
  return slices;
}

int run_network(const RunArgs& a) {
  auto machine = parse_machine(a.machine, "run", std::cerr);
  if (!machine) return kExitUsage;
  const host::BackendType* backend_type = host::find_backend_type(a.backend);
  if (backend_type == nullptr) {
    std::cerr << "spindle run: --backend: unknown backend '" << a.backend << "' (backends: " << host::backend_names()
              << ")\n";
    return kExitUsage;
  }
  machine = host::machine_for(*backend_type, *machine);  // ARM images hold smaller slices
  // Flags that belong to one backend.
  const bool on_qemu = backend_type->name == "qemu";
  const bool on_serial = backend_type->name == "serial";
  if (!on_qemu && (!a.qemu_cores.empty() || !a.board_image.empty())) {
    std::cerr << "spindle run: --qemu-cores and --board-image need --backend qemu\n";
    return kExitUsage;
  }
  if (!on_serial && (!a.ports.empty() || !a.serial_cores.empty())) {
    std::cerr << "spindle run: --port and --serial-cores need --backend serial\n";
    return kExitUsage;
  }
  if (on_serial && a.ports.empty()) {
    std::cerr << "spindle run: --backend serial needs --port (one per board)\n";
    return kExitUsage;
  }
  bool slices_ok = true;
  const auto qemu_slices = parse_slice_list(a.qemu_cores, slices_ok);
  if (!slices_ok) return kExitUsage;
  const auto serial_slices = parse_slice_list(a.serial_cores, slices_ok);
  if (!slices_ok) return kExitUsage;
  host::BackendOptions backend_options;
  backend_options.name = a.backend;
  backend_options.link.reply_timeout = std::chrono::milliseconds(a.qemu_timeout_ms);
  if (on_qemu) {
    backend_options.board = a.board;
    backend_options.kernel = a.board_image;
    backend_options.slices = qemu_slices;
  }
  if (on_serial) {
    backend_options.ports = a.ports;
    backend_options.baud = a.baud;
    backend_options.slices = serial_slices;
  }
  std::unique_ptr<host::Backend> backend;
  try {
    backend = host::make_backend(backend_options);
  } catch (const std::invalid_argument& e) {
    std::cerr << "spindle run: --backend " << a.backend << ": " << e.what() << '\n';
    return kExitUsage;
  }
  int code = kExitOk;
  auto net = load_valid_network(a.network, std::cerr, code);
  if (!net) return code;
  if (a.seed) net->mutable_run()->set_seed(*a.seed);
  const double dt = net->run().timestep_ms();
  const double duration = a.duration_ms ? *a.duration_ms : net->run().duration_ms();
  // Validation checked the file's duration; --duration is checked here, by
  // the same conversion.
  const host::network::RunTicks run_ticks = host::network::duration_ticks(duration, dt);
  if (!run_ticks.error.empty()) {
    std::cerr << "spindle run: --duration: " << run_ticks.error << '\n';
    return kExitUsage;
  }
  const auto ticks = static_cast<uint32_t>(run_ticks.ticks);
  uint32_t weight_interval = 0;  // ticks between weight snapshots; 0: none
  if (a.record_weights_every_ms) {
    const host::network::RunTicks every = host::network::duration_ticks(*a.record_weights_every_ms, dt);
    if (!every.error.empty() || every.ticks == 0 ||
        std::fabs(static_cast<double>(every.ticks) * dt - *a.record_weights_every_ms) > 1e-9 * dt * static_cast<double>(every.ticks)) {
      std::cerr << "spindle run: --record-weights-every: must be a positive whole number of timesteps (" << dt
                << " ms), got " << *a.record_weights_every_ms << '\n';
      return kExitUsage;
    }
    weight_interval = static_cast<uint32_t>(std::min<uint64_t>(every.ticks, std::max<uint32_t>(ticks, 1)));
  }

  // Before anything is expanded: a network the machine's cores or the
  // host's memory cannot hold is refused with the figures, not by a mapping
  // error or std::bad_alloc minutes later.
  const host::FitEstimate fit = host::estimate_fit(*net, *machine);
  if (const std::string problem = host::fit_problem(fit, *machine, 0); !problem.empty()) {
    std::cerr << a.network << ": " << problem << '\n';
    return kExitFailed;
  }
  if (const HostMemory mem = host_memory(); !a.no_memory_check && mem.available_bytes > 0) {
    if (const std::string problem = host::fit_problem(fit, *machine, mem.available_bytes); !problem.empty()) {
      std::cerr << a.network << ": " << problem << " (" << mem.limited_by << "); --no-memory-check runs it anyway\n";
      return kExitFailed;
    }
  }
  // Before the work: a run whose results cannot be written is refused now,
  // not after it has run.
  if (const std::string problem = output_dir_problem(a.out); !problem.empty()) {
    std::cerr << "spindle run: --out " << a.out << ": " << problem << '\n';
    return kExitUsage;
  }
  const InterruptGuard interrupt;
  try {
    const host::PreparedNetwork prepared = host::prepare(*net, *machine, a.threads);
    const host::MappedNetwork& m = prepared.mapped;
    const host::MachineLoad& load = prepared.load;
    // Weights the cores' 16-bit words cannot hold well: a warning each, or
    // with --strict-weights the run is refused.
    const auto& weight_warnings = prepared.weight_warnings;
    for (const auto& w : weight_warnings)
      std::cerr << a.network << ": " << w.path << ": " << (a.strict_weights ? "" : "warning: ") << w.message << '\n';
    if (a.strict_weights && !weight_warnings.empty()) {
      std::cerr << a.network << ": refused by --strict-weights (" << weight_warnings.size() << " weight warning"
                << (weight_warnings.size() == 1 ? "" : "s") << ")\n";
      return kExitFailed;
    }
    emu::EngineConfig config;
    config.threads = a.threads;
    config.tick_period_us = host::network::tick_period_us(net->run());  // real-time pace
    const std::unique_ptr<emu::Engine> started = host::start_engine(*machine, config, prepared, *backend);
    emu::Engine& engine = *started;
    engine.set_stop_flag(&InterruptGuard::requested());  // Ctrl-C: stop after the tick in progress

    Progress progress;
    emu::RunReport report;
    WeightHistory history;
    if (weight_interval == 0) {
      report = engine.run(ticks, std::ref(progress));
    } else {
      uint64_t plastic = 0;
      for (const host::CoreLoad& c : load.cores) plastic += c.plastic.size();
      const uint64_t snapshots = ticks / weight_interval + 1;
      if (plastic == 0) {
        std::cerr << a.network << ": --record-weights-every: the network has no plastic projection\n";
        return kExitUsage;
      }
      if (plastic * snapshots > kMaxWeightHistoryRecords) {
        std::cerr << a.network << ": --record-weights-every: " << snapshots << " snapshots of " << plastic
                  << " plastic synapses are " << plastic * snapshots << " records, more than "
                  << kMaxWeightHistoryRecords << "; record less often\n";
        return kExitFailed;
      }
      // The weights at tick 0 and after every interval (PyNN: get() between
      // run() calls); reading them changes nothing the run does.
      history.time_ms.push_back(0);
      history.weights.push_back(host::read_plastic_weights(engine, load));
      uint32_t done = 0;
      while (done < ticks) {
        const uint32_t chunk = std::min(weight_interval, ticks - done);
        const uint32_t base = done;
        report = engine.run(chunk, [&](uint32_t d, uint32_t) { progress(base + d, ticks); });
        done = report.ticks;
        if (done < base + chunk) break;  // stopped (Ctrl-C)
        history.time_ms.push_back(static_cast<double>(done) * dt);
        history.weights.push_back(host::read_plastic_weights(engine, load));
      }
    }
    RunEnd end;
    if (report.ticks < ticks) {
      end.ticks_requested = ticks;
      end.stopped_by = signal_name(InterruptGuard::signal_number());
    }
    const nlohmann::json mapping_report = host::mapping_report_json(*net, *machine, prepared);
    const std::vector<host::ProjectionWeights> weights = host::read_plastic_weights(engine, load);
    const auto summary =
        write_results(a.out, *net, m.result, load, engine, report, mapping_report, end, a.network, weights, history);

    uint64_t core_drops = 0;
    for (const auto& c : report.cores)
      core_drops += uint64_t{c.provenance.input_queue_overflows} + c.provenance.packets_send_failed +
                    c.provenance.spike_records_dropped + c.provenance.state_records_dropped;
    RunSummary r;
    r.network = a.network;
    r.duration_ms = static_cast<double>(report.ticks) * dt;
    r.ticks = report.ticks;
    r.timestep_ms = dt;
    r.machine = machine->name;
    r.cores = load.cores.size();
    r.synapses = load.synapses;
    r.wall_seconds = report.wall_seconds;
    r.backend_line = backend->summary(engine);
    r.router_drops = report.fabric.totals.dropped_total();
    r.core_drops = core_drops;
    r.out = a.out;
    if (!end.stopped_by.empty())
      r.backend_line += (r.backend_line.empty() ? "" : "\n") + std::string("stopped by ") + end.stopped_by + " after " +
                        std::to_string(report.ticks) + " of " + std::to_string(ticks) +
                        " ticks: the results are partial (run.json and provenance.json say so)";
    print_run_summary(r, summary);
    if (!end.stopped_by.empty()) return 128 + InterruptGuard::signal_number();
  } catch (const std::exception& e) {
    std::cerr << a.network << ": run on machine " << a.machine << " failed: " << e.what() << '\n';
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("run", "Validate, map and run a network (native engine or QEMU cores); write results");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("NETWORK", args->network, "Network file (.textproto, .json, .pb)")->required();
  cmd->add_option("-m,--machine", args->machine, "Machine shape (see `spindle machine --help`)")->capture_default_str();
  cmd->add_option("-d,--duration", args->duration_ms, "Biological time to run, ms (default: the network's run.duration_ms)");
  cmd->add_option("-o,--out", args->out, "Directory for the results")->capture_default_str();
  cmd->add_option("--seed", args->seed,
                  "Master seed, instead of the network's run.seed (seeds set on a population, projection or "
                  "parameter stay as they are)");
  cmd->add_flag("--strict-weights", args->strict_weights,
                "Refuse to run when a projection's weights lose more than 1% of their total, or any weight becomes 0, "
                "in the cores' 16-bit weights (otherwise a warning)");
  cmd->add_option("--record-weights-every", args->record_weights_every_ms,
                  "Also record the plastic projections' weights every this many ms (a whole number of timesteps), "
                  "into <projection>.weights_history.csv / .npy");
  cmd->add_flag("--no-memory-check", args->no_memory_check,
                "Run even when the network's memory estimate exceeds the memory this host has available");
  cmd->add_option("-t,--threads", args->threads,
                  "Host threads (0: chosen from the work: by neuron count, then by the time of the first ticks)")
      ->capture_default_str();
  cmd->add_option("--backend", args->backend,
                  "What runs the cores: native, qemu (ARM images under qemu-system-arm) or serial (flashed boards)")
      ->capture_default_str();
  cmd->add_option("--board", args->board, "Board image the qemu backend runs (" + host::board_names() + ")")
      ->capture_default_str();
  cmd->add_option("--qemu-cores", args->qemu_cores,
                  "Slices to run under QEMU, e.g. 0,3 (the rest run natively); default all");
  cmd->add_option("--board-image", args->board_image, "Core server ELF to boot (default: this build's spindle-core-BOARD.elf)");
  cmd->add_option("--port", args->ports, "Serial backend: a board's serial port (repeat: one per core)");
  cmd->add_option("--baud", args->baud, "Serial backend: baud rate")->capture_default_str();
  cmd->add_option("--serial-cores", args->serial_cores, "Serial backend: slices the boards run, in port order (default all)");
  cmd->add_option("--qemu-timeout", args->qemu_timeout_ms,
                  "Milliseconds a QEMU core may take to answer one tick before it is retried (4 tries, then the run fails)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([cmd, args, &exit_code] {
    if (!remote_enabled()) {
      exit_code = run_network(*args);
      return;
    }
    if (cmd->count("--record-weights-every")) {
      std::cerr << "spindle run: --record-weights-every cannot be used with --connect (the CLI reads the daemon's "
                   "weights at the end of the run; a client can call GetWeights between Runs)\n";
      exit_code = kExitUsage;
      return;
    }
    for (const char* local :
         {"--machine", "--threads", "--board-image", "--port", "--baud", "--serial-cores", "--no-memory-check"})
      if (cmd->count(local)) {
        std::cerr << "spindle run: " << local
                  << " cannot be used with --connect (the daemon runs on its own machine, with its own images)\n";
        exit_code = kExitUsage;
        return;
      }
    RemoteBackend backend;
    backend.name = args->backend;
    if (const host::BackendType* t = host::find_backend_type(backend.name); t != nullptr && !t->offered_by_daemon) {
      std::cerr << "spindle run: --backend " << backend.name << " cannot be used with --connect (spindled offers "
                << daemon_backend_names() << ")\n";
      exit_code = kExitUsage;
      return;
    }
    if (backend.name != "qemu" && (cmd->count("--board") || cmd->count("--qemu-cores") || cmd->count("--qemu-timeout"))) {
      std::cerr << "spindle run: --board, --qemu-cores and --qemu-timeout need --backend qemu\n";
      exit_code = kExitUsage;
      return;
    }
    bool slices_ok = true;
    if (const auto slices = parse_slice_list(args->qemu_cores, slices_ok)) backend.qemu_slices.assign(slices->begin(), slices->end());
    if (!slices_ok) {
      exit_code = kExitUsage;
      return;
    }
    if (cmd->count("--board")) backend.board = args->board;
    backend.strict_weights = args->strict_weights;
    if (cmd->count("--qemu-timeout")) backend.qemu_timeout_ms = args->qemu_timeout_ms;
    exit_code = remote_run(args->network, args->duration_ms, args->seed, args->out, backend);
  });
}

}  // namespace spindle::cli
