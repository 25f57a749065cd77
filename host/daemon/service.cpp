#include "daemon/service.h"

#include <algorithm>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <thread>

#include "backend/backend.h"
#include "boards/boards.h"
#include "daemon/job_builder.h"
#include "daemon/runner.h"
#include "job/neuron_modes.h"
#include "job/plastic_weights.h"
#include "network/labels.h"
#include "network/range_warnings.h"
#include "network/run_settings.h"
#include "quantize/quantize.h"

namespace spindle::daemon {
namespace {

using grpc::Status;
using grpc::StatusCode;

constexpr auto kPoll = std::chrono::milliseconds(100);
constexpr auto kCancelWait = std::chrono::seconds(60);
constexpr auto kReapEvery = std::chrono::milliseconds(500);

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sends a stream's events to its client until the final one. When the client
// goes away, `on_gone` is called once; with `drain`, events are still taken
// (not sent) until the final one, so the run can be waited for.
std::optional<v1::RunFinal> pump(EventStream& stream, grpc::ServerWriter<v1::RunEvent>* writer,
                                 grpc::ServerContext* context, const std::function<void()>& on_gone, bool drain) {
  bool gone = false;
  const auto client_gone = [&] {
    gone = true;
    on_gone();
  };
  for (;;) {
    std::optional<v1::RunEvent> event = stream.next(kPoll);
    if (!event) {
      if (stream.finished()) return std::nullopt;
      if (!gone && context->IsCancelled()) {
        client_gone();
        if (!drain) return std::nullopt;
      }
      continue;
    }
    if (event->has_final()) {
      if (!gone) writer->Write(*event);
      return event->final();
    }
    if (!gone && !writer->Write(*event)) {
      client_gone();
      if (!drain) return std::nullopt;
    }
  }
}

Status status_of(const v1::RunFinal& final_event) {
  switch (final_event.status()) {
    case v1::RUN_COMPLETED: return Status::OK;
    case v1::RUN_CANCELLED: return {StatusCode::CANCELLED, final_event.message()};
    default: return {StatusCode::INTERNAL, final_event.message()};
  }
}

const char* state_name(v1::JobState s) { return v1::JobState_Name(s).c_str(); }

// A Run holds the job: running, or waiting in line to run.
bool active(v1::JobState s) { return s == v1::JOB_RUNNING || s == v1::JOB_QUEUED; }

v1::RecordVariable record_variable(uint16_t v) {
  switch (static_cast<fw::StateVariable>(v)) {
    case fw::StateVariable::kV: return v1::V;
    case fw::StateVariable::kGsynExc: return v1::GSYN_EXC;
    case fw::StateVariable::kGsynInh: return v1::GSYN_INH;
    case fw::StateVariable::kThreshold: return v1::THRESHOLD;
    case fw::StateVariable::kSegmentSpikes: return v1::SEGMENT_SPIKES;
  }
  return v1::RECORD_VARIABLE_UNSPECIFIED;
}

struct StateSeries {
  std::vector<uint32_t> neurons;
  std::vector<uint64_t> ticks;
  std::vector<double> values;
};

}  // namespace

SpindleService::SpindleService(DaemonOptions options, Auth auth, emu::MachineDescription machine)
    : options_(std::move(options)),
      auth_(std::move(auth)),
      machine_(std::move(machine)),
      run_queue_(options_.limits.max_concurrent_runs, options_.limits.max_queued_runs),
      runs_per_client_("runs", options_.limits.max_runs_per_client),
      qemu_budget_(options_.limits.max_qemu_processes, options_.limits.max_qemu_processes_per_client),
      jobs_(options_.limits.max_jobs, options_.limits.max_jobs_per_client),
      reaper_([this] { reap_jobs(); }) {}

SpindleService::~SpindleService() {
  shutting_down_.store(true);
  reaper_cv_.notify_all();
  reaper_.join();
}

Status SpindleService::caller(const grpc::ServerContext& context, std::string& client) const {
  if (shutting_down_.load()) return {StatusCode::UNAVAILABLE, "spindled is shutting down"};
  return auth_.identify(context, client);
}

bool SpindleService::wait_in_line(Job& job, uint64_t ticket, RunBroadcast& broadcast,
                                  const std::function<void()>& release) {
  uint32_t published = 0;
  for (uint32_t place = run_queue_.position(ticket); place != 0;
       place = run_queue_.wait_for_change(ticket, place, kPoll)) {
    if (job.cancel_requested.load()) {
      release();
      v1::RunEvent last;
      v1::RunFinal* f = last.mutable_final();
      f->set_status(v1::RUN_CANCELLED);
      {
        std::lock_guard lock(job.engine_m);
        *f->mutable_provenance() = job.provenance();
      }
      f->set_job_tick(job.tick.load());
      {
        std::lock_guard lock(job.m);
        job.state = v1::JOB_CANCELLED;
        f->set_message(job.message + " (while queued)");
        job.broadcast = nullptr;
      }
      job.state_changed.notify_all();
      broadcast.finish(last);
      return false;
    }
    if (place != published) {
      auto event = std::make_shared<v1::RunEvent>();
      event->mutable_queued()->set_position(place);
      event->mutable_queued()->set_running(run_queue_.running());
      broadcast.publish(event);
      published = place;
    }
  }
  {
    std::lock_guard lock(job.m);
    if (job.state == v1::JOB_QUEUED) job.state = v1::JOB_RUNNING;
  }
  job.state_changed.notify_all();
  return true;
}

Status SpindleService::DescribeMachine(grpc::ServerContext* context, const v1::DescribeMachineRequest*,
                                       v1::DescribeMachineResponse* r) {
  std::string client;
  if (Status s = caller(*context, client); !s.ok()) return s;
  r->set_machine(options_.machine);  // the shape string, so a client can pass it on to `spindle machine`
  r->set_description(machine_.name);
  r->set_width(machine_.mesh.width);
  r->set_height(machine_.mesh.height);
  r->set_wraps(machine_.mesh.wrap);
  r->set_chips(static_cast<uint32_t>(machine_.alive_chips().size()));
  r->set_cores_per_chip(machine_.cores_per_chip);
  r->set_application_cores(machine_.application_core_count());
  r->set_router_table_capacity(machine_.router_table_capacity);
  r->set_dead_chips(static_cast<uint32_t>(machine_.dead_chips.size()));
  r->set_dead_cores(static_cast<uint32_t>(machine_.dead_cores.size()));
  r->set_dead_links(static_cast<uint32_t>(machine_.dead_links.size()));
  // The registry's backends that spindled offers, and whether each can run here.
  for (const host::BackendType& t : host::backend_types()) {
    if (!t.offered_by_daemon) continue;
    v1::Backend* b = r->add_backends();
    b->set_name(std::string(t.name));
    if (!t.arm_images) {
      b->set_available(true);
      b->set_description(std::string(t.description));
      continue;
    }
    const std::string why = host::qemu_unavailable(host::default_board());
    b->set_available(why.empty());
    std::string boards;
    for (const auto& board : host::boards())
      if (host::qemu_unavailable(board.name).empty()) boards += (boards.empty() ? "" : ", ") + board.name;
    b->set_description(why.empty() ? std::string(t.description) + " (boards: " + boards + "; " +
                                         std::to_string(qemu_budget_.in_use()) + " of " +
                                         std::to_string(qemu_budget_.max()) + " processes in use)"
                                   : why);
  }
  const Limits& l = options_.limits;
  v1::Limits* out = r->mutable_limits();
  out->set_max_jobs(l.max_jobs);
  out->set_max_concurrent_runs(l.max_concurrent_runs);
  out->set_max_neurons(l.max_neurons);
  out->set_max_synapses(l.max_synapses);
  out->set_max_run_ticks(l.max_run_ticks);
  out->set_stream_buffer_bytes(l.stream_buffer_bytes);
  out->set_engine_threads(l.engine_threads);
  out->set_max_queued_runs(l.max_queued_runs);
  out->set_max_qemu_processes(l.max_qemu_processes);
  out->set_max_jobs_per_client(l.max_jobs_per_client);
  out->set_max_runs_per_client(l.max_runs_per_client);
  out->set_max_qemu_processes_per_client(l.max_qemu_processes_per_client);
  out->set_max_inject_spikes_per_request(l.max_inject_spikes_per_request);
  out->set_max_pending_injections(l.max_pending_injections);
  out->set_max_chunk_ticks(l.max_chunk_ticks);
  out->set_max_recordings_per_chunk(l.max_recordings_per_chunk);
  out->set_orphan_grace_seconds(l.orphan_grace_seconds);
  out->set_job_idle_seconds(l.job_idle_seconds);
  r->set_version(SPINDLE_VERSION);
  return Status::OK;
}

Status SpindleService::SubmitNetwork(grpc::ServerContext* context, const v1::SubmitNetworkRequest* request,
                                     v1::SubmitNetworkResponse* response) {
  std::string client;
  if (Status s = caller(*context, client); !s.ok()) return s;
  if (Status s = jobs_.check_room(client); !s.ok()) return s;
  auto job = std::make_shared<Job>();
  job->owner = client;
  job->created_unix_ms = unix_ms();
  job->keep_when_disconnected = request->keep_when_disconnected();
  job->last_used_ms.store(steady_ms());
  std::vector<v1::FieldError> field_errors;
  if (Status s = build_job(*request, machine_, options_.limits, qemu_budget_, *job, field_errors); !s.ok()) {
    if (!field_errors.empty()) {
      v1::ValidationErrors errors;
      for (auto& f : field_errors) *errors.add_errors() = std::move(f);
      context->AddTrailingMetadata("spindle-validation-errors-bin", errors.SerializeAsString());
    }
    return s;
  }
  if (Status s = jobs_.add(job); !s.ok()) return s;
  *response->mutable_job() = job->info();
  for (const auto& p : job->populations) *response->add_populations() = p;
  response->set_mapping_report_json(job->mapping_report_json);
  auto warnings = host::network::range_warnings(job->network);
  warnings.insert(warnings.end(), job->weight_warnings.begin(), job->weight_warnings.end());
  for (const auto& w : warnings) {
    v1::FieldError* f = response->add_warnings();
    f->set_path("network." + w.path);
    f->set_message(w.message);
  }
  return Status::OK;
}

Status SpindleService::Run(grpc::ServerContext* context, const v1::RunRequest* request,
                           grpc::ServerWriter<v1::RunEvent>* writer) {
  std::string client;
  if (Status s = caller(*context, client); !s.ok()) return s;
  std::shared_ptr<Job> job;
  if (Status s = jobs_.find(request->job_id(), client, job); !s.ok()) return s;

  const double dt = job->timestep_ms;
  if (!std::isfinite(request->duration_ms()) || request->duration_ms() < 0)
    return {StatusCode::INVALID_ARGUMENT, "duration_ms: must be a finite number >= 0"};
  const double duration = request->duration_ms() > 0 ? request->duration_ms() : job->network.run().duration_ms();
  // The conversion every path uses (network/run_settings.h), then this
  // daemon's limit per run and what is left of the job's tick counter.
  const host::network::RunTicks run_ticks = host::network::duration_ticks(duration, dt);
  if (!run_ticks.error.empty()) return {StatusCode::OUT_OF_RANGE, "duration_ms: " + run_ticks.error};
  if (run_ticks.ticks > options_.limits.max_run_ticks)
    return {StatusCode::RESOURCE_EXHAUSTED, "duration_ms: " + std::to_string(duration) + " ms is " +
                                                std::to_string(run_ticks.ticks) + " ticks, over the daemon's limit of " +
                                                std::to_string(options_.limits.max_run_ticks) + " per run"};
  if (run_ticks.ticks > host::network::kMaxTicks - job->tick.load())
    return {StatusCode::OUT_OF_RANGE, "duration_ms: the job would pass 2^32 ticks, the engine's tick counter"};
  RunPlan plan;
  plan.ticks = run_ticks.ticks;
  plan.chunk_ticks = request->chunk_ticks() ? request->chunk_ticks() : options_.limits.default_chunk_ticks;
  if (plan.chunk_ticks > options_.limits.max_chunk_ticks)
    return {StatusCode::INVALID_ARGUMENT, "chunk_ticks: " + std::to_string(plan.chunk_ticks) +
                                              " is over the daemon's limit of " +
                                              std::to_string(options_.limits.max_chunk_ticks)};

  auto broadcast = std::make_shared<RunBroadcast>(options_.limits.stream_buffer_bytes);
  std::shared_ptr<EventStream> stream;
  uint64_t ticket = 0;
  {
    std::lock_guard lock(job->m);
    if (job->state != v1::JOB_READY)
      return {StatusCode::FAILED_PRECONDITION,
              "job '" + job->id + "' is " + state_name(job->state) +
                  (job->message.empty() ? "" : " (" + job->message + ")") +
                  (job->state == v1::JOB_RUNNING || job->state == v1::JOB_QUEUED ? "" : "; only a READY job can run")};
    if (const std::string why = runs_per_client_.take(client, 1); !why.empty())
      return {StatusCode::RESOURCE_EXHAUSTED, why + " (--max-runs-per-client)"};
    const std::optional<uint64_t> t = run_queue_.join();
    if (!t) {
      runs_per_client_.give_back(client, 1);
      return {StatusCode::RESOURCE_EXHAUSTED, "the daemon runs its maximum of " +
                                                  std::to_string(options_.limits.max_concurrent_runs) +
                                                  " jobs at once and " + std::to_string(options_.limits.max_queued_runs) +
                                                  " more wait in line; try again when one has finished"};
    }
    ticket = *t;
    stream = broadcast->subscribe(request->stream_buffer_bytes());
    job->broadcast = broadcast;
    job->state = run_queue_.position(ticket) == 0 ? v1::JOB_RUNNING : v1::JOB_QUEUED;
    job->message.clear();
    job->cancel_requested.store(false);
  }
  std::thread runner([this, job, plan, broadcast, ticket, client] {
    const auto release = [this, ticket, client] {
      run_queue_.leave(ticket);
      runs_per_client_.give_back(client, 1);
    };
    if (wait_in_line(*job, ticket, *broadcast, release)) run_job(*job, plan, broadcast, release);
  });
  // The client went away (stream cancelled, connection closed): the run is
  // cancelled, and the job reclaimed after the grace period unless it is
  // kept or a call uses it meanwhile.
  const auto cancel_run = [&] {
    std::lock_guard lock(job->m);
    if (job->message.empty()) job->message = "the Run call was cancelled by its client";
    job->cancel_requested.store(true);
    job->orphaned_ms.store(steady_ms());
  };
  const std::optional<v1::RunFinal> final_event = pump(*stream, writer, context, cancel_run, true);
  runner.join();
  if (!final_event) return {StatusCode::INTERNAL, "the run ended without a final event"};
  return status_of(*final_event);
}

Status SpindleService::Watch(grpc::ServerContext* context, const v1::WatchRequest* request,
                             grpc::ServerWriter<v1::RunEvent>* writer) {
  std::string client;
  if (Status s = caller(*context, client); !s.ok()) return s;
  std::shared_ptr<Job> job;
  if (Status s = jobs_.find(request->job_id(), client, job); !s.ok()) return s;
  std::shared_ptr<RunBroadcast> broadcast;
  std::shared_ptr<EventStream> stream;
  {
    std::lock_guard lock(job->m);
    broadcast = job->broadcast;
    if (broadcast) stream = broadcast->subscribe(request->stream_buffer_bytes());
  }
  if (!stream) return {StatusCode::FAILED_PRECONDITION, "job '" + job->id + "' is not running"};
  const std::optional<v1::RunFinal> final_event =
      pump(*stream, writer, context, [&] { broadcast->unsubscribe(stream); }, false);
  if (!final_event) return {StatusCode::CANCELLED, "the Watch call was cancelled by its client"};
  return status_of(*final_event);
}

Status SpindleService::Inject(grpc::ServerContext* context, grpc::ServerReader<v1::InjectRequest>* reader,
                              v1::InjectSummary* response) {
  std::string client;
  if (Status s = caller(*context, client); !s.ok()) return s;
  std::shared_ptr<Job> job;
  v1::InjectRequest request;
  for (uint64_t n = 0; reader->Read(&request); ++n) {
    const std::string where = "request " + std::to_string(n) + ": ";
    if (shutting_down_.load()) return {StatusCode::UNAVAILABLE, "spindled is shutting down"};
    if (!job || job->id != request.job_id()) {
      Status s = jobs_.find(request.job_id(), client, job);
      if (!s.ok()) return {s.error_code(), where + s.error_message()};
    }
    {
      std::lock_guard lock(job->m);
      if (job->state == v1::JOB_CANCELLED || job->state == v1::JOB_FAILED)
        return {StatusCode::FAILED_PRECONDITION,
                where + "job '" + job->id + "' is " + state_name(job->state) + " and will not run again"};
    }
    if (static_cast<uint64_t>(request.neuron_ids_size()) > options_.limits.max_inject_spikes_per_request)
      return {StatusCode::RESOURCE_EXHAUSTED,
              where + "neuron_ids: " + std::to_string(request.neuron_ids_size()) +
                  " spikes in one request, over the daemon's limit of " +
                  std::to_string(options_.limits.max_inject_spikes_per_request) + " (split them over requests)"};
    const int p = job->population_index(request.population());
    if (p < 0)
      return {StatusCode::INVALID_ARGUMENT, where + "population: no population " +
                                                host::network::quote_for_message(request.population()) + " in job '" + job->id +
                                                "'"};
    uint64_t late = 0;
    const std::optional<uint64_t> tick = request.has_tick() ? std::optional<uint64_t>(request.tick()) : std::nullopt;
    if (Status s = job->inject(static_cast<uint32_t>(p), request.neuron_ids(), tick,
                               options_.limits.max_pending_injections, late);
        !s.ok())
      return {s.error_code(), where + s.error_message()};
    response->set_requests(response->requests() + 1);
    response->set_spikes(response->spikes() + static_cast<uint64_t>(request.neuron_ids_size()));
    response->set_late_spikes(response->late_spikes() + late);
  }
  return Status::OK;
}

// What SetMode and SetLearningRate both check first: the caller, the job
// (one that will run again) and the population, by label.
Status SpindleService::switch_target(grpc::ServerContext& context, const std::string& job_id,
                                     const std::string& population, std::shared_ptr<Job>& job, uint32_t& index) {
  std::string client;
  if (Status s = caller(context, client); !s.ok()) return s;
  if (shutting_down_.load()) return {StatusCode::UNAVAILABLE, "spindled is shutting down"};
  if (Status s = jobs_.find(job_id, client, job); !s.ok()) return s;
  {
    std::lock_guard lock(job->m);
    if (job->state == v1::JOB_CANCELLED || job->state == v1::JOB_FAILED)
      return {StatusCode::FAILED_PRECONDITION,
              "job '" + job->id + "' is " + state_name(job->state) + " and will not run again"};
  }
  const int p = job->population_index(population);
  if (p < 0)
    return {StatusCode::INVALID_ARGUMENT, "population: no population " + host::network::quote_for_message(population) +
                                              " in job '" + job->id + "'"};
  index = static_cast<uint32_t>(p);
  return Status::OK;
}

Status SpindleService::SetMode(grpc::ServerContext* context, const v1::SetModeRequest* request,
                               v1::SetModeResponse* response) {
  std::shared_ptr<Job> job;
  uint32_t p = 0;
  if (Status s = switch_target(*context, request->job_id(), request->population(), job, p); !s.ok()) return s;
  if (static_cast<uint64_t>(request->neuron_ids_size()) > options_.limits.max_inject_spikes_per_request)
    return {StatusCode::RESOURCE_EXHAUSTED, "neuron_ids: " + std::to_string(request->neuron_ids_size()) +
                                                " neurons in one request, over the daemon's limit of " +
                                                std::to_string(options_.limits.max_inject_spikes_per_request) +
                                                " (split them over requests for the same tick)"};
  const std::optional<double> gain = request->has_gain() ? std::optional<double>(request->gain()) : std::nullopt;
  const std::optional<uint64_t> tick = request->has_tick() ? std::optional<uint64_t>(request->tick()) : std::nullopt;
  return job->set_mode(p, request->neuron_ids(), request->threshold_offset(), gain, tick, *response);
}

Status SpindleService::SetLearningRate(grpc::ServerContext* context, const v1::SetLearningRateRequest* request,
                                       v1::SetLearningRateResponse* response) {
  std::shared_ptr<Job> job;
  uint32_t p = 0;
  if (Status s = switch_target(*context, request->job_id(), request->population(), job, p); !s.ok()) return s;
  if (!request->has_scale()) return {StatusCode::INVALID_ARGUMENT, "scale: must be set"};
  const std::optional<uint64_t> tick = request->has_tick() ? std::optional<uint64_t>(request->tick()) : std::nullopt;
  return job->set_learning_rate(p, request->scale(), tick, *response);
}

Status SpindleService::GetWeights(grpc::ServerContext* context, const v1::GetWeightsRequest* request,
                                  grpc::ServerWriter<v1::WeightsChunk>* writer) {
  std::string client;
  if (Status s = caller(*context, client); !s.ok()) return s;
  std::shared_ptr<Job> job;
  if (Status s = jobs_.find(request->job_id(), client, job); !s.ok()) return s;
  const v1::Network& net = job->network;
  auto name_of = [&](int j) {
    const std::string& label = net.projections(j).label();
    return label.empty() ? "projections[" + std::to_string(j) + "]" : label;
  };
  std::vector<bool> wanted(static_cast<size_t>(net.projections_size()), request->projections().empty());
  for (int i = 0; i < request->projections_size(); ++i) {
    int found = -1;
    for (int j = 0; j < net.projections_size() && found < 0; ++j)
      if (name_of(j) == request->projections(i)) found = j;
    if (found < 0)
      return {StatusCode::INVALID_ARGUMENT, "projections[" + std::to_string(i) + "]: no projection " +
                                                host::network::quote_for_message(request->projections(i)) +
                                                " in job '" + job->id + "'"};
    if (!net.projections(found).synapse_dynamics().has_stdp())
      return {StatusCode::INVALID_ARGUMENT, "projections[" + std::to_string(i) + "]: projection " +
                                                host::network::quote_for_message(request->projections(i)) +
                                                " has static synapses (no weights change)"};
    wanted[static_cast<size_t>(found)] = true;
  }
  const size_t per_chunk = std::min<size_t>(request->max_per_chunk() ? request->max_per_chunk() : 65536,
                                            options_.limits.max_recordings_per_chunk);
  std::vector<host::ProjectionWeights> weights;
  uint64_t tick = 0;
  {
    // Between the runner's chunks: the cores are between ticks.
    std::lock_guard lock(job->engine_m);
    if (!job->engine) return {StatusCode::FAILED_PRECONDITION, "job '" + job->id + "' has no engine (it failed to start)"};
    try {
      weights = host::read_plastic_weights(*job->engine, job->plastic_cores);
    } catch (const std::exception& e) {
      return {StatusCode::FAILED_PRECONDITION, std::string("job '") + job->id + "': " + e.what()};
    }
    tick = job->engine->ticks_run();
  }
  for (const host::ProjectionWeights& w : weights) {
    if (!wanted[w.projection]) continue;
    size_t begin = 0;
    do {
      const size_t end = std::min(w.weight.size(), begin + per_chunk);
      v1::WeightsChunk chunk;
      chunk.set_projection_index(w.projection);
      chunk.set_projection(name_of(static_cast<int>(w.projection)));
      chunk.set_tick(tick);
      const auto b = static_cast<ptrdiff_t>(begin), e = static_cast<ptrdiff_t>(end);
      chunk.mutable_pre()->Add(w.pre.begin() + b, w.pre.begin() + e);
      chunk.mutable_post()->Add(w.post.begin() + b, w.post.begin() + e);
      chunk.mutable_weight()->Add(w.weight.begin() + b, w.weight.begin() + e);
      if (!writer->Write(chunk)) return {StatusCode::CANCELLED, "the client went away"};
      begin = end;
    } while (begin < w.weight.size());
  }
  return Status::OK;
}

Status SpindleService::GetRecordings(grpc::ServerContext* context, const v1::GetRecordingsRequest* request,
                                     grpc::ServerWriter<v1::RecordingsChunk>* writer) {
  std::string client;
  if (Status s = caller(*context, client); !s.ok()) return s;
  std::shared_ptr<Job> job;
  if (Status s = jobs_.find(request->job_id(), client, job); !s.ok()) return s;
  std::vector<bool> wanted(job->populations.size(), request->populations().empty());
  for (int i = 0; i < request->populations_size(); ++i) {
    const int p = job->population_index(request->populations(i));
    if (p < 0)
      return {StatusCode::INVALID_ARGUMENT, "populations[" + std::to_string(i) + "]: no population " +
                                                host::network::quote_for_message(request->populations(i)) + " in job '" +
                                                job->id + "'"};
    wanted[static_cast<size_t>(p)] = true;
  }
  const bool want_spikes = request->spikes() || !request->state();
  const bool want_state = request->state() || !request->spikes();
  // Capped, so a chunk stays far below gRPC's default 4 MB message.
  const size_t per_chunk = std::min<size_t>(request->max_per_chunk() ? request->max_per_chunk() : 65536,
                                            options_.limits.max_recordings_per_chunk);

  std::vector<PopulationSpikes> spikes;
  std::map<std::pair<uint32_t, v1::RecordVariable>, StateSeries> states;
  {
    std::lock_guard lock(job->engine_m);
    if (want_spikes) spikes = job->all_spikes();
    if (want_state)
      for (const SliceSite& site : job->sites) {
        if (!wanted[site.population]) continue;
        for (const fw::StateRecord& r : site.slot->states) {
          const v1::RecordVariable var = record_variable(r.variable);
          if (job->selection && !job->selection->keep_state(site.population, var, site.lo_atom + r.neuron, r.tick))
            continue;  // the core records the union of the recordings
          StateSeries& s = states[{site.population, var}];
          s.neurons.push_back(site.lo_atom + r.neuron);
          s.ticks.push_back(r.tick);
          s.values.push_back(host::to_double(fw::Accum::from_raw(r.value)));
        }
      }
  }
  for (size_t p = 0; p < spikes.size(); ++p) {
    if (!wanted[p] || !job->records_spikes[p]) continue;
    const PopulationSpikes& s = spikes[p];
    size_t begin = 0;
    do {  // one (possibly empty) chunk at least, so every recorded population is listed
      const size_t end = std::min(s.neurons.size(), begin + per_chunk);
      v1::RecordingsChunk chunk;
      v1::SpikeBatch* b = chunk.mutable_spikes();
      b->set_population_index(static_cast<uint32_t>(p));
      b->set_population(job->populations[p].label());
      b->mutable_neuron_ids()->Add(s.neurons.begin() + static_cast<ptrdiff_t>(begin),
                                   s.neurons.begin() + static_cast<ptrdiff_t>(end));
      b->mutable_ticks()->Add(s.ticks.begin() + static_cast<ptrdiff_t>(begin),
                              s.ticks.begin() + static_cast<ptrdiff_t>(end));
      b->set_from_tick(0);
      b->set_to_tick(job->tick.load());
      if (!writer->Write(chunk)) return {StatusCode::CANCELLED, "the client went away"};
      begin = end;
    } while (begin < s.neurons.size());
  }
  for (auto& entry : states) {
    // Not a structured binding: clang before 16 cannot capture one in a lambda.
    const auto& key = entry.first;
    StateSeries& s = entry.second;
    // Slices record in tick order; order across slices by tick, then neuron.
    std::vector<size_t> order(s.ticks.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return s.ticks[a] != s.ticks[b] ? s.ticks[a] < s.ticks[b] : s.neurons[a] < s.neurons[b];
    });
    for (size_t begin = 0; begin < order.size(); begin += per_chunk) {
      const size_t end = std::min(order.size(), begin + per_chunk);
      v1::RecordingsChunk chunk;
      v1::StateBatch* b = chunk.mutable_state();
      b->set_population_index(key.first);
      b->set_population(job->populations[key.first].label());
      b->set_variable(key.second);
      for (size_t k = begin; k < end; ++k) {
        b->add_neuron_ids(s.neurons[order[k]]);
        b->add_ticks(s.ticks[order[k]]);
        b->add_values(s.values[order[k]]);
      }
      if (!writer->Write(chunk)) return {StatusCode::CANCELLED, "the client went away"};
    }
  }
  return Status::OK;
}

