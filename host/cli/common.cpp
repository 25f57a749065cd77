#include "cli/common.h"

#include <ostream>
#include <stdexcept>

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

std::optional<emu::MachineDescription> parse_machine(const std::string& shape, const char* command, std::ostream& err) {
  try {
    return emu::machine_from_shape(shape);
  } catch (const std::invalid_argument& e) {
    err << "spindle " << command << ": --machine: " << e.what() << '\n';
    return std::nullopt;
  }
}

}  // namespace spindle::cli
