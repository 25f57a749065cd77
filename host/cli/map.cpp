// `spindle map NETWORK [--machine SHAPE] [--backend native|qemu|serial]
// [--out FILE] [--images DIR | --build-images] [--threads N]`: validate, convert to the application graph,
// map, print the JSON mapping report; optionally build every core image and
// router table too, streamed to DIR (or only counted).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "backend/backend.h"
#include "cli/common.h"
#include "job/prepare.h"
#include "cli/remote.h"
#include "machine/machine.h"
#include "mapping/core_images.h"
#include "mapping/from_network.h"
#include "mapping/pipeline.h"
#include "mapping/report.h"

namespace spindle::cli {

namespace {

struct MapArgs {
  std::string network;
  std::string machine = "48";
  std::string backend = "native";  // qemu / serial: slices an ARM image holds
  std::string out;
  std::string images;         // directory for core images and router tables
  bool build_images = false;  // build them without writing
  unsigned threads = 0;
};

std::string hex(uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Builds every core image (streamed: written to `dir` when it is non-empty,
// then dropped) and the router tables; prints a one-line summary to stderr.
void build_images(const spindle::v1::Network& net, const host::MappedNetwork& m, const std::string& dir, unsigned threads,
                  const std::string& network) {
  namespace fs = std::filesystem;
  const auto t0 = std::chrono::steady_clock::now();
  if (!dir.empty()) fs::create_directories(fs::path(dir) / "cores");
  nlohmann::json cores = nlohmann::json::array();
  uint64_t bytes = 0, synapses = 0;
  host::for_each_core_load(
      net, m.graph, m.result,
      [&](host::CoreLoad&& c) {
        bytes += c.image.size();
        synapses += c.synapses;
        if (dir.empty()) return;
        const std::string name =
            "cores/" + std::to_string(c.chip.x) + "_" + std::to_string(c.chip.y) + "_" + std::to_string(c.core) + ".img";
        std::ofstream f(fs::path(dir) / name, std::ios::binary);
        f.write(reinterpret_cast<const char*>(c.image.data()), static_cast<std::streamsize>(c.image.size()));
        if (!f) throw std::runtime_error((fs::path(dir) / name).string() + ": cannot write the core image");
        const auto& slice = m.result.partition.slices[c.slice];
        cores.push_back({{"chip", {c.chip.x, c.chip.y}}, {"core", c.core}, {"slice", c.slice},
                         {"population", m.graph.vertices[slice.vertex].label}, {"lo_atom", slice.lo_atom},
                         {"n_atoms", slice.n_atoms}, {"synapses", c.synapses}, {"bytes", c.image.size()},
                         {"file", name}});
      },
      threads, nullptr, &m.drawn);
  const auto routers = host::router_loads(m.result);
  size_t entries = 0;
  for (const auto& r : routers) entries += r.entries.size();
  if (!dir.empty()) {
    std::sort(cores.begin(), cores.end(), [](const auto& a, const auto& b) { return a["slice"] < b["slice"]; });
    nlohmann::json tables = nlohmann::json::array();
    for (const auto& r : routers) {
      nlohmann::json entries_json = nlohmann::json::array();
      for (const auto& e : r.entries) entries_json.push_back({{"key", hex(e.key)}, {"mask", hex(e.mask)}, {"route", hex(e.route)}});
      tables.push_back({{"chip", {r.chip.x, r.chip.y}}, {"entries", std::move(entries_json)}});
    }
    std::ofstream f(fs::path(dir) / "load.json");
    f << nlohmann::json{{"cores", std::move(cores)}, {"routers", std::move(tables)}}.dump(1) << '\n';
    if (!f) throw std::runtime_error((fs::path(dir) / "load.json").string() + ": cannot write");
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "%s: %zu core images (%.1f MB, %llu synapses), %zu router tables (%zu entries) built in %.2f s%s%s\n",
               network.c_str(), m.result.partition.slices.size(), static_cast<double>(bytes) / 1e6,
               static_cast<unsigned long long>(synapses), routers.size(), entries, s, dir.empty() ? "" : ", written to ",
               dir.c_str());
}

int run_map(const MapArgs& a) {
  auto machine = parse_machine(a.machine, "map", std::cerr);
  if (!machine) return kExitUsage;
  const host::BackendType* backend = host::find_backend_type(a.backend);
  if (backend == nullptr) {
    std::cerr << "spindle map: --backend: unknown backend '" << a.backend << "' (backends: " << host::backend_names()
              << ")\n";
    return kExitUsage;
  }
  machine = host::machine_for(*backend, *machine);
  int code = kExitOk;
  const auto net = load_valid_network(a.network, std::cerr, code);
  if (!net) return code;

  std::string text;
  try {
    const host::MappedNetwork m = host::map_network(*net, *machine, 0, a.threads);
    text = host::to_json(host::make_report(m.graph, *machine, m.result, m.options)).dump(2) + "\n";
    if (a.build_images || !a.images.empty()) build_images(*net, m, a.images, a.threads, a.network);
  } catch (const std::exception& e) {
    std::cerr << a.network << ": mapping onto machine " << a.machine << " failed: " << e.what() << '\n';
    return kExitFailed;
  }
  return write_mapping_report(text, a.out, a.network);
}

}  // namespace

int write_mapping_report(const std::string& text, const std::string& out_path, const std::string& network) {
  if (out_path.empty()) {
    std::cout << text;
    return kExitOk;
  }
  std::ofstream out(out_path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    std::cerr << out_path << ": cannot write the mapping report\n";
    return kExitFailed;
  }
  std::cerr << network << ": mapping report written to " << out_path << '\n';
  return kExitOk;
}

void add_map_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("map", "Validate and map a network onto a machine; print the JSON mapping report");
  auto args = std::make_shared<MapArgs>();
  cmd->add_option("NETWORK", args->network, "Network file (.textproto, .json, .pb)")->required();
  cmd->add_option("-m,--machine", args->machine, "Machine shape (see `spindle machine --help`)")->capture_default_str();
  cmd->add_option("--backend", args->backend,
                  "What will run the cores: native (up to " + std::to_string(fw::kNativeMaxNeuronsPerCore) +
                      " neurons a core), qemu or serial (ARM images: up to " +
                      std::to_string(fw::kArmMaxNeuronsPerCore) + ")")
      ->check(CLI::IsMember({"native", "qemu", "serial"}))
      ->capture_default_str();
  cmd->add_option("-o,--out", args->out, "Write the report to this file instead of stdout");
  auto* images = cmd->add_option("--images", args->images,
                                 "Also build every core image and router table and write them to this directory "
                                 "(cores/X_Y_CORE.img, load.json)");
  cmd->add_flag("--build-images", args->build_images,
                "Also build every core image and router table, without writing them (prints a summary)")
      ->excludes(images);
  cmd->add_option("-t,--threads", args->threads, "Host threads for building core images (0: one per hardware thread)")
      ->capture_default_str();
  cmd->callback([cmd, args, &exit_code] {
    if (!remote_enabled()) {
      exit_code = run_map(*args);
      return;
    }
    if (cmd->count("--machine") || cmd->count("--backend") || cmd->count("--images") || cmd->count("--build-images") ||
        cmd->count("--threads")) {
      std::cerr << "spindle map: --machine, --backend, --images, --build-images and --threads cannot be used with --connect "
                   "(the daemon maps onto its own machine)\n";
      exit_code = kExitUsage;
      return;
    }
    exit_code = remote_map(args->network, args->out);
  });
}

}  // namespace spindle::cli
