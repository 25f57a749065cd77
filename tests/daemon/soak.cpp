#include "soak.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <google/protobuf/text_format.h>
#include <grpcpp/grpcpp.h>

#include "spindle/v1/service.grpc.pb.h"

namespace spindle::test {
namespace {

using Clock = std::chrono::steady_clock;
using Stub = v1::Spindle::Stub;
using grpc::StatusCode;

// A run that cannot finish before the client cancels or drops it (1e7
// ticks of 1 ms; well inside the daemon's default 1e8 ticks per run).
constexpr double kLongRunMs = 1e7;
// Deadline of every call: generous, the daemon may run under a sanitizer.
constexpr auto kCallDeadline = std::chrono::seconds(120);
// A job whose run was cancelled or dropped and that still runs after this
// is stuck.
constexpr auto kSettleLimit = std::chrono::seconds(60);
// The daemon's reaper looks every 0.5 s; a job due for reclaiming must be
// gone this long after it became due.
constexpr auto kReapSlack = std::chrono::seconds(3);
constexpr size_t kLogLines = 16;  // recent calls kept per client for problem reports

// 20 silent array sources (injection targets) and a Poisson population
// driving a population of IF_curr_exp neurons; spikes of both recorded.
v1::Network soak_network(std::mt19937_64& rng) {
  std::ostringstream text;
  text << "run { timestep_ms: 1.0 duration_ms: 40 seed: " << (rng() % 1000 + 1) << " }\n"
       << "populations { label: \"stim\" size: 20 spike_source_array { } }\n"
       << "populations { label: \"noise\" size: " << (50 + rng() % 100)
       << " spike_source_poisson { rate { constant: 40 } } }\n"
       << "populations { label: \"cells\" size: " << (20 + rng() % 40) << " if_curr_exp { } }\n"
       << "projections { pre: \"stim\" post: \"cells\" receptor: EXCITATORY connector { fixed_probability { p: 0.3 } }"
          " weight { constant: 5 } delay { constant: 2 } }\n"
       << "projections { pre: \"noise\" post: \"cells\" receptor: EXCITATORY connector { fixed_probability { p: 0.1 } }"
          " weight { constant: 0.5 } delay { constant: 1 } }\n"
       << "recordings { population: \"cells\" variables: [SPIKES] }\n"
       << "recordings { population: \"stim\" variables: [SPIKES] }\n";
  v1::Network net;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &net)) throw std::runtime_error("bad soak network");
  return net;
}

bool active(v1::JobState s) { return s == v1::JOB_RUNNING || s == v1::JOB_QUEUED; }

std::string code_name(StatusCode c) {
  switch (c) {
    case StatusCode::OK: return "OK";
    case StatusCode::CANCELLED: return "CANCELLED";
    case StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case StatusCode::NOT_FOUND: return "NOT_FOUND";
    case StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case StatusCode::INTERNAL: return "INTERNAL";
    case StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    default: return "code " + std::to_string(static_cast<int>(c));
  }
}

std::string describe(const grpc::Status& s) {
  return code_name(s.error_code()) + (s.error_message().empty() ? "" : " (" + s.error_message() + ")");
}

// What the clients share: counters, problems, every job id submitted (for
// calls on another client's job).
struct Shared {
  std::atomic<uint64_t> calls{0}, jobs_submitted{0}, runs_completed{0}, runs_cancelled{0}, runs_dropped{0},
      runs_refused{0}, injections{0}, cancels{0}, deletes{0}, disconnects{0}, list_checks{0}, reclaimed_orphans{0},
      reclaimed_idle{0};
  std::mutex m;
  std::vector<std::string> problems;          // m
  std::vector<std::pair<unsigned, std::string>> job_ids;  // m: (client, job id)
};

// One job as its client believes it to be.
struct ModelJob {
  std::string id;
  bool keep = false;                 // keep_when_disconnected
  bool settled = true;               // false after a dropped stream until the daemon shows it stopped
  Clock::time_point unsettled_since;
  v1::JobState state = v1::JOB_READY;
  uint64_t ticks = 0;
  // The start of the last call that named the job: the daemon marked it
  // used at or after this (JobTable::find).
  Clock::time_point last_used;
  // The start of a drop of its Run stream, while the daemon may hold it as
  // orphaned (a later call clears that once the job has stopped).
  std::optional<Clock::time_point> dropped;
};

