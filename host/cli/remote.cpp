#include "cli/remote.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <atomic>
#include <thread>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "cli/progress.h"
#include "cli/interrupt.h"
#include "cli/results.h"
#include "network/load.h"
#include "network/run_settings.h"
#include "runtime/recording.h"
#include "spindle/v1/service.grpc.pb.h"

namespace spindle::cli {
namespace {

namespace v1 = spindle::v1;

const char* code_name(grpc::StatusCode c) {
  switch (c) {
    case grpc::OK: return "OK";
    case grpc::CANCELLED: return "CANCELLED";
    case grpc::UNKNOWN: return "UNKNOWN";
    case grpc::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::NOT_FOUND: return "NOT_FOUND";
    case grpc::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::ABORTED: return "ABORTED";
    case grpc::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::INTERNAL: return "INTERNAL";
    case grpc::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::DATA_LOSS: return "DATA_LOSS";
    default: return "UNKNOWN";
  }
}

std::string read_file(const std::string& path, const char* what, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  ok = static_cast<bool>(in) || in.eof();
  if (!in.is_open()) ok = false;
  if (!ok) std::cerr << "spindle: " << what << ' ' << path << ": cannot read\n";
  return text.str();
}

}  // namespace

std::string default_client_name() {
  // The login name, from the password database (not $USER, which any
  // process may set: the daemon keeps identities apart, it does not trust them).
  std::string user;
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_name != nullptr) user = pw->pw_name;
  if (user.empty()) user = "uid" + std::to_string(::geteuid());
  char host[128] = {};
  ::gethostname(host, sizeof host - 1);
  return user + "@" + host;
}

namespace {

// A connection to spindled and who we are to it.
class Daemon {
 public:
  // Returns nullptr after printing why (exit code in `code`).
  static std::unique_ptr<Daemon> connect(int& code) {
    const RemoteOptions& o = remote_options();
    auto d = std::make_unique<Daemon>();
    d->address_ = o.address;
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
    bool ok = true;
    if (!o.tls_ca.empty()) {
      grpc::SslCredentialsOptions ssl;
      ssl.pem_root_certs = read_file(o.tls_ca, "--tls-ca", ok);
      if (!ok) return code = kExitUsage, nullptr;
      creds = grpc::SslCredentials(ssl);
    }
    // --token-file, else $SPINDLE_TOKEN_FILE (read here, not by CLI11, so
    // that the variable may stay set for commands that run in-process).
    std::string token_file = o.token_file;
    if (const char* env = std::getenv("SPINDLE_TOKEN_FILE"); token_file.empty() && env != nullptr) token_file = env;
    if (!token_file.empty()) {
      // The first line that is not blank or a comment: "NAME TOKEN" (as in
      // spindled's --token-file) or only the token.
      std::istringstream lines(read_file(token_file, "--token-file", ok));
      if (!ok) return code = kExitUsage, nullptr;
      for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string first, second;
        words >> first >> second;
        if (first.empty() || first[0] == '#') continue;
        d->token_ = second.empty() ? first : second;
        break;
      }
      if (d->token_.empty()) {
        std::cerr << "spindle: --token-file " << token_file << ": no token in it\n";
        return code = kExitUsage, nullptr;
      }
    }
    // Jobs belong to the client identity: the same across invocations, so
    // `spindle jobs` finds what an earlier command left.
    d->client_ = o.client;
    if (const char* env = std::getenv("SPINDLE_CLIENT"); d->client_.empty() && env != nullptr) d->client_ = env;
    if (d->client_.empty()) d->client_ = default_client_name();
    d->channel_ = grpc::CreateChannel(o.address, creds);
    // Fail fast on a refused or unresolvable address instead of retrying.
    const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);
    for (;;) {
      const grpc_connectivity_state s = d->channel_->GetState(true);
      if (s == GRPC_CHANNEL_READY) break;
      if (s == GRPC_CHANNEL_TRANSIENT_FAILURE || s == GRPC_CHANNEL_SHUTDOWN ||
          !d->channel_->WaitForStateChange(s, deadline)) {
        // gRPC does not say why; a plaintext client against a TLS port and
        // a certificate that does not name the address look like a refusal.
        const bool failed = s == GRPC_CHANNEL_TRANSIENT_FAILURE || s == GRPC_CHANNEL_SHUTDOWN;
        std::cerr << "spindle: cannot connect to spindled at " << o.address
                  << (!failed               ? " (timed out after 10 s)"
                      : o.tls_ca.empty()    ? " (refused; if it serves TLS, give --tls-ca)"
                                            : " (refused, or the TLS handshake failed: check --tls-ca and that the "
                                              "server's certificate names this address)")
                  << '\n';
        return code = kExitFailed, nullptr;
      }
    }
    d->stub_ = v1::Spindle::NewStub(d->channel_);
    return d;
  }

  void prepare(grpc::ClientContext& ctx) const {
    if (!token_.empty()) ctx.AddMetadata("authorization", "Bearer " + token_);
    else ctx.AddMetadata("spindle-client", client_);
  }
  // "spindle: spindled at ADDR: CODE: message" on stderr; exit code 1.
  int fail(const std::string& what, const grpc::Status& s) const {
    std::cerr << what << ": spindled at " << address_ << ": " << code_name(s.error_code()) << ": "
              << s.error_message() << '\n';
    return kExitFailed;
  }
  void delete_job(const std::string& job) const {
    grpc::ClientContext ctx;
    prepare(ctx);
    v1::DeleteJobRequest req;
    req.set_job_id(job);
    v1::DeleteJobResponse resp;
    const grpc::Status s = stub_->DeleteJob(&ctx, req, &resp);
    if (!s.ok()) fail("spindle: deleting " + job, s);
  }
  v1::Spindle::Stub& stub() const { return *stub_; }
  const std::string& address() const { return address_; }

 private:
  std::string address_, token_, client_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Spindle::Stub> stub_;
};

