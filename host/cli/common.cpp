#include "cli/common.h"

#include <ostream>
#include <stdexcept>

#include "mapping/fit_check.h"
#include "mapping/from_network.h"
#include "network/load.h"
#include "network/range_warnings.h"
#include "network/validate.h"

namespace spindle::cli {

std::optional<spindle::v1::Network> load_valid_network(const std::string& path, std::ostream& err, int& exit_code) {
  spindle::v1::Network net;
  try {
    net = host::network::load_network(path);
  } catch (const host::network::NetworkLoadError& e) {
    err << e.what() << '\n';
    exit_code = kExitUsage;
    return std::nullopt;
  }
  const auto errors = host::network::validate_network(net);
  if (!errors.empty()) {
    for (const auto& e : errors) err << path << ": " << e.path << ": " << e.message << '\n';
    err << path << ": " << errors.size() << (errors.size() == 1 ? " error" : " errors") << '\n';
    exit_code = kExitFailed;
    return std::nullopt;
  }
  for (const auto& w : host::network::range_warnings(net))
    err << path << ": " << w.path << ": warning: " << w.message << '\n';
  exit_code = kExitOk;
  return net;
}

MappedNetwork map_network(const spindle::v1::Network& net, const emu::MachineDescription& machine,
                          uint64_t available_bytes) {
  if (const std::string problem = host::fit_problem(host::estimate_fit(net, machine), machine, available_bytes);
      !problem.empty())
    throw std::runtime_error(problem);
  MappedNetwork m;
  m.graph = host::graph_from_network(net);
  m.options.cost = host::cost_model_for(net);
  m.options.place.seed = net.run().seed();
  m.result = host::map_graph(m.graph, machine, m.options);
  return m;
}

std::optional<emu::MachineDescription> parse_machine(const std::string& shape, const char* command, std::ostream& err) {
  try {
    return emu::machine_from_shape(shape);
  } catch (const std::invalid_argument& e) {
    err << "spindle " << command << ": --machine: " << e.what() << '\n';
    return std::nullopt;
  }
}

}  // namespace spindle::cli