class Client {
 public:
  Client(const SoakOptions& o, unsigned index, Shared& shared)
      : o_(o), index_(index), name_("soak-" + std::to_string(index)), shared_(shared),
        rng_(o.seed * 1'000'003u + index) {
    reconnect();
  }

  void run(Clock::time_point until) {
    while (Clock::now() < until) step();
    finish();
  }

 private:
  // --- calls ------------------------------------------------------------------
  void reconnect() {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    stub_ = v1::Spindle::NewStub(grpc::CreateCustomChannel(o_.address, grpc::InsecureChannelCredentials(), args));
  }

  std::unique_ptr<grpc::ClientContext> context() {
    auto c = std::make_unique<grpc::ClientContext>();
    c->AddMetadata("spindle-client", name_);
    c->set_deadline(std::chrono::system_clock::now() + kCallDeadline);
    shared_.calls.fetch_add(1);
    return c;
  }

  void log(const std::string& line) {
    log_.push_back(line);
    if (log_.size() > kLogLines) log_.pop_front();
  }

  void problem(const std::string& what) {
    std::string text = name_ + " (seed " + std::to_string(o_.seed) + "): " + what + "\n  recent calls:";
    for (const auto& l : log_) text += "\n    " + l;
    std::lock_guard lock(shared_.m);
    shared_.problems.push_back(text);
  }

  void expect(const grpc::Status& s, std::initializer_list<StatusCode> allowed, const std::string& call) {
    log(call + " -> " + describe(s));
    if (std::find(allowed.begin(), allowed.end(), s.error_code()) == allowed.end())
      problem(call + " answered " + describe(s));
  }

  // --- the model ---------------------------------------------------------------
  // Whether the daemon may have deleted the job by `now` on its own.
  bool may_be_reclaimed(const ModelJob& j, Clock::time_point now, bool* orphan) const {
    const bool as_orphan = j.dropped && !j.keep && now - *j.dropped >= std::chrono::seconds(o_.orphan_grace_seconds);
    const bool as_idle = o_.job_idle_seconds > 0 && now - j.last_used >= std::chrono::seconds(o_.job_idle_seconds);
    if (orphan) *orphan = as_orphan;
    return as_orphan || as_idle;
  }

  // Whether the daemon must have deleted it by `now`.
  bool must_be_reclaimed(const ModelJob& j, Clock::time_point now) const {
    if (!j.settled) return false;
    const bool as_orphan =
        j.dropped && !j.keep && now - *j.dropped >= std::chrono::seconds(o_.orphan_grace_seconds) + kReapSlack;
    const bool as_idle =
        o_.job_idle_seconds > 0 && now - j.last_used >= std::chrono::seconds(o_.job_idle_seconds) + kReapSlack;
    return as_orphan || as_idle;
  }

  // A call named the job at `start` and the daemon found it.
  void used(ModelJob& j, Clock::time_point start) {
    j.last_used = start;
    if (j.settled) j.dropped.reset();
  }

  // A call on the job answered NOT_FOUND: fine if the daemon may have
  // reclaimed it; either way it is gone from the model.
  void vanished(const std::string id, const std::string& call) {
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    bool orphan = false;
    if (may_be_reclaimed(it->second, Clock::now(), &orphan)) {
      (orphan ? shared_.reclaimed_orphans : shared_.reclaimed_idle).fetch_add(1);
    } else {
      problem(call + ": job " + id + " vanished though it was neither orphaned nor idle long enough");
    }
    deleted_.push_back(id);
    jobs_.erase(it);
  }

