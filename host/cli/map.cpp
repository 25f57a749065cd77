// `spindle map NETWORK [--machine SHAPE] [--out FILE]`: validate, convert to
// the application graph, map, print the JSON mapping report.
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "cli/common.h"
#include "machine/machine.h"
#include "mapping/from_network.h"
#include "mapping/pipeline.h"
#include "mapping/report.h"

namespace spindle::cli {

namespace {

struct MapArgs {
  std::string network;
  std::string machine = "48";
  std::string out;
};

int run_map(const MapArgs& a) {
  const auto machine = parse_machine(a.machine, "map", std::cerr);
  if (!machine) return kExitUsage;
  int code = kExitOk;
  const auto net = load_valid_network(a.network, std::cerr, code);
  if (!net) return code;

  std::string text;
  try {
    const MappedNetwork m = map_network(*net, *machine);
    text = host::to_json(host::make_report(m.graph, *machine, m.result, m.options)).dump(2) + "\n";
  } catch (const std::exception& e) {
    std::cerr << a.network << ": mapping onto machine " << a.machine << " failed: " << e.what() << '\n';
    return kExitFailed;
  }
  if (a.out.empty()) {
    std::cout << text;
    return kExitOk;
  }
  std::ofstream out(a.out, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    std::cerr << a.out << ": cannot write the mapping report\n";
    return kExitFailed;
  }
  std::cerr << a.network << ": mapping report written to " << a.out << '\n';
  return kExitOk;
}

}  // namespace

void add_map_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("map", "Validate and map a network onto a machine; print the JSON mapping report");
  auto args = std::make_shared<MapArgs>();
  cmd->add_option("NETWORK", args->network, "Network file (.textproto, .json, .pb)")->required();
  cmd->add_option("-m,--machine", args->machine, "Machine shape (see `spindle machine --help`)")->capture_default_str();
  cmd->add_option("-o,--out", args->out, "Write the report to this file instead of stdout");
  cmd->callback([args, &exit_code] { exit_code = run_map(*args); });
}

}  // namespace spindle::cli
