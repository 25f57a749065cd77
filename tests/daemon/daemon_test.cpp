// End-to-end tests of spindled: the real binary on a loopback port, driven
// over gRPC with the generated C++ stub. Spikes streamed by the daemon are
// compared with an in-process run of the same network (the stages of
// `spindle run`), bit for bit.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include <google/protobuf/text_format.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <future>

#include "daemon_client.h"
#include "daemon_process.h"
#include "engine/engine.h"
#include "mapping/core_images.h"
#include "mapping/from_network.h"
#include "mapping/pipeline.h"
#include "network/load.h"
#include "spindle/v1/service.grpc.pb.h"

namespace spindle {
namespace {

using namespace test;

// The stages of `spindle run`, in process, on the daemon's default machine.
Spikes reference_run(const v1::Network& net, uint32_t ticks) {
  const emu::MachineDescription machine = emu::machine_from_shape("48");
  host::MappingOptions options;
  options.cost = host::cost_model_for(net);
  options.place.seed = net.run().seed();
  const host::ApplicationGraph graph = host::graph_from_network(net);
  const host::MappingResult mapping = host::map_graph(graph, machine, options);
  const host::MachineLoad load = host::build_machine_load(net, graph, mapping);
  emu::Engine engine(machine, {});
  host::load_into(engine, load);
  engine.run(ticks);
  Spikes out;
  for (const host::CoreLoad& c : load.cores) {
    const host::Slice& slice = mapping.partition.slices[c.slice];
    const std::string& label = net.populations(static_cast<int>(slice.vertex)).label();
    for (const fw::SpikeRecord& s : engine.find({c.chip, c.core})->spikes)
      out[label].push_back({s.tick, slice.lo_atom + s.neuron});
  }
  for (auto& [label, v] : out) std::sort(v.begin(), v.end());
  return out;
}

TEST(Daemon, StreamsTheSameSpikesAsAnInProcessRun) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  const v1::Network net = tiny();
  const std::string job = submit(*stub, "ada", net);
  ASSERT_FALSE(job.empty());
  // Two runs continue one another, like one run of the whole duration.
  const Streamed first = run(*stub, "ada", job, 120, 7);
  const Streamed second = run(*stub, "ada", job, 80, 0);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  EXPECT_TRUE(first.started);
  EXPECT_EQ(first.final_event.status(), v1::RUN_COMPLETED);
  EXPECT_EQ(second.final_event.job_tick(), 200u);
  EXPECT_EQ(second.final_event.provenance().ticks(), 200u);

  Spikes streamed = first.spikes;
  for (const auto& [label, v] : second.spikes) streamed[label].insert(streamed[label].end(), v.begin(), v.end());
  const Spikes expected = reference_run(net, 200);
  ASSERT_FALSE(expected.at("neurons").empty());
  EXPECT_EQ(streamed, expected);

