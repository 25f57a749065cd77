// Streaming benchmark (issue 5): spike events per second that spindled
// streams to one local client and to 8 concurrent clients, and the latency
// a spike adds on its way to a client, over real gRPC on loopback.
//
// The network is one population of Poisson sources recording spikes (no
// synapses: the work is in producing, recording and streaming spikes).
// Baseline, measured in the same run: the in-process engine running the
// same network without any daemon or streaming, with the daemon's engine
// threads; its spike count must equal what each client receives.
//
//  - 1 client: one Run stream; spikes received / wall time of the call.
//  - 8 clients, 8 jobs: 8 channels (own TCP connections), each submits and
//    runs its own copy at once (spindled started with --max-runs 8).
//  - 8 clients, 1 job: one Run plus 7 Watch streams of the same run.
//  - latency: a real-time job (ticks paced to the wall clock); for each
//    spike batch, arrival time minus the wall-clock end of its last tick,
//    the run's start taken as RunStarted's arrival (so the figure leaves out
//    RunStarted's own delivery time, a fraction of the call's round trip,
//    which is printed too). Spikes early in a chunk wait up to chunk-1 more
//    ticks on top: the chunk size bounds that part.
//
// Usage: stream_bench [--spindled PATH | --connect ADDR] [--sources N]
//          [--rate HZ] [--ticks N] [--chunk-ticks N] [--clients N]
//          [--engine-threads N] [--latency-sources N] [--latency-ticks N]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "engine/engine.h"
#include "machine/machine.h"
#include "mapping/core_images.h"
#include "mapping/from_network.h"
#include "mapping/pipeline.h"
#include "spindle/v1/service.grpc.pb.h"
#include "support/spindled_process.h"

using namespace spindle;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string spindled = SPINDLED_BIN;
  std::string connect;
  uint32_t sources = 100000;
  double rate_hz = 200;
  uint32_t ticks = 1000;
  uint32_t chunk_ticks = 10;
  uint32_t clients = 8;
  uint32_t engine_threads = 1;
  uint32_t latency_sources = 10000;
  uint32_t latency_ticks = 2000;
};

constexpr double kTimestepMs = 1.0;
constexpr const char* kIdentity = "stream-bench";  // one owner, so Watch may join

v1::Network poisson_network(uint32_t sources, double rate_hz, uint32_t ticks) {
  v1::Network net;
  net.mutable_run()->set_timestep_ms(kTimestepMs);
  net.mutable_run()->set_duration_ms(ticks * kTimestepMs);
  net.mutable_run()->set_seed(5);
  v1::Population* p = net.add_populations();
  p->set_label("poisson");
  p->set_size(sources);
  p->mutable_spike_source_poisson()->mutable_rate()->set_constant(rate_hz);
  v1::Recording* r = net.add_recordings();
  r->set_population("poisson");
  r->add_variables(v1::SPIKES);
  return net;
}

struct EngineRun {
  uint64_t spikes = 0;
  double seconds = 0;
};

// The baseline: map, load and run in this process, as `spindle run` does.
EngineRun run_in_process(const v1::Network& net, uint32_t ticks, unsigned threads) {
  const auto machine = emu::machine_from_shape("48");
  const host::ApplicationGraph graph = host::graph_from_network(net);
  host::MappingOptions options;
  options.cost = host::cost_model_for(net);
  options.place.seed = net.run().seed();
  const host::MappingResult mapping = host::map_graph(graph, machine, options);
  const host::MachineLoad load = host::build_machine_load(net, graph, mapping, nullptr, threads);
  emu::EngineConfig config;
  config.threads = threads;
  config.tick_period_us = static_cast<uint32_t>(kTimestepMs * 1000);
  emu::Engine engine(machine, config);
  host::load_into(engine, load);
  const auto t0 = Clock::now();
  engine.run(ticks);
  EngineRun r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (const auto& slot : engine.cores()) r.spikes += slot->spikes.size();
  return r;
}

