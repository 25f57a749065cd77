// Fuzz target: what spindled does with a SubmitNetwork request and the
// Inject, SetMode and SetLearningRate requests that follow, in-process (no socket, no gRPC
// server): build_job (validation, the daemon's limits, mapping, core images,
// a loaded engine), then the Inject handling of SpindleService::Inject on
// the job (population by label, Job::inject), SetMode's (Job::set_mode) and
// SetLearningRate's (Job::set_learning_rate),
// the runner's hand-over of pending injections and a few ticks (with the
// mode switches made in them), and the recordings, provenance and plastic
// weights a client can fetch.
//
// The input is a spindle.fuzz.DaemonInput (daemon_input.proto) in binary.
// The limits are tight so that an input stays fast: a network the
// daemon's real limits would take but these do not is refused exactly as
// spindled refuses one over its limits (RESOURCE_EXHAUSTED).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include <google/protobuf/stubs/logging.h>

#include "daemon/job.h"
#include "daemon/job_builder.h"
#include "daemon/options.h"
#include "daemon/qemu_processes.h"
#include "job/plastic_weights.h"
#include "daemon_input.pb.h"
#include "machine/machine.h"

namespace {

namespace d = spindle::daemon;

constexpr uint32_t kMaxTicks = 20;
constexpr int kMaxInjectRequests = 16;

d::Limits fuzz_limits() {
  d::Limits l;
  l.max_neurons = 2000;
  l.max_synapses = 20000;
  l.engine_threads = 1;
  l.max_inject_spikes_per_request = 5000;
  l.max_pending_injections = 20000;
  return l;
}

}  // namespace

// Protobuf logs every string field that is not UTF-8; the parse fails
// either way, and the log would bury libFuzzer's output.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const spindle::emu::MachineDescription machine = spindle::emu::machine_from_shape("2x2");
  static const d::Limits limits = fuzz_limits();
  // No QEMU processes: a "qemu" request is refused before any is started.
  static d::ProcessBudget no_qemu(0, 0);

  spindle::fuzz::DaemonInput input;
  if (!input.ParseFromArray(data, static_cast<int>(size))) return 0;
  // Real-time pacing would make the fuzzer wait on the wall clock (up to an
  // hour a tick); it changes when ticks run, not what they do.
  input.mutable_submit()->set_real_time(false);

  d::Job job;
  std::vector<spindle::v1::FieldError> field_errors;
  if (!d::build_job(input.submit(), machine, limits, no_qemu, job, field_errors).ok()) return 0;

  // SpindleService::Inject's handling of each request, on this job.
  for (int i = 0; i < input.inject_size() && i < kMaxInjectRequests; ++i) {
    const spindle::v1::InjectRequest& r = input.inject(i);
    const int p = job.population_index(r.population());
    if (p < 0) continue;
    uint64_t late = 0;
    const std::optional<uint64_t> tick = r.has_tick() ? std::optional<uint64_t>(r.tick()) : std::nullopt;
    if (static_cast<uint64_t>(r.neuron_ids_size()) > limits.max_inject_spikes_per_request) continue;  // as Inject
    (void)job.inject(static_cast<uint32_t>(p), r.neuron_ids(), tick, limits.max_pending_injections, late);
  }

  // SpindleService::SetMode's handling of each request, on this job.
  for (int i = 0; i < input.set_mode_size() && i < kMaxInjectRequests; ++i) {
    const spindle::v1::SetModeRequest& r = input.set_mode(i);
    const int p = job.population_index(r.population());
    if (p < 0 || static_cast<uint64_t>(r.neuron_ids_size()) > limits.max_inject_spikes_per_request) continue;
    spindle::v1::SetModeResponse out;
    (void)job.set_mode(static_cast<uint32_t>(p), r.neuron_ids(), r.threshold_offset(),
                       r.has_gain() ? std::optional<double>(r.gain()) : std::nullopt,
                       r.has_tick() ? std::optional<uint64_t>(r.tick()) : std::nullopt, out);
  }

  // SpindleService::SetLearningRate's, likewise.
  for (int i = 0; i < input.set_learning_rate_size() && i < kMaxInjectRequests; ++i) {
    const spindle::v1::SetLearningRateRequest& r = input.set_learning_rate(i);
    const int p = job.population_index(r.population());
    if (p < 0 || !r.has_scale()) continue;
    spindle::v1::SetLearningRateResponse out;
    (void)job.set_learning_rate(static_cast<uint32_t>(p), r.scale(),
                                r.has_tick() ? std::optional<uint64_t>(r.tick()) : std::nullopt, out);
  }

  // The runner's chunk: pending injections to the engine, ticks, new spikes.
  std::vector<d::PopulationSpikes> fresh;
  const uint32_t ticks = input.run_ticks() % (kMaxTicks + 1);
  {
    std::lock_guard lock(job.engine_m);
    job.schedule_pending();
    if (ticks > 0) job.last_report = job.engine->run(ticks);
    job.take_new_spikes(fresh);
    (void)job.all_spikes();
    (void)job.provenance();
    // GetWeights: the plastic weights read back (a flush of every plastic row).
    (void)spindle::host::read_plastic_weights(*job.engine, job.plastic_cores);
  }
  (void)job.info();
  return 0;
}
