// `spindle`: the host command line. One file per subcommand (docs/cli.md).
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "cli/common.h"
#include "cli/remote.h"

namespace {

// The word given where a subcommand belongs, when it names none: the first
// argument that is neither an option nor the value of one. Empty if there
// is no such word (no subcommand given at all).
std::string unknown_command(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") return i + 1 < argc ? argv[i + 1] : "";
    if (arg.size() > 1 && arg[0] == '-') {
      if (arg.find('=') != std::string::npos) continue;  // --connect=ADDR
      const CLI::Option* o = app.get_option_no_throw(arg);
      if (o != nullptr && o->get_type_size_max() > 0) ++i;  // its value
      continue;
    }
    for (const CLI::App* sub : app.get_subcommands({}))
      if (sub->check_name(arg)) return "";
    return arg;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Spindle: SpiNNaker-style neuromorphic runtime (host tools)", "spindle"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "spindle " SPINDLE_VERSION, "Print the version (spindle X.Y.Z) and exit");
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
    const std::string word = e.get_exit_code() != 0 && app.get_subcommands().empty()
                                 ? unknown_command(app, argc, argv)
                                 : std::string();
    const bool none_given = e.get_exit_code() != 0 && app.get_subcommands().empty() &&
                            dynamic_cast<const CLI::RequiredError*>(&e) != nullptr;
    if (!word.empty() || none_given) {
      // No subcommand ran: say which word was not one, and what the commands are.
      std::string commands;
      for (const CLI::App* sub : app.get_subcommands({}))
        commands += (commands.empty() ? "" : ", ") + sub->get_name();
      if (!word.empty())
        std::cerr << "spindle: unknown command '" << word << "' (commands: " << commands << ")\n";
      else
        std::cerr << "spindle: a command is required (commands: " << commands << ")\n";
      std::cerr << "Run with --help for more information.\n";
      return spindle::cli::kExitUsage;
    }
    const int code = app.exit(e);  // prints help, the version or the error
    return code == 0 ? 0 : spindle::cli::kExitUsage;
  }
  return exit_code;
}