// Loads a network file (without validating it: the daemon does). Exit code 2
// and the loader's message when unreadable.
bool load(const std::string& path, v1::Network& net, int& code) {
  try {
    net = host::network::load_network(path);
    return true;
  } catch (const host::network::NetworkLoadError& e) {
    std::cerr << e.what() << '\n';
    code = kExitUsage;
    return false;
  }
}

// SubmitNetwork; on a daemon error prints it (validation errors in the
// in-process "file: path: message" form) and returns the exit code.
bool submit(const Daemon& d, const std::string& path, const v1::Network& net, v1::SubmitNetworkResponse& resp,
            int& code, const RemoteBackend& backend = {}) {
  grpc::ClientContext ctx;
  d.prepare(ctx);
  v1::SubmitNetworkRequest req;
  *req.mutable_network() = net;
  req.set_name(path);
  req.set_strict_weights(backend.strict_weights);
  if (backend.name != "native") {
    req.set_backend(backend.name);
    v1::QemuOptions* q = req.mutable_qemu();
    q->set_board(backend.board);
    q->mutable_slices()->Add(backend.qemu_slices.begin(), backend.qemu_slices.end());
    q->set_tick_timeout_ms(backend.qemu_timeout_ms);
  }
  const grpc::Status s = d.stub().SubmitNetwork(&ctx, req, &resp);
  // The daemon names fields from the request ("network.populations[0]...");
  // the CLI names them from the file's root.
  const auto file_path = [](const std::string& p) {
    const std::string prefix = "network.";
    return p.rfind(prefix, 0) == 0 ? p.substr(prefix.size()) : p;
  };
  if (s.ok()) {
    for (const auto& w : resp.warnings())
      std::cerr << path << ": " << file_path(w.path()) << ": warning: " << w.message() << '\n';
    return true;
  }
  code = kExitFailed;
  const auto& trailers = ctx.GetServerTrailingMetadata();
  const auto it = trailers.find("spindle-validation-errors-bin");
  v1::ValidationErrors errors;
  if (s.error_code() != grpc::INVALID_ARGUMENT || it == trailers.end() ||
      !errors.ParseFromArray(it->second.data(), static_cast<int>(it->second.size())) || errors.errors().empty()) {
    d.fail(path, s);
    return false;
  }
  for (const auto& e : errors.errors()) std::cerr << path << ": " << file_path(e.path()) << ": " << e.message() << '\n';
  std::cerr << path << ": " << errors.errors_size() << (errors.errors_size() == 1 ? " error" : " errors") << '\n';
  return false;
}

}  // namespace

