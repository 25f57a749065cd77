// Helpers for the tests that drive the real spindled over gRPC with the
// generated C++ stub: connecting as a named client, submitting, running and
// draining a stream, injecting.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <google/protobuf/text_format.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "network/load.h"
#include "spindle/v1/service.grpc.pb.h"

namespace spindle::test {

using Stub = v1::Spindle::Stub;
// Per population label: (tick, neuron), sorted.
using Spikes = std::map<std::string, std::vector<std::pair<uint64_t, uint32_t>>>;

inline v1::Network parse(const std::string& text) {
  v1::Network net;
  if (!google::protobuf::TextFormat::ParseFromString(text, &net)) throw std::runtime_error("bad test network");
  return net;
}

inline v1::Network tiny() { return host::network::load_network(std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/tiny.textproto"); }

// Four silent array sources, each driving one IF_curr_exp neuron strongly
// enough that one spike makes it fire (delay 2 ticks).
inline const char* kRelay = R"(
  run { timestep_ms: 1.0 duration_ms: 60 seed: 3 }
  populations { label: "stim" size: 4 spike_source_array { } }
  populations { label: "relay" size: 4 if_curr_exp { tau_syn_E { constant: 1 } } }
  projections { pre: "stim" post: "relay" receptor: EXCITATORY connector { one_to_one { } }
                weight { constant: 20 } delay { constant: 2 } }
  recordings { population: "relay" variables: [SPIKES] }
)";

// 2000 Poisson sources at 400 Hz, all recorded: a dense stream.
inline const char* kBusy = R"(
  run { timestep_ms: 1.0 duration_ms: 1500 seed: 5 }
  populations { label: "noise" size: 2000 spike_source_poisson { rate { constant: 400 } } }
  recordings { population: "noise" variables: [SPIKES] }
)";

inline std::unique_ptr<Stub> connect(const std::string& address, const grpc::ChannelArguments& args = {}) {
  return v1::Spindle::NewStub(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

inline std::unique_ptr<grpc::ClientContext> as(const std::string& client) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->AddMetadata("spindle-client", client);
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return c;
}

inline std::string submit(Stub& stub, const std::string& client, const v1::Network& net, bool real_time = false) {
  v1::SubmitNetworkRequest req;
  *req.mutable_network() = net;
  req.set_real_time(real_time);
  v1::SubmitNetworkResponse resp;
  const grpc::Status s = stub.SubmitNetwork(as(client).get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.job().job_id();
}

struct Streamed {
  Spikes spikes;
  uint64_t received = 0;
  v1::StreamDrops drops;  // from the last StreamDrops event
  v1::RunFinal final_event;
  bool started = false;
  grpc::Status status;
};

using EventHook = std::function<void(const v1::RunEvent&)>;

inline Streamed drain(grpc::ClientReader<v1::RunEvent>& reader, const EventHook& hook = {}) {
  Streamed out;
  v1::RunEvent e;
  while (reader.Read(&e)) {
    if (hook) hook(e);
    if (e.has_started()) out.started = true;
    if (e.has_spikes())
      for (int i = 0; i < e.spikes().neuron_ids_size(); ++i) {
        out.spikes[e.spikes().population()].push_back({e.spikes().ticks(i), e.spikes().neuron_ids(i)});
        ++out.received;
      }
    if (e.has_drops()) out.drops = e.drops();
    if (e.has_final()) out.final_event = e.final();
  }
  out.status = reader.Finish();
  for (auto& [label, v] : out.spikes) std::sort(v.begin(), v.end());
  return out;
}

inline Streamed run(Stub& stub, const std::string& client, const std::string& job, double duration_ms = 0,
             uint32_t chunk_ticks = 0, const EventHook& hook = {}) {
  v1::RunRequest req;
  req.set_job_id(job);
  req.set_duration_ms(duration_ms);
  req.set_chunk_ticks(chunk_ticks);
  auto ctx = as(client);
  auto reader = stub.Run(ctx.get(), req);
  return drain(*reader, hook);
}

inline v1::JobInfo job_info(Stub& stub, const std::string& client, const std::string& job) {
  v1::ListJobsResponse resp;
  EXPECT_TRUE(stub.ListJobs(as(client).get(), {}, &resp).ok());
  for (const auto& j : resp.jobs())
    if (j.job_id() == job) return j;
  return {};
}

inline grpc::Status inject(Stub& stub, const std::string& client, const std::vector<v1::InjectRequest>& requests,
                    v1::InjectSummary* summary) {
  auto ctx = as(client);
  auto writer = stub.Inject(ctx.get(), summary);
  for (const auto& r : requests)
    if (!writer->Write(r)) break;
  writer->WritesDone();
  return writer->Finish();
}

inline v1::InjectRequest injection(const std::string& job, const std::string& population, std::vector<uint32_t> neurons,
                            std::optional<uint64_t> tick) {
  v1::InjectRequest r;
  r.set_job_id(job);
  r.set_population(population);
  for (uint32_t n : neurons) r.add_neuron_ids(n);
  if (tick) r.set_tick(*tick);
  return r;
}

}  // namespace spindle::test
