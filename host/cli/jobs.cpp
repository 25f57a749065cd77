// `spindle --connect ADDR jobs [--cancel ID | --delete ID]`: the jobs this
// client holds on a spindled (its identity: --client, default USER@HOST),
// so jobs left by an interrupted command can be found and removed.
#include <iostream>
#include <memory>
#include <string>

#include "cli/common.h"
#include "cli/remote.h"

namespace spindle::cli {

void add_jobs_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("jobs", "With --connect: list this client's jobs on the daemon, cancel or delete one");
  auto cancel = std::make_shared<std::string>();
  auto remove = std::make_shared<std::string>();
  auto* c = cmd->add_option("--cancel", *cancel, "Cancel this job (its recordings stay)");
  cmd->add_option("--delete", *remove, "Delete this job (cancelled first if it runs)")->excludes(c);
  cmd->callback([cancel, remove, &exit_code] {
    if (!remote_enabled()) {
      std::cerr << "spindle jobs: needs --connect ADDR (jobs live on a spindled)\n";
      exit_code = kExitUsage;
      return;
    }
    exit_code = remote_jobs(*cancel, *remove);
  });
}

}  // namespace spindle::cli