RemoteOptions& remote_options() {
  static RemoteOptions options;
  return options;
}

bool remote_enabled() { return !remote_options().address.empty(); }

void add_remote_options(CLI::App& app) {
  RemoteOptions& o = remote_options();
  app.fallthrough();  // so the options may also follow the subcommand
  auto* connect = app.add_option("--connect", o.address,
                                 "Run validate, map, run and machine on a spindled at this address (HOST:PORT or "
                                 "unix:PATH) instead of in-process")
                      ->envname("SPINDLE_CONNECT");
  app.add_option("--token-file", o.token_file,
                 "With --connect: file with the bearer token (a spindled --token-file line \"NAME TOKEN\", or the "
                 "token); default $SPINDLE_TOKEN_FILE")
      ->needs(connect);
  app.add_option("--tls-ca", o.tls_ca, "With --connect: PEM root certificates; connects with TLS")->needs(connect);
  // $SPINDLE_CLIENT is read when connecting (Daemon::connect), not by CLI11:
  // set for a shell, it must not make in-process commands fail for want of --connect.
  app.add_option("--client", o.client,
                 "With --connect: the client name jobs are kept under (default $SPINDLE_CLIENT, else USER@HOST; with "
                 "a token, the token's name)")
      ->needs(connect);
}

int remote_validate(const std::string& path) {
  int code = kExitOk;
  v1::Network net;
  if (!load(path, net, code)) return code;
  const auto d = Daemon::connect(code);
  if (!d) return code;
  v1::SubmitNetworkResponse resp;
  if (!submit(*d, path, net, resp, code)) return code;
  d->delete_job(resp.job().job_id());
  uint64_t neurons = 0;
  for (const auto& p : net.populations()) neurons += p.size();
  std::cout << path << ": valid: " << net.populations_size() << " populations, " << neurons << " neurons, "
            << net.projections_size() << " projections\n";
  return kExitOk;
}

int remote_map(const std::string& path, const std::string& out) {
  int code = kExitOk;
  v1::Network net;
  if (!load(path, net, code)) return code;
  const auto d = Daemon::connect(code);
  if (!d) return code;
  v1::SubmitNetworkResponse resp;
  if (!submit(*d, path, net, resp, code)) return code;
  d->delete_job(resp.job().job_id());
  // The daemon sends it compact; reformatted as `spindle map` prints it.
  auto report = nlohmann::json::parse(resp.mapping_report_json(), nullptr, false);
  if (report.is_discarded()) {
    std::cerr << path << ": spindled at " << d->address() << " sent a mapping report that is not JSON\n";
    return kExitFailed;
  }
  // What the weights became is measured on the core images, which `spindle
  // map` does not build; `spindle run`'s mapping.json has it.
  report.erase("weight_quantization");
  return write_mapping_report(report.dump(2) + "\n", out, path);
}

