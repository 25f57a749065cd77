// Shared by the `spindle` subcommands: exit codes and network loading.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "machine/machine.h"
#include "spindle/v1/network.pb.h"

namespace spindle::cli {

// Exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // invalid network, mapping error
inline constexpr int kExitUsage = 2;   // bad arguments, unreadable or unparsable file, bad machine shape

// Loads and validates a network file. On success returns the network; on
// failure prints every problem to `err` ("file: path: message" per validation
// error, or the loader's message) and sets `exit_code` (1 invalid, 2 unreadable).
std::optional<spindle::v1::Network> load_valid_network(const std::string& path, std::ostream& err, int& exit_code);

// Parses --machine; on a bad shape prints "spindle CMD: --machine: ..." and returns nullopt.
std::optional<emu::MachineDescription> parse_machine(const std::string& shape, const char* command, std::ostream& err);

// Prints a mapping report (text) to stdout, or writes it to out_path and
// says so on stderr; returns the exit code.
int write_mapping_report(const std::string& text, const std::string& out_path, const std::string& network);

// Each adds its subcommand to `app`; running it stores its exit code in `exit_code`.
void add_validate_command(CLI::App& app, int& exit_code);
void add_machine_command(CLI::App& app, int& exit_code);
void add_map_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_plot_command(CLI::App& app, int& exit_code);
void add_flash_command(CLI::App& app, int& exit_code);
void add_jobs_command(CLI::App& app, int& exit_code);

}  // namespace spindle::cli
