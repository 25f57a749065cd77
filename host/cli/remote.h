// `spindle --connect ADDR CMD`: the subcommands against a running spindled
// (docs/cli.md, docs/daemon.md) over gRPC, printing and writing what the
// in-process commands do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace spindle::cli {

struct RemoteOptions {
  std::string address;     // empty: run in-process
  std::string client;      // the spindle-client identity; empty: default_client_name()
  std::string token_file;  // a spindled --token-file line "NAME TOKEN", or only the token
  std::string tls_ca;      // PEM roots; empty: plaintext
};
RemoteOptions& remote_options();
// "USER@HOST": the identity both clients send by default (docs/daemon.md).
std::string default_client_name();
bool remote_enabled();

// Adds --connect (env SPINDLE_CONNECT), --token-file and --tls-ca to `app`.
void add_remote_options(CLI::App& app);

// What runs the cores of a `spindle --connect run`: native, or QEMU on the
// daemon's host (`--backend qemu [--board] [--qemu-cores] [--qemu-timeout]`).
struct RemoteBackend {
  std::string name = "native";
  std::string board;                  // empty: the daemon's default
  std::vector<uint32_t> qemu_slices;  // empty: every core
  uint32_t qemu_timeout_ms = 0;       // 0: the daemon's default
  bool strict_weights = false;        // SubmitNetworkRequest.strict_weights (`run --strict-weights`)
};

// Each returns the exit code (docs/cli.md).
int remote_validate(const std::string& network);
int remote_map(const std::string& network, const std::string& out);
// duration_ms: nullopt runs the network's run.duration_ms; seed: nullopt
// keeps the network's run.seed.
int remote_run(const std::string& network, std::optional<double> duration_ms, std::optional<uint64_t> seed,
               const std::string& out, const RemoteBackend& backend);
int remote_machine();
// `spindle jobs`: this client's jobs; with `cancel` or `remove`, that job
// is cancelled or deleted (a running one cancelled first).
int remote_jobs(const std::string& cancel, const std::string& remove);

}  // namespace spindle::cli