int remote_jobs(const std::string& cancel, const std::string& remove) {
  int code = kExitOk;
  const auto d = Daemon::connect(code);
  if (!d) return code;
  for (const std::string& job : {cancel, remove}) {
    if (job.empty()) continue;
    grpc::ClientContext ctx;
    d->prepare(ctx);
    v1::CancelRequest req;
    req.set_job_id(job);
    v1::JobInfo info;
    // Delete cancels first: a running job cannot be deleted.
    const grpc::Status s = d->stub().Cancel(&ctx, req, &info);
    if (!s.ok()) return d->fail("spindle jobs: " + job, s);
    if (job == remove) {
      grpc::ClientContext del_ctx;
      d->prepare(del_ctx);
      v1::DeleteJobRequest del;
      del.set_job_id(job);
      v1::DeleteJobResponse resp;
      const grpc::Status ds = d->stub().DeleteJob(&del_ctx, del, &resp);
      if (!ds.ok()) return d->fail("spindle jobs: " + job, ds);
      std::cout << job << ": deleted\n";
    } else {
      std::cout << job << ": " << v1::JobState_Name(info.state()) << '\n';
    }
  }
  if (!cancel.empty() || !remove.empty()) return kExitOk;
  grpc::ClientContext ctx;
  d->prepare(ctx);
  v1::ListJobsResponse list;
  const grpc::Status s = d->stub().ListJobs(&ctx, v1::ListJobsRequest{}, &list);
  if (!s.ok()) return d->fail("spindle jobs", s);
  std::printf("%-10s %-14s %10s %8s %8s  %s\n", "job", "state", "ticks", "neurons", "cores", "name");
  for (const auto& j : list.jobs())
    std::printf("%-10s %-14s %10llu %8llu %8u  %s\n", j.job_id().c_str(), v1::JobState_Name(j.state()).c_str(),
                static_cast<unsigned long long>(j.ticks()), static_cast<unsigned long long>(j.neurons()), j.cores(),
                j.name().c_str());
  return kExitOk;
}

int remote_machine() {
  int code = kExitOk;
  const auto d = Daemon::connect(code);
  if (!d) return code;
  grpc::ClientContext ctx;
  d->prepare(ctx);
  v1::DescribeMachineResponse m;
  const grpc::Status s = d->stub().DescribeMachine(&ctx, v1::DescribeMachineRequest{}, &m);
  if (!s.ok()) return d->fail("spindle machine", s);
  std::cout << "machine " << m.machine() << " (spindled " << m.version() << " at " << d->address() << ")\n"
            << "  mesh:              " << m.width() << " x " << m.height() << ' '
            << (m.wraps() ? "torus (wraps around)" : "open mesh (no wrap-around)") << '\n'
            << "  chips alive:       " << m.chips() << " of " << m.width() * m.height() << " grid positions\n"
            << "  cores per chip:    " << m.cores_per_chip() << " (core 0 is the monitor)\n"
            << "  application cores: " << m.application_cores() << '\n'
            << "  per chip:          " << m.router_table_capacity() << " routing entries\n"
            << "  dead parts:        ";
  if (m.dead_chips() + m.dead_cores() + m.dead_links() == 0) std::cout << "none\n";
  else std::cout << m.dead_chips() << " chips, " << m.dead_cores() << " cores, " << m.dead_links() << " links\n";
  std::cout << "  backends:         ";
  for (const auto& b : m.backends()) std::cout << ' ' << b.name() << (b.available() ? "" : " (unavailable)");
  const auto& l = m.limits();
  std::cout << "\n  limits:            " << l.max_jobs() << " jobs, " << l.max_concurrent_runs() << " concurrent runs, "
            << l.max_neurons() << " neurons, " << l.max_synapses() << " synapses, " << l.max_run_ticks()
            << " ticks per run\n";
  return kExitOk;
}