  // GetRecordings gives the same spikes, in small chunks.
  v1::GetRecordingsRequest req;
  req.set_job_id(job);
  req.set_spikes(true);
  req.set_max_per_chunk(50);
  auto ctx = as("ada");
  auto reader = stub->GetRecordings(ctx.get(), req);
  Spikes recorded;
  v1::RecordingsChunk chunk;
  int chunks = 0;
  while (reader->Read(&chunk)) {
    ++chunks;
    ASSERT_TRUE(chunk.has_spikes());
    EXPECT_LE(chunk.spikes().neuron_ids_size(), 50);
    auto& v = recorded[chunk.spikes().population()];
    for (int i = 0; i < chunk.spikes().neuron_ids_size(); ++i)
      v.push_back({chunk.spikes().ticks(i), chunk.spikes().neuron_ids(i)});
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_GT(chunks, 1);
  for (auto& [label, v] : recorded) std::sort(v.begin(), v.end());
  for (auto it = recorded.begin(); it != recorded.end();)
    it = it->second.empty() ? recorded.erase(it) : std::next(it);
  EXPECT_EQ(recorded, expected);
  EXPECT_EQ(job_info(*stub, "ada", job).recorded_spikes(), first.received + second.received);
}

// GetWeights: the plastic weights after a Run and between two Runs of one
// job (PyNN's get() between run() calls); reading them changes nothing (a
// run read in the middle ends with the weights of one read only at the end);
// unknown and static projections are INVALID_ARGUMENT.
std::vector<double> get_weights(Stub& stub, const std::string& job, uint64_t* tick = nullptr,
                                grpc::Status* status = nullptr, const std::string& projection = "") {
  v1::GetWeightsRequest req;
  req.set_job_id(job);
  req.set_max_per_chunk(300);
  if (!projection.empty()) req.add_projections(projection);
  auto ctx = as("ada");
  auto reader = stub.GetWeights(ctx.get(), req);
  std::vector<double> w;
  v1::WeightsChunk c;
  uint32_t last_pre = 0;
  while (reader->Read(&c)) {
    EXPECT_LE(c.weight_size(), 300);
    EXPECT_EQ(c.projection(), "inputs->neuron");
    for (int i = 0; i < c.weight_size(); ++i) {
      EXPECT_GE(c.pre(i), last_pre);  // PyNN's list order
      last_pre = c.pre(i);
      w.push_back(c.weight(i));
    }
    if (tick) *tick = c.tick();
  }
  const grpc::Status s = reader->Finish();
  if (status) *status = s;
  else EXPECT_TRUE(s.ok()) << s.error_message();
  return w;
}

TEST(Daemon, ServesPlasticWeightsBetweenRuns) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  // Spike-array inputs and a drive, so that no pair is lost to the post
  // history's bound (with stdp_pairs_missed > 0 an earlier read saves pairs a
  // later pre spike would lose: docs/network-format.md, "Post-spike history").
  const v1::Network net = host::network::parse_network(R"(run { timestep_ms: 1.0 duration_ms: 1000 }
populations { label: "inputs" size: 20 spike_source_array { shared { times: [5, 90, 170, 260, 330, 420, 510, 600, 690, 770, 860, 950] } } }
populations { label: "drive" size: 1 spike_source_array { shared { times: [40, 100, 175, 250, 340, 460, 520, 640, 700, 800, 900] } } }
populations { label: "neuron" size: 1 if_curr_exp { tau_refrac { constant: 2 } } }
projections { pre: "drive" post: "neuron" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 5 } }
projections { label: "inputs->neuron" pre: "inputs" post: "neuron" receptor: EXCITATORY connector { all_to_all {} }
  weight { random { uniform { low: 0.1 high: 0.5 } } } delay { constant: 3 }
  synapse_dynamics { stdp { timing_dependence { A_plus: 0.05 A_minus: 0.06 } additive { w_min: 0 w_max: 1 } } } }
recordings { population: "neuron" variables: [SPIKES] }
)", host::network::NetworkFormat::kText, "plastic");
  const std::string read_between = submit(*stub, "ada", net), read_at_end = submit(*stub, "ada", net);
  ASSERT_TRUE(run(*stub, "ada", read_between, 500).status.ok());
  uint64_t tick = 0;
  const std::vector<double> mid = get_weights(*stub, read_between, &tick);
  EXPECT_EQ(tick, 500u);
  ASSERT_EQ(mid.size(), 20u);
  ASSERT_TRUE(run(*stub, "ada", read_between, 500).status.ok());
  const std::vector<double> end = get_weights(*stub, read_between, &tick, nullptr, "inputs->neuron");
  EXPECT_EQ(tick, 1000u);
  EXPECT_NE(mid, end) << "no weight changed in the second run";
  ASSERT_TRUE(run(*stub, "ada", read_at_end, 1000).status.ok());
  EXPECT_EQ(get_weights(*stub, read_at_end), end);

  grpc::Status s;
  get_weights(*stub, read_between, nullptr, &s, "nope");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("projections[0]: no projection \"nope\""), std::string::npos) << s.error_message();
  const std::string static_job = submit(*stub, "ada", tiny());
  v1::GetWeightsRequest req;
  req.set_job_id(static_job);
  req.add_projections(tiny().projections(0).label().empty() ? "projections[0]" : tiny().projections(0).label());
  auto ctx = as("ada");
  auto reader = stub->GetWeights(ctx.get(), req);
  v1::WeightsChunk c;
  EXPECT_FALSE(reader->Read(&c));
  const grpc::Status st = reader->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("has static synapses"), std::string::npos) << st.error_message();
}

// SetMode: a neuron mode switched live between two Runs (and one scheduled
// ahead for a later tick) gives the spikes of the same switches written in
// the network file; bad requests name their field.
TEST(Daemon, SetModeEqualsTheSwitchInTheNetworkFile) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  const std::string text = R"(run { timestep_ms: 1.0 duration_ms: 300 seed: 3 }
populations { label: "in" size: 30 spike_source_poisson { rate { constant: 40 } } }
populations { label: "cells" size: 100 if_curr_exp { tau_refrac { constant: 2 } v_thresh { constant: -55 } } }
projections { pre: "in" post: "cells" receptor: EXCITATORY connector { fixed_probability { p: 0.3 } } weight { constant: 0.6 } }
recordings { population: "cells" variables: [SPIKES] }
)";
  const std::string switches = R"(
