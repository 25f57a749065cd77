#include "cli/common.h"

#include <ostream>

#include "network/load.h"
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
  exit_code = kExitOk;
  return net;
}

}  // namespace spindle::cli
