// spindled: the Spindle daemon (docs/daemon.md). Serves spindle.v1.Spindle,
// gRPC server reflection and the standard health service; loopback only
// unless given TLS and tokens; SIGTERM or SIGINT shut it down cleanly.
#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "daemon/auth.h"
#include "daemon/options.h"
#include "daemon/service.h"
#include "daemon/unix_listener.h"
#include "machine/machine.h"

namespace {

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string(what) + " " + path + ": cannot read");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The address with the port the server actually bound (for port 0).
std::string bound_address(const std::string& listen, int port) {
  if (listen.rfind("unix", 0) == 0) return listen;
  const size_t colon = listen.rfind(':');
  const size_t bracket = listen.rfind(']');
  if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket))
    return listen + ":" + std::to_string(port);
  return listen.substr(0, colon + 1) + std::to_string(port);
}

}  // namespace

int main(int argc, char** argv) {
  using spindle::daemon::DaemonOptions;
  DaemonOptions o;
  CLI::App app{"spindled: the Spindle daemon, serving spindle.v1.Spindle over gRPC (docs/daemon.md)", "spindled"};
  app.add_option("-l,--listen", o.listen, "Address to listen on, HOST:PORT (port 0: any free port)")->capture_default_str();
  app.add_option("-m,--machine", o.machine, "Machine shape jobs are mapped onto (see `spindle machine --help`)")
      ->capture_default_str();
  app.add_option("--tls-cert", o.tls_cert, "PEM certificate chain (required beyond loopback)");
  app.add_option("--tls-key", o.tls_key, "PEM private key (required beyond loopback)");
  app.add_option("--token-file", o.token_file, "\"NAME TOKEN\" lines; clients send \"authorization: Bearer TOKEN\"");
  app.add_option("--grace", o.grace_seconds, "On SIGTERM, seconds running jobs may go on before they are cancelled")
      ->capture_default_str();
  app.add_option("--max-jobs", o.limits.max_jobs, "Jobs held at once, all clients")->capture_default_str();
  app.add_option("--max-runs", o.limits.max_concurrent_runs, "Jobs running at once")->capture_default_str();
  app.add_option("--max-queued", o.limits.max_queued_runs,
                 "Runs waiting in line for one of the --max-runs slots (0: refuse instead)")
      ->capture_default_str();
  app.add_option("--max-neurons", o.limits.max_neurons, "Neurons per network")->capture_default_str();
  app.add_option("--max-synapses", o.limits.max_synapses, "Synapses per network")->capture_default_str();
  app.add_option("--max-run-ticks", o.limits.max_run_ticks, "Ticks per Run call")->capture_default_str();
  app.add_option("--stream-buffer", o.limits.stream_buffer_bytes,
                 "Bytes of events queued per stream before events are dropped for it")
      ->capture_default_str();
  app.add_option("--max-qemu-processes", o.limits.max_qemu_processes,
                 "QEMU processes of backend-qemu jobs, all jobs (one per core under QEMU, held until DeleteJob)")
      ->capture_default_str();
  app.add_option("--engine-threads", o.limits.engine_threads, "Host threads per running job")->capture_default_str();
  app.add_option("--max-jobs-per-client", o.limits.max_jobs_per_client, "Jobs one client may hold")
      ->capture_default_str();
  app.add_option("--max-runs-per-client", o.limits.max_runs_per_client,
                 "Runs one client may have going or waiting in line")
      ->capture_default_str();
  app.add_option("--max-qemu-processes-per-client", o.limits.max_qemu_processes_per_client,
                 "QEMU processes one client's jobs may hold")
      ->capture_default_str();
  app.add_option("--max-inject-spikes", o.limits.max_inject_spikes_per_request, "Spikes in one InjectRequest")
      ->capture_default_str();
  app.add_option("--orphan-grace", o.limits.orphan_grace_seconds,
                 "Seconds after a Run's client went away before its job is deleted (unless kept)")
      ->capture_default_str();
  app.add_option("--job-idle", o.limits.job_idle_seconds,
                 "Seconds a job no call uses before it is deleted (0: never)")
      ->capture_default_str();
  app.add_option("--max-pending-injections", o.limits.max_pending_injections,
                 "Injected spikes of one job waiting to enter the fabric")
      ->capture_default_str();
  app.add_option("--chunk-ticks", o.limits.default_chunk_ticks,
                 "Default ticks between streaming points (RunRequest.chunk_ticks overrides)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (const std::string problem = spindle::daemon::check_options(o); !problem.empty()) {
    std::fprintf(stderr, "spindled: %s\n", problem.c_str());
    return 2;
  }
  spindle::emu::MachineDescription machine;
  spindle::daemon::Auth auth;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  try {
    machine = spindle::emu::machine_from_shape(o.machine);
    if (!o.token_file.empty()) auth = spindle::daemon::Auth::from_token_file(o.token_file);
    if (!o.tls_cert.empty()) {
      grpc::SslServerCredentialsOptions ssl;
      ssl.pem_key_cert_pairs.push_back({read_file(o.tls_key, "--tls-key"), read_file(o.tls_cert, "--tls-cert")});
      credentials = grpc::SslServerCredentials(ssl);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spindled: %s\n", e.what());
    return 2;
  }

  // Every thread gRPC starts inherits this mask, so the signals reach only
  // the sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // A unix socket is accepted here, not by gRPC, so each caller's user id
  // is known (daemon/unix_listener.h); made before gRPC starts any thread.
  spindle::daemon::PeerCredentials peers;
  std::unique_ptr<spindle::daemon::UnixListener> unix_listener;
  if (spindle::daemon::is_unix_address(o.listen)) {
    try {
      unix_listener = std::make_unique<spindle::daemon::UnixListener>(o.listen, peers);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "spindled: %s\n", e.what());
      return 1;
    }
    if (!auth.requires_token()) auth.use_peer_credentials(&peers);
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  spindle::daemon::SpindleService service(o, std::move(auth), machine);
  grpc::ServerBuilder builder;
  int port = 0;
  if (!unix_listener) builder.AddListeningPort(o.listen, credentials, &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(256 << 20);  // networks with explicit lists can be large
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || (port == 0 && !unix_listener)) {
    std::fprintf(stderr, "spindled: cannot listen on %s\n", o.listen.c_str());
    return 1;
  }
  if (unix_listener) unix_listener->start(*server);
  std::printf("spindled listening on %s (machine %s, %s)\n", bound_address(o.listen, port).c_str(),
              machine.name.c_str(), o.tls_cert.empty() ? "plaintext" : "TLS");
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  std::printf("spindled: %s: shutting down\n", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  std::fflush(stdout);
  if (unix_listener) unix_listener->stop();  // no new connections
  server->GetHealthCheckService()->Shutdown();
  for (const std::string& line : service.shut_down(o.grace_seconds)) std::printf("spindled: %s\n", line.c_str());
  std::fflush(stdout);
  const auto calls_start = std::chrono::steady_clock::now();
  // Runs are settled by now; what is still open (a stream whose client
  // stopped reading) gets a second, then is cancelled.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server->Wait();
  std::printf("spindled: stopped (open calls took %.2f s to end)\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - calls_start).count());
  return 0;
}