mode_switches { at_ms: 100 population: "cells" neuron_ids: [1, 2, 3, 50, 51, 99] threshold_offset: -3 gain: 1.5 }
mode_switches { at_ms: 200 population: "cells" gain: 0.5 })";
  const std::string live = submit(*stub, "cy", parse(text)), in_file = submit(*stub, "cy", parse(text + switches));
  const Streamed first = run(*stub, "cy", live, 100);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  auto set_mode = [&](const std::string& job, const std::string& population, std::vector<uint32_t> ids, double offset,
                      std::optional<double> gain, std::optional<uint64_t> tick, v1::SetModeResponse* resp) {
    v1::SetModeRequest req;
    req.set_job_id(job);
    req.set_population(population);
    for (uint32_t n : ids) req.add_neuron_ids(n);
    req.set_threshold_offset(offset);
    if (gain) req.set_gain(*gain);
    if (tick) req.set_tick(*tick);
    return stub->SetMode(as("cy").get(), req, resp);
  };
  v1::SetModeResponse resp;
  ASSERT_TRUE(set_mode(live, "cells", {99, 1, 2, 3, 50, 51, 2}, -3, 1.5, std::nullopt, &resp).ok());
  EXPECT_EQ(resp.tick(), 100u);
  EXPECT_EQ(resp.neurons(), 6u);
  EXPECT_FALSE(resp.late());
  ASSERT_TRUE(set_mode(live, "cells", {}, 0, 0.5, 200, &resp).ok());  // ahead, inside the next Run
  EXPECT_EQ(resp.tick(), 200u);
  EXPECT_EQ(resp.neurons(), 100u);
  const Streamed second = run(*stub, "cy", live, 200);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  Spikes got = first.spikes;
  for (const auto& [label, v] : second.spikes) got[label].insert(got[label].end(), v.begin(), v.end());
  const Streamed expected = run(*stub, "cy", in_file);
  ASSERT_TRUE(expected.status.ok()) << expected.status.error_message();
  EXPECT_GT(expected.spikes.at("cells").size(), 50u);
  EXPECT_EQ(got, expected.spikes);
  EXPECT_NE(got, reference_run(parse(text), 300));

  ASSERT_TRUE(set_mode(live, "cells", {}, 0, std::nullopt, 10, &resp).ok());
  EXPECT_TRUE(resp.late());
  EXPECT_EQ(resp.tick(), 300u);
  auto refused = [&](const std::string& population, std::vector<uint32_t> ids, double offset, std::optional<double> gain,
                     const std::string& message) {
    const grpc::Status st = set_mode(live, population, std::move(ids), offset, gain, std::nullopt, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << message;
    EXPECT_NE(st.error_message().find(message), std::string::npos) << st.error_message();
  };
  refused("nope", {}, 0, 1, "population: no population \"nope\"");
  refused("in", {}, 0, 1, "is a spike source");
  refused("cells", {5, 100}, 0, 1, "neuron_ids[1]: 100 is out of range");
  refused("cells", {}, 1001, 1, "threshold_offset: must be within +-1000 mV");
  refused("cells", {}, std::nan(""), 1, "threshold_offset: must be within");
  refused("cells", {}, 0, 16, "gain: must be in [0, 16)");
  refused("cells", {}, 0, -0.5, "gain: must be in [0, 16)");
}

// SetLearningRate: a learning-rate scale set live between two Runs gives
// the weights (GetWeights) and spikes of the same switch in the network
// file; bad requests name their field.
TEST(Daemon, SetLearningRateEqualsTheSwitchInTheNetworkFile) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  const std::string text = R"(run { timestep_ms: 1.0 duration_ms: 1000 seed: 4 }
populations { label: "in" size: 20 spike_source_poisson { rate { constant: 20 } } }
populations { label: "drive" size: 4 spike_source_poisson { rate { constant: 6 } } }
populations { label: "post" size: 10 if_curr_exp { tau_refrac { constant: 2 } } }
projections { pre: "drive" post: "post" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 2 } }
projections { label: "plastic" pre: "in" post: "post" receptor: EXCITATORY connector { all_to_all {} }
  weight { random { uniform { low: 0.2 high: 0.6 } } } delay { constant: 2 }
  synapse_dynamics { stdp { timing_dependence { A_plus: 0.02 A_minus: 0.021 } additive { w_min: 0 w_max: 1 } } } }
recordings { population: "post" variables: [SPIKES] }
)";
  const std::string live = submit(*stub, "di", parse(text)),
                    in_file = submit(*stub, "di", parse(text + "learning_rate_switches { at_ms: 400 population: \"post\" scale: 4 }\n"));
  auto weights_of = [&](const std::string& job) {
    v1::GetWeightsRequest req;
    req.set_job_id(job);
    auto ctx = as("di");
    auto reader = stub->GetWeights(ctx.get(), req);
    std::vector<double> w;
    v1::WeightsChunk c;
    while (reader->Read(&c)) w.insert(w.end(), c.weight().begin(), c.weight().end());
    EXPECT_TRUE(reader->Finish().ok());
    return w;
  };
  auto set_rate = [&](const std::string& population, std::optional<double> scale, std::optional<uint64_t> tick,
                      v1::SetLearningRateResponse* resp) {
    v1::SetLearningRateRequest req;
    req.set_job_id(live);
    req.set_population(population);
    if (scale) req.set_scale(*scale);
    if (tick) req.set_tick(*tick);
    return stub->SetLearningRate(as("di").get(), req, resp);
  };
  const Streamed first = run(*stub, "di", live, 400);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  v1::SetLearningRateResponse resp;
  ASSERT_TRUE(set_rate("post", 4, std::nullopt, &resp).ok());
  EXPECT_EQ(resp.tick(), 400u);
  EXPECT_EQ(resp.cores(), 1u);
  EXPECT_FALSE(resp.late());
  const Streamed second = run(*stub, "di", live, 600);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  Spikes got = first.spikes;
  for (const auto& [label, v] : second.spikes) got[label].insert(got[label].end(), v.begin(), v.end());
  const Streamed expected = run(*stub, "di", in_file);
  ASSERT_TRUE(expected.status.ok()) << expected.status.error_message();
  EXPECT_EQ(got, expected.spikes);
  const std::vector<double> w = weights_of(live);
  ASSERT_EQ(w.size(), 200u);
  EXPECT_EQ(w, weights_of(in_file));
  const std::string plain = submit(*stub, "di", parse(text));
  ASSERT_TRUE(run(*stub, "di", plain).status.ok());
  EXPECT_NE(w, weights_of(plain));

  auto refused = [&](const std::string& population, std::optional<double> scale, const std::string& message) {
    const grpc::Status st = set_rate(population, scale, std::nullopt, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << message;
    EXPECT_NE(st.error_message().find(message), std::string::npos) << st.error_message();
  };
  refused("nope", 1, "population: no population \"nope\"");
  refused("in", 1, "population: no plastic (STDP) projection onto \"in\"");
  refused("post", std::nullopt, "scale: must be set");
  refused("post", 16, "scale: must be in [0, 16)");
  refused("post", std::nan(""), "scale: must be in [0, 16)");
}