std::shared_ptr<grpc::Channel> own_channel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // its own TCP connection
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

void identify(grpc::ClientContext& ctx) { ctx.AddMetadata("spindle-client", kIdentity); }

std::string submit(v1::Spindle::Stub& stub, const v1::Network& net, bool real_time) {
  grpc::ClientContext ctx;
  identify(ctx);
  v1::SubmitNetworkRequest req;
  *req.mutable_network() = net;
  req.set_name("stream_bench");
  req.set_real_time(real_time);
  v1::SubmitNetworkResponse resp;
  const grpc::Status s = stub.SubmitNetwork(&ctx, req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "stream_bench: SubmitNetwork: %s\n", s.error_message().c_str());
    std::exit(1);
  }
  return resp.job().job_id();
}

void delete_job(v1::Spindle::Stub& stub, const std::string& job) {
  grpc::ClientContext ctx;
  identify(ctx);
  v1::DeleteJobRequest req;
  req.set_job_id(job);
  v1::DeleteJobResponse resp;
  stub.DeleteJob(&ctx, req, &resp);
}

struct StreamResult {
  bool ok = false;
  std::string error;
  uint64_t spikes = 0, batches = 0, bytes = 0;
  double seconds = 0;          // from the call to the last event
  double started_rtt_ms = 0;   // call -> RunStarted received
  v1::RunFinal final;
  std::vector<double> latency_ms;  // per spike batch (latency runs)
  double last_latency_ms = 0;      // of the run's last batch
};

// Reads a Run or Watch stream to its end. With `latency`, also times every
// spike batch against the wall-clock end of its last tick.
StreamResult read_stream(grpc::ClientReader<v1::RunEvent>& reader, Clock::time_point call, bool latency) {
  StreamResult r;
  v1::RunEvent e;
  Clock::time_point started{};
  uint64_t first_tick = 0;
  bool have_start = false;
  while (reader.Read(&e)) {
    const auto now = Clock::now();
    switch (e.event_case()) {
      case v1::RunEvent::kStarted:
        started = now;
        have_start = true;
        first_tick = e.started().first_tick();
        r.started_rtt_ms = std::chrono::duration<double, std::milli>(now - call).count();
        break;
      case v1::RunEvent::kSpikes:
        r.spikes += static_cast<uint64_t>(e.spikes().neuron_ids_size());
        ++r.batches;
        r.bytes += e.ByteSizeLong();
        if (latency && have_start) {
          const double due_ms = static_cast<double>(e.spikes().to_tick() - first_tick) * kTimestepMs;
          const double ms = std::chrono::duration<double, std::milli>(now - started).count() - due_ms;
          r.latency_ms.push_back(ms);
          r.last_latency_ms = ms;
        }
        break;
      case v1::RunEvent::kFinal: r.final = e.final(); break;
      default: break;
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - call).count();
  const grpc::Status s = reader.Finish();
  r.ok = s.ok() && r.final.status() == v1::RUN_COMPLETED;
  if (!s.ok()) r.error = "status " + std::to_string(s.error_code()) + ": " + s.error_message();
  else if (!r.ok) r.error = "run " + v1::RunStatus_Name(r.final.status()) + ": " + r.final.message();
  return r;
}

StreamResult run_stream(v1::Spindle::Stub& stub, const std::string& job, uint32_t ticks, uint32_t chunk,
                        bool latency = false) {
  grpc::ClientContext ctx;
  identify(ctx);
  v1::RunRequest req;
  req.set_job_id(job);
  req.set_duration_ms(ticks * kTimestepMs);
  req.set_chunk_ticks(chunk);
  const auto call = Clock::now();
  auto reader = stub.Run(&ctx, req);
  return read_stream(*reader, call, latency);
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5));
  return v[i];
}