  // Compares ListJobs with the model; `final_check`: jobs due for
  // reclaiming must be gone.
  bool check_list(bool final_check = false) {
    v1::ListJobsResponse resp;
    const grpc::Status s = stub_->ListJobs(context().get(), {}, &resp);
    expect(s, {StatusCode::OK}, "ListJobs");
    if (!s.ok()) return false;
    shared_.list_checks.fetch_add(1);
    const auto now = Clock::now();
    std::map<std::string, v1::JobInfo> listed;
    for (const auto& j : resp.jobs()) listed[j.job_id()] = j;
    for (const auto& [id, info] : listed)
      if (!jobs_.count(id))
        problem("ListJobs lists " + id + " (" + v1::JobState_Name(info.state()) + "), which this client " +
                (std::find(deleted_.begin(), deleted_.end(), id) != deleted_.end() ? "deleted" : "does not hold"));
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      ModelJob& j = it->second;
      const auto l = listed.find(j.id);
      if (l == listed.end()) {
        ++it;
        vanished(j.id, "ListJobs");
        continue;
      }
      const v1::JobInfo& info = l->second;
      if (!j.settled) {
        if (active(info.state())) {
          if (now - j.unsettled_since > kSettleLimit)
            problem(j.id + " still " + v1::JobState_Name(info.state()) + " " +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - j.unsettled_since).count()) +
                    " s after its Run stream was dropped");
        } else {
          if (info.state() != v1::JOB_CANCELLED)
            problem(j.id + " is " + v1::JobState_Name(info.state()) + " after its Run stream was dropped mid-run");
          j.settled = true;
          j.state = info.state();
          j.ticks = info.ticks();
        }
      } else if (info.state() != j.state || info.ticks() != j.ticks) {
        problem("ListJobs: " + j.id + " is " + v1::JobState_Name(info.state()) + " at tick " +
                std::to_string(info.ticks()) + "; the client expects " + v1::JobState_Name(j.state) + " at tick " +
                std::to_string(j.ticks));
        j.state = info.state();
        j.ticks = info.ticks();
      }
      if (final_check && must_be_reclaimed(j, now))
        problem(j.id + " is still listed though it is due for reclaiming (" +
                (j.dropped && !j.keep ? "orphaned" : "idle") + ")");
      ++it;
    }
    return true;
  }

  // A job of the model matching `pred`, chosen by the generator.
  ModelJob* pick(const std::function<bool(const ModelJob&)>& pred) {
    std::vector<ModelJob*> candidates;
    for (auto& [id, j] : jobs_)
      if (pred(j)) candidates.push_back(&j);
    const uint64_t r = rng_();
    return candidates.empty() ? nullptr : candidates[r % candidates.size()];
  }

  static bool ready(const ModelJob& j) { return j.settled && j.state == v1::JOB_READY; }
  static bool settled(const ModelJob& j) { return j.settled; }

  // --- operations --------------------------------------------------------------
  void submit(bool keep) {
    v1::SubmitNetworkRequest req;
    *req.mutable_network() = soak_network(rng_);
    req.set_keep_when_disconnected(keep);
    v1::SubmitNetworkResponse resp;
    const auto start = Clock::now();
    const grpc::Status s = stub_->SubmitNetwork(context().get(), req, &resp);
    expect(s, {StatusCode::OK, StatusCode::RESOURCE_EXHAUSTED}, std::string("SubmitNetwork") + (keep ? " (kept)" : ""));
    if (!s.ok()) return;
    ModelJob j;
    j.id = resp.job().job_id();
    j.keep = keep;
    j.state = resp.job().state();
    j.last_used = start;
    if (j.state != v1::JOB_READY) problem("a new job " + j.id + " is " + v1::JobState_Name(j.state));
    log("  " + j.id);
    shared_.jobs_submitted.fetch_add(1);
    {
      std::lock_guard lock(shared_.m);
      shared_.job_ids.emplace_back(index_, j.id);
    }
    jobs_[j.id] = j;
  }

  // Run to the end: the final event says how far it got.
  void run_full(ModelJob& j, bool with_injection) {
    const uint64_t ticks = 10 + rng_() % 40;
    const uint32_t chunk = 1 + static_cast<uint32_t>(rng_() % 20);
    const std::string id = j.id;
    v1::RunRequest req;
    req.set_job_id(id);
    req.set_duration_ms(static_cast<double>(ticks));
    req.set_chunk_ticks(chunk);
    const auto start = Clock::now();
    auto ctx = context();
    auto reader = stub_->Run(ctx.get(), req);
    v1::RunEvent e;
    std::optional<v1::RunFinal> final_event;
    bool injected = false;
    while (reader->Read(&e)) {
      if (e.has_final()) final_event = e.final();
      if (with_injection && !injected) {  // while the run goes on
        injected = true;
        inject(j, true);
      }
    }
    const grpc::Status s = reader->Finish();
    if (!jobs_.count(id)) return;  // the injection found it gone (a problem already)
    const std::string call = "Run " + j.id + " " + std::to_string(ticks) + " ticks, chunk " + std::to_string(chunk) +
                             (with_injection ? ", injecting" : "");
    expect(s, {StatusCode::OK, StatusCode::RESOURCE_EXHAUSTED, StatusCode::NOT_FOUND}, call);
    if (s.error_code() == StatusCode::NOT_FOUND) return vanished(j.id, call);
    used(j, start);
    if (s.error_code() == StatusCode::RESOURCE_EXHAUSTED) {
      shared_.runs_refused.fetch_add(1);
      return;
    }
    if (!s.ok()) return;
    shared_.runs_completed.fetch_add(1);
    if (!final_event || final_event->status() != v1::RUN_COMPLETED || final_event->ticks_run() != ticks ||
        final_event->job_tick() != j.ticks + ticks)
      problem(call + ": the final event does not say " + std::to_string(ticks) + " ticks completed from tick " +
              std::to_string(j.ticks) + (final_event ? ": " + final_event->ShortDebugString() : ": none"));
    j.ticks += ticks;
  }

  // A long run, cancelled (Cancel) or dropped (the stream cancelled, and
  // with `disconnect` the channel closed) after a few events.
  void run_interrupted(ModelJob& j, bool cancel, bool disconnect) {
    const int events = 1 + static_cast<int>(rng_() % 3);
    v1::RunRequest req;
    req.set_job_id(j.id);
    req.set_duration_ms(kLongRunMs);
    req.set_chunk_ticks(1 + static_cast<uint32_t>(rng_() % 10));
    const auto start = Clock::now();
    auto ctx = context();
    auto reader = stub_->Run(ctx.get(), req);
    v1::RunEvent e;
    int seen = 0;
    bool ended = false;
    while (seen < events) {
      if (!reader->Read(&e)) {
        ended = true;
        break;
      }
      if (e.has_final()) problem("Run " + j.id + ": a final event before any Cancel: " + e.ShortDebugString());
      ++seen;
    }
    const std::string what = cancel ? "cancelled" : disconnect ? "disconnected" : "dropped";
    const std::string call = "Run " + j.id + " (long, " + what + " after " + std::to_string(events) + " events)";
    if (ended) {  // refused before it started
      const grpc::Status s = reader->Finish();
      expect(s, {StatusCode::RESOURCE_EXHAUSTED, StatusCode::NOT_FOUND}, call);
      if (s.error_code() == StatusCode::NOT_FOUND) return vanished(j.id, call);
      used(j, start);
      shared_.runs_refused.fetch_add(1);
      return;
    }
    used(j, start);
    if (cancel) {
      v1::CancelRequest creq;
      creq.set_job_id(j.id);
      v1::JobInfo info;
      const auto cancel_start = Clock::now();
      const grpc::Status cs = stub_->Cancel(context().get(), creq, &info);
      expect(cs, {StatusCode::OK}, "Cancel " + j.id + " while its Run streams");
      used(j, cancel_start);
      std::optional<v1::RunFinal> final_event;
      while (reader->Read(&e))
        if (e.has_final()) final_event = e.final();
      const grpc::Status s = reader->Finish();
      expect(s, {StatusCode::CANCELLED}, call);
      if (!cs.ok()) return;
      shared_.cancels.fetch_add(1);
      shared_.runs_cancelled.fetch_add(1);
      if (info.state() != v1::JOB_CANCELLED)
        problem("Cancel " + j.id + " during a run answered " + v1::JobState_Name(info.state()));
      if (!final_event || final_event->status() != v1::RUN_CANCELLED || final_event->job_tick() != info.ticks())
        problem(call + ": the final event does not match Cancel's answer (tick " + std::to_string(info.ticks()) +
                "): " + (final_event ? final_event->ShortDebugString() : "none"));
      j.state = info.state();
      j.ticks = info.ticks();
      return;
    }
    j.dropped = Clock::now();
    ctx->TryCancel();
    const grpc::Status s = reader->Finish();
    log(call + " -> " + describe(s));
    reader.reset();
    ctx.reset();
    if (disconnect) {
      reconnect();
      shared_.disconnects.fetch_add(1);
    }
    shared_.runs_dropped.fetch_add(1);
    j.settled = false;
    j.unsettled_since = *j.dropped;
  }

  // Injects spikes into the job's array sources: at the next tick or a
  // later one.
  void inject(ModelJob& j, bool during_run = false) {
    std::vector<v1::InjectRequest> requests(1 + rng_() % 3);
    for (auto& r : requests) {
      r.set_job_id(j.id);
      r.set_population("stim");
      const uint64_t n = 1 + rng_() % 5;
      for (uint64_t k = 0; k < n; ++k) r.add_neuron_ids(static_cast<uint32_t>(rng_() % 20));
      if (rng_() % 2) r.set_tick(j.ticks + rng_() % 50);
    }
    const bool can = j.state != v1::JOB_CANCELLED && j.state != v1::JOB_FAILED;
    const auto start = Clock::now();
    auto ctx = context();
    v1::InjectSummary summary;
    auto writer = stub_->Inject(ctx.get(), &summary);
    for (const auto& r : requests)
      if (!writer->Write(r)) break;
    writer->WritesDone();
    const grpc::Status s = writer->Finish();
    const std::string call = "Inject " + j.id + " " + std::to_string(requests.size()) + " requests" +
                             (during_run ? " (during its run)" : "");
    if (can)
      expect(s, {StatusCode::OK, StatusCode::NOT_FOUND}, call);
    else
      expect(s, {StatusCode::FAILED_PRECONDITION, StatusCode::NOT_FOUND}, call);
    if (s.error_code() == StatusCode::NOT_FOUND) return vanished(j.id, call);
    used(j, start);
    if (s.ok()) {
      shared_.injections.fetch_add(1);
      if (summary.requests() != requests.size())
        problem(call + ": the summary counts " + std::to_string(summary.requests()) + " requests");
    }
  }

  void cancel_idle(ModelJob& j) {
    v1::CancelRequest req;
    req.set_job_id(j.id);
    v1::JobInfo info;
    const auto start = Clock::now();
    const grpc::Status s = stub_->Cancel(context().get(), req, &info);
    const std::string call = "Cancel " + j.id + " (" + v1::JobState_Name(j.state) + ")";
    expect(s, {StatusCode::OK, StatusCode::NOT_FOUND}, call);
    if (s.error_code() == StatusCode::NOT_FOUND) return vanished(j.id, call);
    used(j, start);
    if (!s.ok()) return;
    shared_.cancels.fetch_add(1);
    if (info.state() != v1::JOB_CANCELLED || info.ticks() != j.ticks)
      problem(call + " answered " + v1::JobState_Name(info.state()) + " at tick " + std::to_string(info.ticks()));
    j.state = v1::JOB_CANCELLED;
  }

  void remove(ModelJob& j) {
    v1::DeleteJobRequest req;
    req.set_job_id(j.id);
    v1::DeleteJobResponse resp;
    const grpc::Status s = stub_->DeleteJob(context().get(), req, &resp);
    const std::string id = j.id, call = "DeleteJob " + id;
    expect(s, {StatusCode::OK, StatusCode::NOT_FOUND}, call);
    if (s.error_code() == StatusCode::NOT_FOUND) return vanished(id, call);
    if (!s.ok()) return;
    shared_.deletes.fetch_add(1);
    deleted_.push_back(id);
    jobs_.erase(id);
    // Gone for every call, not just from the list.
    v1::CancelRequest creq;
    creq.set_job_id(id);
    v1::JobInfo info;
    expect(stub_->Cancel(context().get(), creq, &info), {StatusCode::NOT_FOUND}, "Cancel " + id + " (deleted)");
  }

  void recordings(ModelJob& j) {
    v1::GetRecordingsRequest req;
    req.set_job_id(j.id);
    req.set_max_per_chunk(1 + static_cast<uint32_t>(rng_() % 64));
    const auto start = Clock::now();
    auto ctx = context();
    auto reader = stub_->GetRecordings(ctx.get(), req);
    v1::RecordingsChunk chunk;
    while (reader->Read(&chunk)) {
    }
    const grpc::Status s = reader->Finish();
    const std::string call = "GetRecordings " + j.id;
    expect(s, {StatusCode::OK, StatusCode::NOT_FOUND}, call);
    if (s.error_code() == StatusCode::NOT_FOUND) return vanished(j.id, call);
    used(j, start);
  }

  // Calls that must be refused: a run of a cancelled job, a deleted job,
  // another client's job.
  void probe() {
    const uint64_t what = rng_() % 3;
    if (what == 0) {
      if (ModelJob* j = pick([](const ModelJob& m) { return m.settled && m.state == v1::JOB_CANCELLED; })) {
        v1::RunRequest req;
        req.set_job_id(j->id);
        const auto start = Clock::now();
        auto ctx = context();
        auto reader = stub_->Run(ctx.get(), req);
        v1::RunEvent e;
        while (reader->Read(&e)) {
        }
        const std::string call = "Run " + j->id + " (cancelled)";
        const grpc::Status s = reader->Finish();
        expect(s, {StatusCode::FAILED_PRECONDITION, StatusCode::NOT_FOUND}, call);
        if (s.error_code() == StatusCode::NOT_FOUND) return vanished(j->id, call);
        used(*j, start);
      }
      return;
    }
    std::string id;
    if (what == 1) {
      if (deleted_.empty()) return;
      id = deleted_[rng_() % deleted_.size()];
    } else {
      std::lock_guard lock(shared_.m);
      std::vector<std::string> foreign;
      for (const auto& [c, job] : shared_.job_ids)
        if (c != index_) foreign.push_back(job);
      if (foreign.empty()) return;
      id = foreign[rng_() % foreign.size()];
    }
    v1::CancelRequest req;
    req.set_job_id(id);
    v1::JobInfo info;
    const grpc::Status s = stub_->Cancel(context().get(), req, &info);
    if (what == 1)
      expect(s, {StatusCode::NOT_FOUND}, "Cancel " + id + " (deleted)");
    else
      expect(s, {StatusCode::PERMISSION_DENIED, StatusCode::NOT_FOUND}, "Cancel " + id + " (another client's)");
  }

  // Brings dropped jobs up to date before a choice that needs their state.
  void settle_some() {
    if (std::any_of(jobs_.begin(), jobs_.end(), [](const auto& e) { return !e.second.settled; })) check_list();
  }

  void step() {
    const uint64_t op = rng_() % 100;
    settle_some();
    ModelJob* j = nullptr;
    if (op < 12) {
      if (jobs_.size() < o_.jobs_per_client) return submit(rng_() % 4 == 0);
      check_list();
    } else if (op < 30) {
      if ((j = pick(ready))) run_full(*j, false);
    } else if (op < 38) {
      if ((j = pick(ready))) run_full(*j, true);
    } else if (op < 46) {
      if ((j = pick(ready))) run_interrupted(*j, true, false);
    } else if (op < 54) {
      if ((j = pick(ready))) run_interrupted(*j, false, false);
    } else if (op < 58) {
      if ((j = pick(ready))) run_interrupted(*j, false, true);
    } else if (op < 66) {
      if ((j = pick(settled))) inject(*j);
    } else if (op < 71) {
      if ((j = pick(ready))) cancel_idle(*j);
    } else if (op < 81) {
      if ((j = pick(settled))) remove(*j);
    } else if (op < 87) {
      if ((j = pick(settled))) recordings(*j);
    } else if (op < 95) {
      check_list();
    } else {
      probe();
    }
    if (!j && jobs_.empty()) submit(false);
  }

  // After the random calls: every run stops, one orphaned and one kept job
  // more, reclaiming checked past the grace, then every job deleted.
  void finish() {
    const auto settle_until = Clock::now() + kSettleLimit + std::chrono::seconds(5);
    while (check_list() && std::any_of(jobs_.begin(), jobs_.end(), [](const auto& e) { return !e.second.settled; }) &&
           Clock::now() < settle_until)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (const auto& [id, j] : jobs_)
      if (!j.settled) problem(id + " never stopped running after its Run stream was dropped");
    // Room for two more jobs.
    for (size_t tries = jobs_.size(); jobs_.size() + 2 > o_.jobs_per_client && tries > 0; --tries)
      if (ModelJob* j = pick(settled)) remove(*j);
    for (const bool keep : {false, true}) {
      submit(keep);
      if (ModelJob* j = pick([&](const ModelJob& m) { return ready(m) && m.keep == keep && !m.dropped; }))
        run_interrupted(*j, false, false);
    }
    // Past the grace and the idle time of every job that ought to go.
    Clock::time_point due = Clock::now();
    for (const auto& [id, j] : jobs_) {
      if (j.dropped && !j.keep) due = std::max(due, *j.dropped + std::chrono::seconds(o_.orphan_grace_seconds));
    }
    due += kReapSlack;
    while (Clock::now() < due) {
      check_list();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    check_list(true);
    std::vector<std::string> ids;
    for (const auto& [id, j] : jobs_) ids.push_back(id);
    for (const std::string& id : ids)
      if (jobs_.at(id).settled) remove(jobs_.at(id));
    for (const auto& [id, j] : jobs_) problem(id + " could not be deleted at the end");
    jobs_.clear();
    v1::ListJobsResponse resp;
    expect(stub_->ListJobs(context().get(), {}, &resp), {StatusCode::OK}, "ListJobs (at the end)");
    for (const auto& info : resp.jobs())
      problem("after deleting all its jobs, ListJobs still lists " + info.job_id() + " (" +
              v1::JobState_Name(info.state()) + ")");
  }

  const SoakOptions& o_;
  const unsigned index_;
  const std::string name_;
  Shared& shared_;
  std::mt19937_64 rng_;
  std::unique_ptr<Stub> stub_;
  std::map<std::string, ModelJob> jobs_;
  std::vector<std::string> deleted_;
  std::deque<std::string> log_;
};

}  // namespace