TEST(Daemon, InjectedSpikeActsLikeASourceSpike) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  const v1::Network net = parse(kRelay);
  const std::string job = submit(*stub, "bo", net);
  v1::InjectSummary summary;
  ASSERT_TRUE(inject(*stub, "bo", {injection(job, "stim", {2}, 10), injection(job, "stim", {0, 3}, 30)}, &summary).ok());
  EXPECT_EQ(summary.requests(), 2u);
  EXPECT_EQ(summary.spikes(), 3u);
  EXPECT_EQ(summary.late_spikes(), 0u);
  const Streamed got = run(*stub, "bo", job);
  ASSERT_TRUE(got.status.ok()) << got.status.error_message();
  EXPECT_EQ(got.final_event.provenance().injected_spikes(), 3u);

  // The same spikes sent by the array source itself.
  v1::Network with_sources = net;
  auto* array = with_sources.mutable_populations(0)->mutable_spike_source_array();
  for (int n = 0; n < 4; ++n) array->add_per_neuron();
  array->mutable_per_neuron(2)->add_times(10);
  array->mutable_per_neuron(0)->add_times(30);
  array->mutable_per_neuron(3)->add_times(30);
  const Spikes expected = reference_run(with_sources, 60);
  ASSERT_EQ(expected.at("relay").size(), 3u);
  EXPECT_EQ(got.spikes, expected);
  EXPECT_TRUE(reference_run(net, 60)["relay"].empty());  // without them: silence
}

// Injected spikes are recorded with their population (here a recorded
// spike source) exactly as the source's own spikes would be: streamed,
// fetched, and equal to an array source's recording of the same spikes.
TEST(Daemon, InjectedSpikesAreRecordedLikeTheSourcesOwn) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  v1::Network net = parse(kRelay);
  net.add_recordings()->set_population("stim");
  net.mutable_recordings(1)->add_variables(v1::SPIKES);
  const std::string job = submit(*stub, "ida", net);
  v1::InjectSummary summary;
  ASSERT_TRUE(inject(*stub, "ida", {injection(job, "stim", {2}, 10), injection(job, "stim", {0, 3}, 30)}, &summary).ok());
  const Streamed got = run(*stub, "ida", job, 0, 7);
  ASSERT_TRUE(got.status.ok()) << got.status.error_message();

  v1::Network with_sources = net;
  auto* array = with_sources.mutable_populations(0)->mutable_spike_source_array();
  for (int n = 0; n < 4; ++n) array->add_per_neuron();
  array->mutable_per_neuron(2)->add_times(10);
  array->mutable_per_neuron(0)->add_times(30);
  array->mutable_per_neuron(3)->add_times(30);
  const Spikes expected = reference_run(with_sources, 60);
  ASSERT_EQ(expected.at("stim").size(), 3u);
  EXPECT_EQ(got.spikes, expected);
  EXPECT_EQ(got.final_event.provenance().injected_recorded(), 3u);
  EXPECT_EQ(job_info(*stub, "ida", job).recorded_spikes(), got.received);

  // Late (tick 5 is past): sent, and recorded, in the next tick run (60).
  ASSERT_TRUE(inject(*stub, "ida", {injection(job, "stim", {1}, 5)}, &summary).ok());
  EXPECT_EQ(summary.late_spikes(), 1u);
  const Streamed more = run(*stub, "ida", job, 10, 0);
  ASSERT_TRUE(more.status.ok()) << more.status.error_message();
  ASSERT_EQ(more.spikes.count("stim"), 1u);
  EXPECT_EQ(more.spikes.at("stim"), (std::vector<std::pair<uint64_t, uint32_t>>{{60, 1}}));
  ASSERT_EQ(more.spikes.count("relay"), 1u);
  EXPECT_EQ(more.spikes.at("relay").size(), 1u);

  // GetRecordings has them too.
  v1::GetRecordingsRequest req;
  req.set_job_id(job);
  req.add_populations("stim");
  req.set_spikes(true);
  auto ctx = as("ida");
  auto reader = stub->GetRecordings(ctx.get(), req);
  std::vector<std::pair<uint64_t, uint32_t>> recorded;
  v1::RecordingsChunk chunk;
  while (reader->Read(&chunk))
    for (int i = 0; i < chunk.spikes().neuron_ids_size(); ++i)
      recorded.push_back({chunk.spikes().ticks(i), chunk.spikes().neuron_ids(i)});
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(recorded, (std::vector<std::pair<uint64_t, uint32_t>>{{10, 2}, {30, 0}, {30, 3}, {60, 1}}));
}

