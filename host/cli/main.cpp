// `spindle`: the host command line. One file per subcommand (docs/cli.md).
#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "cli/remote.h"

int main(int argc, char** argv) {
  CLI::App app{"Spindle: SpiNNaker-style neuromorphic runtime (host tools)", "spindle"};
  app.require_subcommand(1);
  int exit_code = spindle::cli::kExitOk;
  spindle::cli::add_remote_options(app);
  spindle::cli::add_validate_command(app, exit_code);
  spindle::cli::add_machine_command(app, exit_code);
  spindle::cli::add_map_command(app, exit_code);
  spindle::cli::add_run_command(app, exit_code);
  spindle::cli::add_plot_command(app, exit_code);
  spindle::cli::add_flash_command(app, exit_code);
  spindle::cli::add_jobs_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help or the error
    return code == 0 ? 0 : spindle::cli::kExitUsage;
  }
  return exit_code;
}