void print_stream(const char* what, const StreamResult& r, const EngineRun& base) {
  const double rate = static_cast<double>(r.spikes) / r.seconds;
  std::printf("%-34s %12llu %8.3f %12.3g %9.2f %8.1f %s\n", what, static_cast<unsigned long long>(r.spikes), r.seconds,
              rate, rate / (static_cast<double>(base.spikes) / base.seconds),
              static_cast<double>(r.bytes) / r.seconds / 1e6,
              r.ok ? (r.final.stream_drops().dropped_spikes() ? "DROPS" : "ok") : r.error.c_str());
  if (r.ok && r.spikes != base.spikes && r.final.stream_drops().dropped_spikes() == 0)
    std::printf("  !! received %llu spikes, the in-process engine recorded %llu\n",
                static_cast<unsigned long long>(r.spikes), static_cast<unsigned long long>(base.spikes));
  if (r.final.stream_drops().dropped_spikes())
    std::printf("  stream dropped %llu spikes in %llu batches (daemon flow control)\n",
                static_cast<unsigned long long>(r.final.stream_drops().dropped_spikes()),
                static_cast<unsigned long long>(r.final.stream_drops().dropped_batches()));
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    auto u32 = [&](uint32_t& v) { v = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10)); };
    if (a == "--spindled" && has_value) o.spindled = argv[++i];
    else if (a == "--connect" && has_value) o.connect = argv[++i];
    else if (a == "--sources" && has_value) u32(o.sources);
    else if (a == "--rate" && has_value) o.rate_hz = std::strtod(argv[++i], nullptr);
    else if (a == "--ticks" && has_value) u32(o.ticks);
    else if (a == "--chunk-ticks" && has_value) u32(o.chunk_ticks);
    else if (a == "--clients" && has_value) u32(o.clients);
    else if (a == "--engine-threads" && has_value) u32(o.engine_threads);
    else if (a == "--latency-sources" && has_value) u32(o.latency_sources);
    else if (a == "--latency-ticks" && has_value) u32(o.latency_ticks);
    else {
      std::fprintf(stderr, "stream_bench: unknown or incomplete argument '%s'\n", a.c_str());
      return false;
    }
  }
  if (o.sources == 0 || o.ticks == 0 || o.chunk_ticks == 0 || o.clients == 0 || o.engine_threads == 0 ||
      o.rate_hz <= 0) {
    std::fprintf(stderr, "stream_bench: sizes, ticks, chunk, clients, threads and rate must be > 0\n");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: stream_bench [--spindled PATH | --connect ADDR] [--sources N] [--rate HZ] [--ticks N] "
                 "[--chunk-ticks N] [--clients N] [--engine-threads N] [--latency-sources N] [--latency-ticks N]\n");
    return 2;
  }
  const v1::Network net = poisson_network(o.sources, o.rate_hz, o.ticks);
  std::printf("network: %u Poisson sources at %g Hz, %u ticks of %g ms, spikes recorded; chunk %u ticks; "
              "%u engine thread(s); %u hardware threads\n",
              o.sources, o.rate_hz, o.ticks, kTimestepMs, o.chunk_ticks, o.engine_threads,
              std::thread::hardware_concurrency());

  const EngineRun base = run_in_process(net, o.ticks, o.engine_threads);

  spindle::testing::SpindledProcess daemon;
  std::string address = o.connect;
  if (address.empty()) {
    const std::string log = "/tmp/stream_bench_spindled_" + std::to_string(::getpid()) + ".log";
    const std::string problem =
        daemon.start(o.spindled, log,
                     {"--max-runs", std::to_string(o.clients), "--engine-threads", std::to_string(o.engine_threads),
                      "--max-jobs", std::to_string(std::max<uint32_t>(64, 2 * o.clients)),
                      // The benchmark's clients share one identity: the
                      // per-client shares must hold all of them.
                      "--max-runs-per-client", std::to_string(o.clients),
                      "--max-jobs-per-client", std::to_string(std::max<uint32_t>(64, 2 * o.clients))});
    if (!problem.empty()) {
      std::fprintf(stderr, "stream_bench: %s\n", problem.c_str());
      return 1;
    }
    address = daemon.address();
    std::remove(log.c_str());
  }
  std::printf("daemon: %s\n\n", address.c_str());
  std::printf("%-34s %12s %8s %12s %9s %8s %s\n", "configuration", "spikes", "wall s", "spikes/s", "x engine",
              "MB/s", "");
  std::printf("%-34s %12llu %8.3f %12.3g %9.2f %8s %s\n", "in-process engine (baseline)",
              static_cast<unsigned long long>(base.spikes), base.seconds,
              static_cast<double>(base.spikes) / base.seconds, 1.0, "-", "");

  // 1 client.
  {
    auto channel = own_channel(address);
    auto stub = v1::Spindle::NewStub(channel);
    const std::string job = submit(*stub, net, false);
    const StreamResult r = run_stream(*stub, job, o.ticks, o.chunk_ticks);
    print_stream("1 client", r, base);
    delete_job(*stub, job);
  }

  // N clients, N jobs at once.
  {
    std::vector<std::unique_ptr<v1::Spindle::Stub>> stubs;
    std::vector<std::string> jobs;
    for (uint32_t c = 0; c < o.clients; ++c) {
      stubs.push_back(v1::Spindle::NewStub(own_channel(address)));
      jobs.push_back(submit(*stubs.back(), net, false));
    }
    std::vector<StreamResult> results(o.clients);
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    for (uint32_t c = 0; c < o.clients; ++c)
      threads.emplace_back([&, c] { results[c] = run_stream(*stubs[c], jobs[c], o.ticks, o.chunk_ticks); });
    for (auto& t : threads) t.join();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    StreamResult total;
    total.ok = true;
    total.seconds = wall;
    total.final.mutable_stream_drops();
    for (uint32_t c = 0; c < o.clients; ++c) {
      total.spikes += results[c].spikes;
      total.bytes += results[c].bytes;
      if (!results[c].ok) {
        total.ok = false;
        total.error = results[c].error;
      }
      auto* d = total.final.mutable_stream_drops();
      d->set_dropped_spikes(d->dropped_spikes() + results[c].final.stream_drops().dropped_spikes());
      d->set_dropped_batches(d->dropped_batches() + results[c].final.stream_drops().dropped_batches());
    }
    EngineRun all = base;
    all.spikes = base.spikes * o.clients;  // N copies of the same spikes
    const std::string label = std::to_string(o.clients) + " clients, " + std::to_string(o.clients) + " jobs (sum)";
    print_stream(label.c_str(), total, all);
    for (uint32_t c = 0; c < o.clients; ++c) {
      if (results[c].spikes != base.spikes && results[c].final.stream_drops().dropped_spikes() == 0)
        std::printf("  !! client %u received %llu spikes, expected %llu\n", c,
                    static_cast<unsigned long long>(results[c].spikes),
                    static_cast<unsigned long long>(base.spikes));
      delete_job(*stubs[c], jobs[c]);
    }
  }

  // N clients on one run: 1 Run + N-1 Watch streams.
  if (o.clients > 1) {
    std::vector<std::unique_ptr<v1::Spindle::Stub>> stubs;
    for (uint32_t c = 0; c < o.clients; ++c) stubs.push_back(v1::Spindle::NewStub(own_channel(address)));
    const std::string job = submit(*stubs[0], net, false);
    std::vector<StreamResult> results(o.clients);
    std::atomic<bool> running{false};
    // The watchers join once the run is on: the runner's stream is read in
    // a thread that flags RunStarted.
    grpc::ClientContext run_ctx;
    identify(run_ctx);
    v1::RunRequest req;
    req.set_job_id(job);
    req.set_duration_ms(o.ticks * kTimestepMs);
    req.set_chunk_ticks(o.chunk_ticks);
    const auto t0 = Clock::now();
    auto run_reader = stubs[0]->Run(&run_ctx, req);
    std::vector<std::thread> threads;
    threads.emplace_back([&] {
      // read_stream cannot signal mid-stream; the first event is RunStarted.
      v1::RunEvent first;
      if (run_reader->Read(&first)) running = true;
      results[0] = read_stream(*run_reader, t0, false);
      running = true;
    });
    while (!running) std::this_thread::sleep_for(std::chrono::microseconds(100));
    for (uint32_t c = 1; c < o.clients; ++c)
      threads.emplace_back([&, c] {
        grpc::ClientContext ctx;
        identify(ctx);
        v1::WatchRequest w;
        w.set_job_id(job);
        const auto call = Clock::now();
        auto reader = stubs[c]->Watch(&ctx, w);
        results[c] = read_stream(*reader, call, false);
      });
    for (auto& t : threads) t.join();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    uint64_t delivered = 0, dropped = 0;
    double min_rate = 1e300, max_rate = 0;
    for (uint32_t c = 0; c < o.clients; ++c) {
      const StreamResult& r = results[c];
      if (!r.ok) std::printf("  stream %u: %s\n", c, r.error.c_str());
      delivered += r.spikes;
      dropped += r.final.stream_drops().dropped_spikes();
      const double rate = static_cast<double>(r.spikes) / r.seconds;
      min_rate = std::min(min_rate, rate);
      max_rate = std::max(max_rate, rate);
    }
    std::printf("%-34s %12llu %8.3f %12.3g %9.2f %8s %s\n",
                (std::to_string(o.clients) + " clients, 1 job (Run+Watch)").c_str(),
                static_cast<unsigned long long>(delivered), wall, static_cast<double>(delivered) / wall,
                static_cast<double>(delivered) / wall / (static_cast<double>(base.spikes) / base.seconds), "-",
                dropped ? "DROPS" : "ok");
    std::printf("  per stream %.3g .. %.3g spikes/s; the runner's stream got %llu of %llu spikes; "
                "watchers join after RunStarted and miss what came before; %llu dropped by flow control\n",
                min_rate, max_rate, static_cast<unsigned long long>(results[0].spikes),
                static_cast<unsigned long long>(base.spikes), static_cast<unsigned long long>(dropped));
    delete_job(*stubs[0], job);
  }

  // Latency on a real-time run, chunk 1 and the configured chunk.
  std::printf("\nlatency: real-time run of %u Poisson sources at %g Hz, %u ticks of %g ms; per spike batch, "
              "arrival minus the wall-clock end of its last tick\n",
              o.latency_sources, o.rate_hz, o.latency_ticks, kTimestepMs);
  std::printf("%-12s %10s %10s %10s %10s %10s %12s %s\n", "chunk ticks", "batches", "p50 ms", "p99 ms", "max ms",
              "last ms", "RunStarted", "");
  const v1::Network small = poisson_network(o.latency_sources, o.rate_hz, o.latency_ticks);
  for (uint32_t chunk : {1u, o.chunk_ticks}) {
    auto stub = v1::Spindle::NewStub(own_channel(address));
    const std::string job = submit(*stub, small, true);
    const StreamResult r = run_stream(*stub, job, o.latency_ticks, chunk, true);
    std::printf("%-12u %10llu %10.3f %10.3f %10.3f %10.3f %9.3f ms %s (late ticks %u)\n", chunk,
                static_cast<unsigned long long>(r.batches), percentile(r.latency_ms, 0.5),
                percentile(r.latency_ms, 0.99), percentile(r.latency_ms, 1.0), r.last_latency_ms, r.started_rtt_ms,
                r.ok ? "ok" : r.error.c_str(), r.final.provenance().late_ticks());
    delete_job(*stub, job);
  }
  return 0;
}