namespace {

// The recordings regrouped by slice, in each core's recording order, so that
// write_recordings writes exactly what the in-process run writes.
struct SliceRange {
  uint32_t population, lo, hi;
};

uint16_t state_variable(v1::RecordVariable v) {
  switch (v) {
    case v1::GSYN_EXC: return static_cast<uint16_t>(fw::StateVariable::kGsynExc);
    case v1::GSYN_INH: return static_cast<uint16_t>(fw::StateVariable::kGsynInh);
    case v1::THRESHOLD: return static_cast<uint16_t>(fw::StateVariable::kThreshold);
    case v1::SEGMENT_SPIKES: return static_cast<uint16_t>(fw::StateVariable::kSegmentSpikes);
    default: return static_cast<uint16_t>(fw::StateVariable::kV);
  }
}

// The same provenance.json as the in-process run (results.cpp), plus where
// it ran ("daemon").
nlohmann::json provenance_json(const v1::RunFinal& f, double dt, const std::string& address, const std::string& job) {
  const v1::ProvenanceSummary& p = f.provenance();
  nlohmann::json drops = nlohmann::json::object();
  for (const auto& [reason, n] : p.fabric().dropped()) drops[reason] = n;
  nlohmann::json cores = nlohmann::json::array();
  for (const v1::CoreProvenance& c : p.per_core()) {
    nlohmann::json counters = nlohmann::json::object();
    for (const auto& [name, v] : c.counters()) counters[name] = v;
    cores.push_back({{"chip", {c.chip_x(), c.chip_y()}},
                     {"core", c.core()},
                     {"population", c.population()},
                     {"atoms", {c.lo_atom(), c.hi_atom()}},
                     {"provenance", counters}});
  }
  return {{"ticks", f.ticks_run()},
          {"timestep_ms", dt},
          {"wall_seconds", p.wall_seconds()},
          {"cpu_seconds", p.cpu_seconds()},
          {"routing_seconds", p.routing_seconds()},
          {"neuron_updates", p.neuron_updates()},
          {"synaptic_events", p.synaptic_events()},
          {"spikes", p.spikes()},
          {"fabric",
           {{"injected", p.fabric().injected()},
            {"delivered", p.fabric().delivered()},
            {"delivered_late", p.fabric().delivered_late()},
            {"copies", p.fabric().copies()},
            {"emergency_routed", p.fabric().emergency_routed()},
            {"dumped", p.fabric().dumped()},
            {"reinjected", p.fabric().reinjected()},
            {"pending", p.fabric().pending()},
            {"dropped", drops},
            {"balanced", p.fabric().balanced()}}},
          {"cores", cores},
          {"daemon", {{"address", address}, {"job", job}}}};
}

}  // namespace