Status SpindleService::Cancel(grpc::ServerContext* context, const v1::CancelRequest* request, v1::JobInfo* response) {
  std::string client;
  if (Status s = caller(*context, client); !s.ok()) return s;
  std::shared_ptr<Job> job;
  if (Status s = jobs_.find(request->job_id(), client, job); !s.ok()) return s;
  {
    std::unique_lock lock(job->m);
    if (active(job->state)) {
      job->message = "cancelled by a Cancel call";
      job->cancel_requested.store(true);
      // The runner stops after its current chunk (or leaves the line).
      if (!job->state_changed.wait_for(lock, kCancelWait, [&] { return !active(job->state); }))
        return {StatusCode::DEADLINE_EXCEEDED, "job '" + job->id + "' did not stop within 60 s"};
    } else if (job->state == v1::JOB_READY) {
      job->state = v1::JOB_CANCELLED;
      job->message = "cancelled by a Cancel call";
    }
  }
  *response = job->info();
  return Status::OK;
}

Status SpindleService::DeleteJob(grpc::ServerContext* context, const v1::DeleteJobRequest* request,
                                 v1::DeleteJobResponse*) {
  std::string client;
  if (Status s = caller(*context, client); !s.ok()) return s;
  std::shared_ptr<Job> job;
  if (Status s = jobs_.find(request->job_id(), client, job); !s.ok()) return s;
  {
    std::lock_guard lock(job->m);
    if (active(job->state))
      return {StatusCode::FAILED_PRECONDITION,
              "job '" + job->id + "' is " + state_name(job->state) + "; Cancel it first"};
    // A Run that found the job before it left the table must not start it.
    job->state = v1::JOB_CANCELLED;
    job->message = "deleted";
  }
  jobs_.remove(job->id);
  job.reset();
  release_memory();
  return Status::OK;
}