TEST(Daemon, LiveInjectionReachesARunningJob) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  v1::Network net = parse(kRelay);
  net.mutable_run()->set_duration_ms(400);
  const std::string job = submit(*stub, "cy", net, /*real_time=*/true);
  uint64_t seen_tick = 0;
  const Streamed got = run(*stub, "cy", job, 0, 1, [&](const v1::RunEvent& e) {
    if (!e.has_progress() || seen_tick != 0) return;
    seen_tick = e.progress().job_tick();
    v1::InjectSummary s;
    EXPECT_TRUE(inject(*stub, "cy", {injection(job, "stim", {1}, std::nullopt)}, &s).ok());
  });
  ASSERT_TRUE(got.status.ok()) << got.status.error_message();
  ASSERT_GT(seen_tick, 0u);
  ASSERT_LT(seen_tick, 390u);
  ASSERT_EQ(got.spikes.at("relay").size(), 1u);
  EXPECT_EQ(got.spikes.at("relay")[0].second, 1u);
  EXPECT_GT(got.spikes.at("relay")[0].first, seen_tick + 1);  // after the delay of 2 ticks
  EXPECT_EQ(got.final_event.provenance().injected_spikes(), 1u);
}

TEST(Daemon, CancelStopsARunAndWatchSeesIt) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());
  v1::Network net = parse(kRelay);
  net.mutable_run()->set_duration_ms(60000);
  const std::string job = submit(*stub, "di", net, /*real_time=*/true);
  std::atomic<bool> started{false};
  Streamed got;
  std::thread runner([&] { got = run(*stub, "di", job, 0, 5, [&](const v1::RunEvent& e) {
                           if (e.has_started()) started = true;
                         }); });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  // Running it twice is refused; watching it works.
  const Streamed again = run(*stub, "di", job);
  EXPECT_EQ(again.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  Streamed watched;
  std::thread watcher([&] {
    v1::WatchRequest w;
    w.set_job_id(job);
    auto ctx = as("di");
    auto reader = stub->Watch(ctx.get(), w);
    watched = drain(*reader);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  v1::CancelRequest c;
  c.set_job_id(job);
  v1::JobInfo info;
  ASSERT_TRUE(stub->Cancel(as("di").get(), c, &info).ok());
  EXPECT_EQ(info.state(), v1::JOB_CANCELLED);
  runner.join();
  watcher.join();
  EXPECT_EQ(got.status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(got.final_event.status(), v1::RUN_CANCELLED);
  EXPECT_LT(got.final_event.ticks_run(), 60000u);
  EXPECT_EQ(watched.status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(watched.final_event.status(), v1::RUN_CANCELLED);
  EXPECT_EQ(watched.final_event.job_tick(), got.final_event.job_tick());

  EXPECT_EQ(run(*stub, "di", job).status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::DeleteJobRequest d;
  d.set_job_id(job);
  v1::DeleteJobResponse dr;
  ASSERT_TRUE(stub->DeleteJob(as("di").get(), d, &dr).ok());
  EXPECT_EQ(run(*stub, "di", job).status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(Daemon, BadRequestsGetTheirStatusCodes) {
  DaemonProcess daemon;
  auto stub = connect(daemon.address());

  v1::Network bad = parse(kRelay);
  bad.mutable_populations(1)->set_size(0);
  v1::SubmitNetworkRequest req;
  *req.mutable_network() = bad;
  v1::SubmitNetworkResponse resp;
  auto ctx = as("eve");
  grpc::Status s = stub->SubmitNetwork(ctx.get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("network.populations[1].size"), std::string::npos) << s.error_message();
  const auto& trailers = ctx->GetServerTrailingMetadata();
  const auto it = trailers.find("spindle-validation-errors-bin");
  ASSERT_NE(it, trailers.end());
  v1::ValidationErrors errors;
  ASSERT_TRUE(errors.ParseFromString(std::string(it->second.data(), it->second.size())));
  ASSERT_GE(errors.errors_size(), 1);
  EXPECT_EQ(errors.errors(0).path(), "network.populations[1].size");

  *req.mutable_network() = parse(kRelay);
  req.set_backend("spinnaker");
  EXPECT_EQ(stub->SubmitNetwork(as("eve").get(), req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  EXPECT_EQ(run(*stub, "eve", "job-999").status.error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string job = submit(*stub, "eve", parse(kRelay));
  EXPECT_EQ(run(*stub, "mallory", job).status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::CancelRequest c;
  c.set_job_id(job);
  v1::JobInfo info;
  EXPECT_EQ(stub->Cancel(as("mallory").get(), c, &info).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::InjectSummary summary;
  EXPECT_EQ(inject(*stub, "mallory", {injection(job, "stim", {0}, 1)}, &summary).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(job_info(*stub, "mallory", job).job_id(), "");  // others' jobs are not listed
  EXPECT_EQ(job_info(*stub, "eve", job).job_id(), job);

  s = inject(*stub, "eve", {injection(job, "stim", {0}, 1), injection(job, "nope", {0}, 1)}, &summary);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("request 1: population: no population \"nope\""), std::string::npos)
      << s.error_message();
  s = inject(*stub, "eve", {injection(job, "stim", {4}, 1)}, &summary);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("out of range"), std::string::npos) << s.error_message();
  EXPECT_EQ(run(*stub, "eve", job, -5).status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(Daemon, LimitsGiveResourceExhausted) {
  DaemonProcess daemon({"--max-jobs", "1", "--max-neurons", "100", "--max-run-ticks", "1000"});
  auto stub = connect(daemon.address());
  v1::DescribeMachineResponse machine;
  ASSERT_TRUE(stub->DescribeMachine(as("fay").get(), {}, &machine).ok());
  EXPECT_EQ(machine.chips(), 48u);
  EXPECT_EQ(machine.machine(), "48");  // the shape string `spindle machine` and `spindled -m` take
  EXPECT_EQ(machine.description(), emu::machine_from_shape("48").name);
  EXPECT_EQ(machine.limits().max_jobs(), 1u);
  ASSERT_GE(machine.backends_size(), 1);
  EXPECT_EQ(machine.backends(0).name(), "native");

  v1::SubmitNetworkRequest req;
  *req.mutable_network() = parse(kBusy);  // 2000 neurons
  v1::SubmitNetworkResponse resp;
  grpc::Status s = stub->SubmitNetwork(as("fay").get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("2000 neurons"), std::string::npos) << s.error_message();
  const std::string job = submit(*stub, "fay", parse(kRelay));
  *req.mutable_network() = parse(kRelay);
  EXPECT_EQ(stub->SubmitNetwork(as("fay").get(), req, &resp).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(run(*stub, "fay", job, 2000).status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

// Over --max-runs, runs wait in line (RunQueued with their place) instead
// of being refused; only a full line is RESOURCE_EXHAUSTED; a queued run
// can be cancelled, and the next in line runs when a slot frees.
TEST(Daemon, RunsOverTheLimitWaitInLine) {
  DaemonProcess daemon({"--max-runs", "1", "--max-queued", "1"});
  auto stub = connect(daemon.address());
  v1::Network long_net = parse(kRelay);
  long_net.mutable_run()->set_duration_ms(60000);
  const std::string a = submit(*stub, "jo", long_net, /*real_time=*/true);
  std::atomic<bool> a_started{false};
  Streamed a_got;
  std::thread a_run([&] {
    a_got = run(*stub, "jo", a, 0, 5, [&](const v1::RunEvent& e) {
      if (e.has_started()) a_started = true;
    });
  });
  const auto wait_for = [](const std::atomic<bool>& flag) {
    for (int i = 0; i < 3000 && !flag; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return flag.load();
  };
  ASSERT_TRUE(wait_for(a_started));

  // B waits in line, first place.
  const std::string b = submit(*stub, "jo", parse(kRelay));
  std::atomic<bool> b_queued{false};
  std::vector<uint32_t> b_places;
  Streamed b_got;
  std::thread b_run([&] {
    b_got = run(*stub, "jo", b, 0, 0, [&](const v1::RunEvent& e) {
      if (!e.has_queued()) return;
      b_places.push_back(e.queued().position());
      EXPECT_EQ(e.queued().running(), 1u);
      b_queued = true;
    });
  });
  ASSERT_TRUE(wait_for(b_queued));
  EXPECT_EQ(job_info(*stub, "jo", b).state(), v1::JOB_QUEUED);
  EXPECT_EQ(run(*stub, "jo", b).status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);  // already queued

  // The line (1) is full.
  const std::string c = submit(*stub, "jo", parse(kRelay));
  const Streamed c_got = run(*stub, "jo", c);
  EXPECT_EQ(c_got.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(c_got.status.error_message().find("wait in line"), std::string::npos) << c_got.status.error_message();

  // Cancel B while it waits.
  v1::CancelRequest cancel;
  cancel.set_job_id(b);
  v1::JobInfo info;
  ASSERT_TRUE(stub->Cancel(as("jo").get(), cancel, &info).ok());
  EXPECT_EQ(info.state(), v1::JOB_CANCELLED);
  b_run.join();
  EXPECT_EQ(b_got.status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(b_got.final_event.status(), v1::RUN_CANCELLED);
  EXPECT_EQ(b_got.final_event.ticks_run(), 0u);
  EXPECT_FALSE(b_got.started);
  EXPECT_EQ(b_places, std::vector<uint32_t>{1});

  // C now gets the place in line, and runs to the end once A is cancelled.
  std::atomic<bool> c_queued{false};
  bool c_queued_before_start = false;
  Streamed c_ran;
  std::thread c_run([&] {
    c_ran = run(*stub, "jo", c, 0, 0, [&](const v1::RunEvent& e) {
      if (e.has_queued()) c_queued = true;
      if (e.has_started()) c_queued_before_start = c_queued;
    });
  });
  ASSERT_TRUE(wait_for(c_queued));
  cancel.set_job_id(a);
  ASSERT_TRUE(stub->Cancel(as("jo").get(), cancel, &info).ok());
  a_run.join();
  c_run.join();
  EXPECT_EQ(a_got.final_event.status(), v1::RUN_CANCELLED);
  ASSERT_TRUE(c_ran.status.ok()) << c_ran.status.error_message();
  EXPECT_TRUE(c_ran.started);
  EXPECT_TRUE(c_queued_before_start);
  EXPECT_EQ(c_ran.final_event.status(), v1::RUN_COMPLETED);
  EXPECT_EQ(c_ran.final_event.ticks_run(), 60u);

  v1::DescribeMachineResponse machine;
  ASSERT_TRUE(stub->DescribeMachine(as("jo").get(), {}, &machine).ok());
  EXPECT_EQ(machine.limits().max_queued_runs(), 1u);
}

TEST(Daemon, SeveralClientsAtOnce) {
  DaemonProcess daemon({"--max-runs", "4"});
  const v1::Network net = tiny();
  const Spikes expected = reference_run(net, 200);
  std::vector<Streamed> results(4);
  std::vector<std::thread> clients;
  for (size_t i = 0; i < results.size(); ++i)
    clients.emplace_back([&, i] {
      auto stub = connect(daemon.address());  // a connection each
      const std::string client = "client-" + std::to_string(i);
      results[i] = run(*stub, client, submit(*stub, client, net), 0, static_cast<uint32_t>(1 + i));
    });
  for (auto& c : clients) c.join();
  for (const Streamed& r : results) {
    ASSERT_TRUE(r.status.ok()) << r.status.error_message();
    EXPECT_EQ(r.spikes, expected);
  }
}

TEST(Daemon, SlowReaderGetsCountedDropsAndOthersAreUnaffected) {
  // Room for the whole run in the daemon's limit; the slow client asks for 64 KiB.
  DaemonProcess daemon({"--stream-buffer", "67108864"});
  const v1::Network net = parse(kBusy);
  // Little buffering in the slow client's transport, so the daemon's own
  // queue fills.
  grpc::ChannelArguments small;
  small.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  small.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 8192);
  auto slow_stub = connect(daemon.address(), small);
  auto fast_stub = connect(daemon.address());
  const std::string slow_job = submit(*slow_stub, "slow", net);
  const std::string fast_job = submit(*fast_stub, "fast", net);

  v1::RunRequest req;
  req.set_job_id(slow_job);
  req.set_stream_buffer_bytes(65536);
  auto ctx = as("slow");
  auto slow_reader = slow_stub->Run(ctx.get(), req);
  v1::RunEvent first;
  ASSERT_TRUE(slow_reader->Read(&first));  // the run has started; now stop reading
  const Streamed fast = run(*fast_stub, "fast", fast_job);
  // Let the slow job finish while nobody reads its stream.
  for (int i = 0; i < 500 && job_info(*slow_stub, "slow", slow_job).state() == v1::JOB_RUNNING; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const Streamed slow = drain(*slow_reader);

  ASSERT_TRUE(fast.status.ok()) << fast.status.error_message();
  ASSERT_TRUE(slow.status.ok()) << slow.status.error_message();
  const uint64_t total = job_info(*fast_stub, "fast", fast_job).recorded_spikes();
  EXPECT_GT(total, 1'000'000u);  // 2000 sources x 0.4 spikes/tick x 1500 ticks
  EXPECT_EQ(fast.received, total);
  EXPECT_EQ(fast.final_event.stream_drops().dropped_spikes(), 0u);
  EXPECT_EQ(job_info(*slow_stub, "slow", slow_job).recorded_spikes(), total);  // the run itself lost nothing
  const v1::StreamDrops& drops = slow.final_event.stream_drops();
  EXPECT_GT(drops.dropped_spikes(), 0u);
  EXPECT_EQ(slow.received + drops.dropped_spikes(), total);
  EXPECT_EQ(slow.drops.dropped_spikes(), drops.dropped_spikes());  // reported in-stream too
}

TEST(Daemon, SigtermCancelsRunningJobsAndSaysWhich) {
  auto daemon = std::make_unique<DaemonProcess>();
  auto stub = connect(daemon->address());
  v1::Network net = parse(kRelay);
  net.mutable_run()->set_duration_ms(60000);
  const std::string job = submit(*stub, "gil", net, /*real_time=*/true);
  std::atomic<bool> started{false};
  Streamed got;
  std::thread runner([&] {
    got = run(*stub, "gil", job, 0, 5, [&](const v1::RunEvent& e) {
      if (e.has_started()) started = true;
    });
  });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const test::ProcessResult r = daemon->terminate();
  runner.join();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(job + " of client 'gil': run cancelled at tick"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("spindled: stopped"), std::string::npos) << r.output;
  EXPECT_EQ(got.final_event.status(), v1::RUN_CANCELLED);
  EXPECT_EQ(got.status.error_code(), grpc::StatusCode::CANCELLED);
}

TEST(Daemon, SigtermWithGraceLetsShortRunsFinish) {
  DaemonProcess daemon({"--grace", "10"});
  auto stub = connect(daemon.address());
  v1::Network net = parse(kRelay);
  net.mutable_run()->set_duration_ms(500);
  const std::string job = submit(*stub, "hal", net, /*real_time=*/true);
  std::atomic<bool> started{false};
  Streamed got;
  std::thread runner([&] {
    got = run(*stub, "hal", job, 0, 5, [&](const v1::RunEvent& e) {
      if (e.has_started()) started = true;
    });
  });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const test::ProcessResult r = daemon.terminate();
  runner.join();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(job + " of client 'hal': run finished (JOB_READY, tick 500)"), std::string::npos) << r.output;
  EXPECT_TRUE(got.status.ok()) << got.status.error_message();
  EXPECT_EQ(got.final_event.status(), v1::RUN_COMPLETED);
}

TEST(Daemon, RefusesNonLoopbackWithoutTlsAndTokens) {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"--token-file", "/dev/null"}}) {
    std::vector<std::string> argv = {SPINDLED_BIN, "--listen", "0.0.0.0:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const test::ProcessResult r = test::run_process(argv);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("refusing"), std::string::npos) << r.output;
  }
}

TEST(Daemon, TokensIdentifyClients) {
  const auto file = std::filesystem::temp_directory_path() / ("spindled-tokens-" + std::to_string(getpid()));
  std::ofstream(file) << "# name token\nalice 0123456789abcdef-alice\nbob 0123456789abcdef-bob\n";
  DaemonProcess daemon({"--token-file", file.string()});
  std::filesystem::remove(file);
  auto stub = connect(daemon.address());
  const auto with_token = [](const std::string& token) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->AddMetadata("authorization", "Bearer " + token);
    return c;
  };
  v1::DescribeMachineResponse machine;
  EXPECT_EQ(stub->DescribeMachine(as("alice").get(), {}, &machine).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub->DescribeMachine(with_token("wrong").get(), {}, &machine).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(stub->DescribeMachine(with_token("0123456789abcdef-alice").get(), {}, &machine).ok());

  v1::SubmitNetworkRequest req;
  *req.mutable_network() = parse(kRelay);
  v1::SubmitNetworkResponse resp;
  ASSERT_TRUE(stub->SubmitNetwork(with_token("0123456789abcdef-alice").get(), req, &resp).ok());
  v1::CancelRequest c;
  c.set_job_id(resp.job().job_id());
  v1::JobInfo info;
  EXPECT_EQ(stub->Cancel(with_token("0123456789abcdef-bob").get(), c, &info).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stub->Cancel(with_token("0123456789abcdef-alice").get(), c, &info).ok());
}

grpc::ByteBuffer bytes(const std::string& s) {
  grpc::Slice slice(s);
  return grpc::ByteBuffer(&slice, 1);
}

std::string text(const grpc::ByteBuffer& b) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(b.Dump(&slices).ok());
  std::string out;
  for (const auto& sl : slices) out.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  return out;
}

// The standard services other gRPC tools rely on, called without their
// generated stubs: grpc.health.v1.Health/Check and server reflection.
TEST(Daemon, ServesHealthAndReflection) {
  DaemonProcess daemon;
  auto channel = grpc::CreateChannel(daemon.address(), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);

  grpc::ClientContext health_ctx;
  const grpc::ByteBuffer check = bytes("");  // HealthCheckRequest{service: ""}
  grpc::ByteBuffer health;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&health_ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &check, &health,
                 [&](grpc::Status s) { done.set_value(s); });
  ASSERT_TRUE(done.get_future().get().ok());
  EXPECT_EQ(text(health), std::string("\x08\x01", 2));  // status: SERVING

  // ServerReflectionRequest{list_services: ""} (field 7) over the bidi stream.
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  auto call = stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  const auto step = [&](intptr_t expect) {
    ASSERT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(reinterpret_cast<intptr_t>(tag), expect);
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  call->Write(bytes(std::string("\x3a\x00", 2)), reinterpret_cast<void*>(2));
  step(2);
  grpc::ByteBuffer reply;
  call->Read(&reply, reinterpret_cast<void*>(3));
  step(3);
  ASSERT_TRUE(ok);
  EXPECT_NE(text(reply).find("spindle.v1.Spindle"), std::string::npos);
  EXPECT_NE(text(reply).find("grpc.health.v1.Health"), std::string::npos);
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  EXPECT_TRUE(status.ok()) << status.error_message();
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace spindle