uint64_t rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key)
    if (key == "VmRSS:") {
      uint64_t kb = 0;
      in >> kb;
      return kb;
    }
  return 0;
}

SoakReport run_soak(const SoakOptions& o) {
  Shared shared;
  SoakReport report;
  const auto start = Clock::now();
  const auto until = start + o.duration;
  const auto warm_end = start + std::chrono::duration_cast<Clock::duration>(o.duration * o.warm_up_fraction);

  std::atomic<bool> clients_done{false};
  std::mutex rss_m;
  uint64_t warm = 0, plateau = 0;
  std::thread sampler([&] {
    while (!clients_done.load()) {
      const uint64_t kb = o.daemon_pid > 0 ? rss_kb(o.daemon_pid) : 0;
      {
        std::lock_guard lock(rss_m);
        uint64_t& high = Clock::now() < warm_end ? warm : plateau;
        high = std::max(high, kb);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  std::vector<std::thread> threads;
  for (unsigned i = 0; i < o.clients; ++i)
    threads.emplace_back([&, i] {
      try {
        Client(o, i, shared).run(until);
      } catch (const std::exception& e) {
        std::lock_guard lock(shared.m);
        shared.problems.push_back("soak-" + std::to_string(i) + ": " + e.what());
      }
    });
  for (auto& t : threads) t.join();
  clients_done.store(true);
  sampler.join();

  // Every job is deleted: the daemon gives freed memory back on its next
  // reaping passes (every 0.5 s).
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  report.rss_end_kb = o.daemon_pid > 0 ? rss_kb(o.daemon_pid) : 0;
  report.rss_warm_kb = warm;
  report.rss_plateau_kb = plateau;
  report.calls = shared.calls.load();
  report.jobs_submitted = shared.jobs_submitted.load();
  report.runs_completed = shared.runs_completed.load();
  report.runs_cancelled = shared.runs_cancelled.load();
  report.runs_dropped = shared.runs_dropped.load();
  report.runs_refused = shared.runs_refused.load();
  report.injections = shared.injections.load();
  report.cancels = shared.cancels.load();
  report.deletes = shared.deletes.load();
  report.disconnects = shared.disconnects.load();
  report.list_checks = shared.list_checks.load();
  report.reclaimed_orphans = shared.reclaimed_orphans.load();
  report.reclaimed_idle = shared.reclaimed_idle.load();
  report.problems = shared.problems;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace spindle::test
