// Mapping benchmark: wall time of every host stage from the network file to
// core images and router tables, and the peak resident memory, for one
// network, one configuration per process (peak RSS only grows).
//
//   mapping_bench NETWORK [--machine SHAPE] [--threads N] [--mode images|tables|expand]
//
// --mode images (default): load, validate, graph, partition, place, keys,
//   route, compress, then every core image built and dropped as it is done
//   (for_each_core_load, the streaming path of `spindle map --build-images`).
// --mode tables: the same up to and including compression, no images; adds
//   the CPU seconds of the compression stage alone (compress_cpu_s).
//   --dump-tables FILE also writes every chip's uncompressed table, one
//   entry a line: `x y key mask route n_atoms` (hex key/mask/route), the
//   input of `compress_bench --tables FILE`.
// --mode expand: the baseline: load, validate, then every projection
//   expanded whole, one at a time, on one thread (expand_projection, what the
//   whole-projection builder started from), counted and dropped.
// Prints one line of `key=value` fields; bench/mapping_bench.sh runs the
// configurations of docs/performance.md.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "machine/machine.h"
#include "mapping/core_images.h"
#include "mapping/from_network.h"
#include "mapping/pipeline.h"
#include "network/expand.h"
#include "network/load.h"
#include "network/validate.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace spindle;

double since(Clock::time_point& t) {
  const auto now = Clock::now();
  const double s = std::chrono::duration<double>(now - t).count();
  t = now;
  return s;
}

// User + system CPU seconds of the process so far: the work, whatever else
// the machine runs at the time.
double cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
}

int usage() {
  std::fprintf(stderr, "usage: mapping_bench NETWORK [--machine SHAPE] [--threads N] [--mode images|tables|expand] [--dump-tables FILE]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string network, shape = "48", mode = "images", dump;
  unsigned threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--machine" || a == "--threads" || a == "--mode" || a == "--dump-tables") && i + 1 < argc) {
      const std::string v = argv[++i];
      if (a == "--machine") shape = v;
      else if (a == "--mode") mode = v;
      else if (a == "--dump-tables") dump = v;
      else threads = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (network.empty() && a.rfind("--", 0) != 0) {
      network = a;
    } else {
      return usage();
    }
  }
  if (network.empty() || (mode != "images" && mode != "tables" && mode != "expand")) return usage();

  try {
    auto t = Clock::now();
    const auto start = t;
    const v1::Network net = host::network::load_network(network);
    const auto errors = host::network::validate_network(net);
    if (!errors.empty()) {
      std::fprintf(stderr, "%s: invalid:\n%s", network.c_str(), host::network::format_errors(errors).c_str());
      return 1;
    }
    const double t_load = since(t);
    std::printf("network=%s mode=%s load_validate_s=%.3f", network.c_str(), mode.c_str(), t_load);
    std::fflush(stdout);

    if (mode == "expand") {
      uint64_t synapses = 0;
      for (int p = 0; p < net.projections_size(); ++p)
        synapses += host::network::expand_projection(net, static_cast<size_t>(p)).size();
      const double t_expand = since(t);
      std::printf(" expand_s=%.3f synapses=%llu total_s=%.3f cpu_s=%.3f peak_rss_mb=%.0f\n", t_expand,
                  static_cast<unsigned long long>(synapses), std::chrono::duration<double>(Clock::now() - start).count(),
                  cpu_s(), peak_rss_mb());
      return 0;
    }

    const emu::MachineDescription machine = emu::machine_from_shape(shape);
    const host::ApplicationGraph graph = host::graph_from_network(net);
    host::MappingOptions options;
    options.cost = host::cost_model_for(net);
    options.place.seed = net.run().seed();
    const double t_graph = since(t);
    host::MappingResult r;
    r.partition = host::partition(graph, machine, options.cost);
    const double t_partition = since(t);
    r.placements = host::place(graph, r.partition, machine, options.place);
    const double t_place = since(t);
    r.keys = host::allocate_keys(graph, r.partition);
    const double t_keys = since(t);
    r.routes = host::route(graph, r.partition, r.placements, r.keys, machine);
    const double t_route = since(t);
    size_t max_entries = 0;
    for (const auto& ct : r.routes.tables) max_entries = std::max(max_entries, ct.entries.size());
    if (!dump.empty()) {
      std::FILE* f = std::fopen(dump.c_str(), "w");
      if (!f) throw std::runtime_error("--dump-tables: cannot write " + dump);
      for (const auto& ct : r.routes.tables)
        for (size_t i = 0; i < ct.entries.size(); ++i)
          std::fprintf(f, "%u %u %08x %08x %08x %u\n", ct.chip.x, ct.chip.y, ct.entries[i].key, ct.entries[i].mask,
                       ct.entries[i].route, r.partition.slices[ct.source_slice[i]].n_atoms);
      std::fclose(f);
    }
    const double cpu_before_compress = cpu_s();
    r.tables = host::compress_routes(r.routes, r.partition, r.keys, machine.router_table_capacity, threads);
    const double t_compress = since(t);
    const double compress_cpu = cpu_s() - cpu_before_compress;
    std::printf(" machine=%s threads=%u slices=%zu max_table_before=%zu graph_s=%.3f partition_s=%.3f place_s=%.3f "
                "keys_s=%.3f route_s=%.3f compress_s=%.3f",
                machine.name.c_str(), threads, r.partition.slices.size(), max_entries, t_graph, t_partition, t_place,
                t_keys, t_route, t_compress);
    if (mode == "tables") {
      size_t entries = 0, max_after = 0;
      for (const auto& ct : r.tables) {
        entries += ct.entries.size();
        max_after = std::max(max_after, ct.entries.size());
      }
      std::printf(" compress_cpu_s=%.3f chips_used=%zu table_entries=%zu max_table_after=%zu total_s=%.3f cpu_s=%.3f "
                  "peak_rss_mb=%.0f\n",
                  compress_cpu, r.tables.size(), entries, max_after,
                  std::chrono::duration<double>(Clock::now() - start).count(), cpu_s(), peak_rss_mb());
      return 0;
    }
    std::fflush(stdout);  // the stages so far, before the longest one
    uint64_t synapses = 0, bytes = 0;
    host::for_each_core_load(
        net, graph, r,
        [&](host::CoreLoad&& c) {
          synapses += c.synapses;
          bytes += c.image.size();
        },
        threads);
    const auto routers = host::router_loads(r);
    const double t_images = since(t);
    size_t entries = 0;
    for (const auto& rl : routers) entries += rl.entries.size();
    std::printf(
        " images_s=%.3f total_s=%.3f cpu_s=%.3f chips_used=%zu table_entries=%zu synapses=%llu "
        "image_mb=%.1f peak_rss_mb=%.0f\n",
        t_images, std::chrono::duration<double>(Clock::now() - start).count(), cpu_s(), routers.size(), entries, static_cast<unsigned long long>(synapses), static_cast<double>(bytes) / 1e6,
        peak_rss_mb());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\n%s: %s\n", network.c_str(), e.what());
    return 1;
  }
  return 0;
}