int remote_run(const std::string& path, std::optional<double> duration_ms, std::optional<uint64_t> seed,
               const std::string& out, const RemoteBackend& backend) {
  int code = kExitOk;
  v1::Network net;
  if (!load(path, net, code)) return code;
  if (seed) net.mutable_run()->set_seed(*seed);
  const double dt = net.run().timestep_ms();
  const double duration = duration_ms ? *duration_ms : net.run().duration_ms();
  if (const auto t = host::network::duration_ticks(duration, dt); duration_ms && !t.error.empty()) {
    std::cerr << "spindle run: --duration: " << t.error << '\n';
    return kExitUsage;
  }
  if (duration <= 0) {
    std::cerr << "spindle run: a duration of 0 ms cannot be run with --connect (the daemon reads 0 as the "
                 "network's duration)\n";
    return kExitUsage;
  }
  if (const std::string problem = output_dir_problem(out); !problem.empty()) {
    std::cerr << "spindle run: --out " << out << ": " << problem << '\n';
    return kExitUsage;
  }
  // From here on Ctrl-C / SIGTERM never leaves a job behind: before the run
  // the job is deleted, during it the run is cancelled first (below).
  const InterruptGuard interrupt;
  const auto d = Daemon::connect(code);
  if (!d) return code;
  v1::SubmitNetworkResponse sub;
  if (!submit(*d, path, net, sub, code, backend)) return code;
  const std::string job = sub.job().job_id();
  struct DeleteAtEnd {
    const Daemon& d;
    std::string job;
    ~DeleteAtEnd() { d.delete_job(job); }
  } cleanup{*d, job};
  if (InterruptGuard::requested().load()) {
    std::cerr << "spindle run: " << signal_name(InterruptGuard::signal_number())
              << " before the run started; the job is deleted and nothing was written\n";
    return 128 + InterruptGuard::signal_number();
  }

  v1::RunFinal final_event;
  RunEnd end;
  {
    grpc::ClientContext ctx;
    d->prepare(ctx);
    v1::RunRequest req;
    req.set_job_id(job);
    req.set_duration_ms(duration);
    // Ctrl-C / SIGTERM: the daemon is asked to cancel the run; the stream
    // then ends with its final event, the recordings so far are fetched and
    // written (marked partial), and the job is deleted.
    std::atomic<bool> run_done{false};
    std::thread watcher([&] {
      while (!run_done.load() && !InterruptGuard::requested().load())
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (run_done.load()) return;
      grpc::ClientContext cancel_ctx;
      d->prepare(cancel_ctx);
      cancel_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      v1::CancelRequest cancel;
      cancel.set_job_id(job);
      v1::JobInfo info;
      if (!d->stub().Cancel(&cancel_ctx, cancel, &info).ok()) ctx.TryCancel();
    });
    auto reader = d->stub().Run(&ctx, req);
    Progress progress;
    v1::RunEvent e;
    struct JoinWatcher {
      std::atomic<bool>& done;
      std::thread& t;
      ~JoinWatcher() {
        done.store(true);
        t.join();
      }
    } join_watcher{run_done, watcher};
    while (reader->Read(&e)) {
      // Spikes come back complete with GetRecordings; the stream may drop.
      if (e.has_progress())
        progress(static_cast<uint32_t>(e.progress().ticks_done()), static_cast<uint32_t>(e.progress().ticks_total()));
      else if (e.has_queued())  // the daemon runs its maximum of jobs: say why nothing moves
        std::cerr << "spindle: " << path << ": waiting for a run slot on spindled, place " << e.queued().position()
                  << " in line\n";
      else if (e.has_final())
        final_event = e.final();
    }
    const grpc::Status s = reader->Finish();
    if (InterruptGuard::requested().load() && final_event.status() == v1::RUN_CANCELLED) {
      end.ticks_requested = static_cast<uint64_t>(std::llround(duration / dt));
      end.stopped_by = signal_name(InterruptGuard::signal_number());
    } else if (!s.ok()) {
      return d->fail(path + ": run", s);
    }
  }

  std::vector<std::vector<SpikeSample>> spikes(static_cast<size_t>(net.populations_size()));
  std::vector<std::vector<StateSample>> states(spikes.size());
  {
    grpc::ClientContext ctx;
    d->prepare(ctx);
    v1::GetRecordingsRequest req;
    req.set_job_id(job);
    auto reader = d->stub().GetRecordings(&ctx, req);
    v1::RecordingsChunk c;
    while (reader->Read(&c)) {
      if (c.has_spikes()) {
        const auto& b = c.spikes();
        if (b.population_index() >= spikes.size()) continue;
        auto& to = spikes[b.population_index()];
        for (int i = 0; i < b.neuron_ids_size() && i < b.ticks_size(); ++i) to.push_back({b.ticks(i), b.neuron_ids(i)});
      } else if (c.has_state()) {
        const auto& b = c.state();
        if (b.population_index() >= states.size()) continue;
        auto& to = states[b.population_index()];
        const uint16_t var = state_variable(b.variable());
        for (int i = 0; i < b.neuron_ids_size() && i < b.ticks_size() && i < b.values_size(); ++i)
          to.push_back({b.ticks(i), b.neuron_ids(i), var, b.values(i)});
      }
    }
    const grpc::Status s = reader->Finish();
    if (!s.ok()) return d->fail(path + ": recordings", s);
  }
  // The plastic projections' final weights, as the in-process run writes them.
  std::vector<host::ProjectionWeights> weights;
  if (std::any_of(net.projections().begin(), net.projections().end(),
                  [](const v1::Projection& p) { return p.synapse_dynamics().has_stdp(); })) {
    grpc::ClientContext ctx;
    d->prepare(ctx);
    v1::GetWeightsRequest req;
    req.set_job_id(job);
    auto reader = d->stub().GetWeights(&ctx, req);
    v1::WeightsChunk c;
    std::map<uint32_t, host::ProjectionWeights> by_projection;
    while (reader->Read(&c)) {
      if (c.projection_index() >= static_cast<uint32_t>(net.projections_size())) continue;
      host::ProjectionWeights& w = by_projection[c.projection_index()];
      w.projection = c.projection_index();
      for (int i = 0; i < c.pre_size() && i < c.post_size() && i < c.weight_size(); ++i) {
        w.pre.push_back(c.pre(i));
        w.post.push_back(c.post(i));
        w.weight.push_back(c.weight(i));
      }
    }
    const grpc::Status s = reader->Finish();
    if (!s.ok()) return d->fail(path + ": weights", s);
    for (auto& [e, w] : by_projection) weights.push_back(std::move(w));
  }

  const auto report = nlohmann::json::parse(sub.mapping_report_json(), nullptr, false);
  std::vector<SliceRange> slices;
  if (!report.is_discarded() && report.contains("slices"))
    for (const auto& s : report["slices"])
      slices.push_back({s["population"].get<uint32_t>(), s["atoms"][0].get<uint32_t>(), s["atoms"][1].get<uint32_t>()});
  if (slices.empty()) {
    std::cerr << path << ": spindled at " << d->address() << " sent a mapping report without slices\n";
    return kExitFailed;
  }
  // A core records spikes by tick then neuron, state by tick, neuron, variable.
  auto fill = [&](size_t i, CoreRecording& core) {
    const SliceRange& r = slices[i];
    core.population = r.population;
    if (r.population >= spikes.size()) return;
    for (const SpikeSample& s : spikes[r.population])
      if (s.neuron >= r.lo && s.neuron < r.hi) core.spikes.push_back(s);
    for (const StateSample& s : states[r.population])
      if (s.neuron >= r.lo && s.neuron < r.hi) core.states.push_back(s);
    std::stable_sort(core.states.begin(), core.states.end(), [](const StateSample& a, const StateSample& b) {
      return std::tie(a.tick, a.neuron, a.variable) < std::tie(b.tick, b.neuron, b.variable);
    });
  };
  try {
    nlohmann::json provenance = provenance_json(final_event, dt, d->address(), job);
    mark_run_end(provenance, end);
    const auto summary =
        write_recordings(out, net, slices.size(), fill, final_event.ticks_run(), provenance, report, end, path, weights);
    const v1::ProvenanceSummary& p = final_event.provenance();
    RunSummary r;
    r.network = path;
    r.duration_ms = duration;
    r.ticks = final_event.ticks_run();
    r.timestep_ms = dt;
    r.machine = sub.job().machine();
    r.cores = slices.size();
    r.synapses = sub.job().synapses();
    r.wall_seconds = p.wall_seconds();
    r.backend_line = "daemon: spindled at " + d->address() + ", " + job;
    if (sub.job().backend() == "qemu")  // the in-process line first, as `spindle run --backend qemu` prints it
      r.backend_line = "backend qemu: " + std::to_string(sub.job().qemu_cores()) + " of " +
                       std::to_string(slices.size()) + " cores ran as " + sub.job().board() + " images under QEMU\n" +
                       r.backend_line;
    for (const auto& [reason, n] : p.fabric().dropped()) r.router_drops += n;
    r.core_drops = p.cores().input_queue_overflows() + p.cores().packets_send_failed() +
                   p.cores().spike_records_dropped() + p.cores().state_records_dropped();
    r.out = out;
    if (!end.stopped_by.empty()) {
      r.duration_ms = static_cast<double>(final_event.ticks_run()) * dt;
      r.backend_line += "\nstopped by " + end.stopped_by + " after " + std::to_string(final_event.ticks_run()) +
                        " of " + std::to_string(end.ticks_requested) +
                        " ticks: the results are partial (run.json and provenance.json say so)";
    }
    print_run_summary(r, summary);
  } catch (const std::exception& e) {
    std::cerr << path << ": writing the results failed: " << e.what() << '\n';
    return kExitFailed;
  }
  if (!end.stopped_by.empty()) return 128 + InterruptGuard::signal_number();
  return kExitOk;
}

}  // namespace spindle::cli