Status SpindleService::ListJobs(grpc::ServerContext* context, const v1::ListJobsRequest*,
                                v1::ListJobsResponse* response) {
  std::string client;
  if (Status s = caller(*context, client); !s.ok()) return s;
  for (const auto& job : jobs_.list(client)) *response->add_jobs() = job->info();
  return Status::OK;
}

void SpindleService::release_memory() {
  // A job's engine and images are many small allocations; glibc keeps
  // freed memory for reuse unless told to give it back, so the daemon's
  // RSS would stay at its high-water mark after jobs go.
  ::malloc_trim(0);
}

void SpindleService::reap_jobs() {
  const Limits& l = options_.limits;
  std::unique_lock lock(reaper_m_);
  int64_t alive_at_trim = Job::alive();
  while (!reaper_cv_.wait_for(lock, kReapEvery, [&] { return shutting_down_.load(); })) {
    const int64_t now = steady_ms();
    // A job leaves memory when its last holder lets go, which may be a call
    // that ended after the job left the table: trim once fewer are alive.
    if (Job::alive() < alive_at_trim) release_memory();
    alive_at_trim = Job::alive();
    bool reaped = false;
    for (const auto& job : jobs_.list()) {
      std::string why;
      {
        std::lock_guard state_lock(job->m);
        if (active(job->state)) continue;
        const int64_t orphaned = job->orphaned_ms.load();
        if (orphaned != 0 && !job->keep_when_disconnected &&
            now - orphaned >= int64_t{l.orphan_grace_seconds} * 1000) {
          why = "its client went away " + std::to_string(l.orphan_grace_seconds) + " s ago";
        } else if (l.job_idle_seconds > 0 && now - job->last_used_ms.load() >= int64_t{l.job_idle_seconds} * 1000) {
          why = "no call used it for " + std::to_string(l.job_idle_seconds) + " s";
        }
        if (why.empty()) continue;
        // A Run that found the job before it left the table must not start it.
        job->state = v1::JOB_CANCELLED;
        job->message = "deleted: " + why;
      }
      jobs_.remove(job->id);
      std::fprintf(stdout, "spindled: %s of client '%s' deleted: %s\n", job->id.c_str(), job->owner.c_str(),
                   why.c_str());
      std::fflush(stdout);
      reaped = true;
    }
    if (reaped) release_memory();
  }
}

std::vector<std::string> SpindleService::shut_down(double grace_seconds) {
  shutting_down_.store(true);
  reaper_cv_.notify_all();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                               std::chrono::duration<double>(grace_seconds));
  std::vector<std::string> lines;
  for (const auto& job : jobs_.list()) {
    std::unique_lock lock(job->m);
    if (!active(job->state)) continue;
    const std::string who = job->id + " of client '" + job->owner + "'";
    if (job->state_changed.wait_until(lock, deadline, [&] { return !active(job->state); })) {
      lines.push_back(who + ": run finished (" + state_name(job->state) + ", tick " + std::to_string(job->tick.load()) +
                      ")");
      continue;
    }
    const bool queued = job->state == v1::JOB_QUEUED;
    job->message = "cancelled: spindled is shutting down";
    job->cancel_requested.store(true);
    job->state_changed.wait_for(lock, kCancelWait, [&] { return !active(job->state); });
    lines.push_back(who + (queued ? ": queued run cancelled before it started, at tick " : ": run cancelled at tick ") +
                    std::to_string(job->tick.load()));
  }
  return lines;
}

}  // namespace spindle::daemon
