// `spindle validate NETWORK`: load, validate, print every error or a summary.
#include <iostream>
#include <memory>

#include "cli/common.h"
#include "cli/remote.h"

namespace spindle::cli {

void add_validate_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("validate", "Load and validate a network file; print every error");
  auto path = std::make_shared<std::string>();
  cmd->add_option("NETWORK", *path, "Network file (.textproto, .json, .pb)")->required();
  cmd->callback([path, &exit_code] {
    if (remote_enabled()) {
      exit_code = remote_validate(*path);
      return;
    }
    const auto net = load_valid_network(*path, std::cerr, exit_code);
    if (!net) return;
    uint64_t neurons = 0;
    for (const auto& p : net->populations()) neurons += p.size();
    std::cout << *path << ": valid: " << net->populations_size() << " populations, " << neurons << " neurons, "
              << net->projections_size() << " projections\n";
  });
}

}  // namespace spindle::cli
