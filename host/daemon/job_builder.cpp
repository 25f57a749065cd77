#include "daemon/job_builder.h"

#include <algorithm>
#include <chrono>
#include <new>
#include <optional>
#include <set>
#include <stdexcept>

#include "backend/backend.h"
#include "boards/boards.h"
#include "job/prepare.h"
#include "mapping/core_images.h"
#include "mapping/fit_check.h"
#include "mapping/from_network.h"
#include "mapping/pipeline.h"
#include "mapping/report.h"
#include "network/run_settings.h"
#include "network/size_estimate.h"
#include "network/validate.h"

namespace spindle::daemon {
namespace {

using grpc::StatusCode;

constexpr uint32_t kDefaultTickTimeoutMs = 5000;    // as `spindle run --qemu-timeout`
constexpr uint32_t kMaxTickTimeoutMs = 10 * 60 * 1000;

// The backends spindled offers (the registry's offered_by_daemon).
std::string daemon_backends() {
  std::string s;
  for (const host::BackendType& t : host::backend_types())
    if (t.offered_by_daemon) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

// The request's backend type, and the options that can be checked before
// mapping. QemuOptions are the only backend-specific options of a request.
grpc::Status check_backend(const v1::SubmitNetworkRequest& request, const host::BackendType*& type) {
  const std::string backend = request.backend().empty() ? "native" : request.backend();
  type = host::find_backend_type(backend);
  if (type == nullptr || !type->offered_by_daemon)
    return {StatusCode::INVALID_ARGUMENT,
            "backend: '" + backend + "' is not a backend of spindled (" + daemon_backends() + ")"};
  const bool qemu = type->name == "qemu";
  if (!qemu) {
    if (request.has_qemu())
      return {StatusCode::INVALID_ARGUMENT, "qemu: options given for backend '" + backend +
                                                "'; they need backend \"qemu\""};
    return grpc::Status::OK;
  }
  const v1::QemuOptions& q = request.qemu();
  const std::string board = q.board().empty() ? host::default_board() : q.board();
  if (!host::find_board(board))
    return {StatusCode::INVALID_ARGUMENT, "qemu.board: unknown board '" + board + "' (boards: " + host::board_names() + ")"};
  if (q.tick_timeout_ms() > kMaxTickTimeoutMs)
    return {StatusCode::INVALID_ARGUMENT, "qemu.tick_timeout_ms: " + std::to_string(q.tick_timeout_ms()) +
                                              " is over " + std::to_string(kMaxTickTimeoutMs) + " (10 minutes)"};
  if (const std::string why = host::qemu_unavailable(board); !why.empty())
    return {StatusCode::FAILED_PRECONDITION, "backend: 'qemu' is not available on this daemon: " + why};
  return grpc::Status::OK;
}

// The slices to put under QEMU (nullopt: every core), each checked against
// the mapping; `count` is how many QEMU processes that makes.
grpc::Status qemu_slices(const v1::QemuOptions& q, const host::MachineLoad& load,
                         std::optional<std::set<uint32_t>>& slices, uint32_t& count) {
  count = static_cast<uint32_t>(load.cores.size());
  if (q.slices().empty()) return grpc::Status::OK;
  slices.emplace();
  for (int i = 0; i < q.slices_size(); ++i) {
    const uint32_t s = q.slices(i);
    const std::string field = "qemu.slices[" + std::to_string(i) + "]: slice " + std::to_string(s);
    if (std::none_of(load.cores.begin(), load.cores.end(), [&](const host::CoreLoad& c) { return c.slice == s; }))
      return {StatusCode::INVALID_ARGUMENT, field + " does not exist (the mapping has " +
                                                std::to_string(load.cores.size()) + " slices, 0-" +
                                                std::to_string(load.cores.size() - 1) + ")"};
    if (!slices->insert(s).second) return {StatusCode::INVALID_ARGUMENT, field + " is given twice"};
  }
  count = static_cast<uint32_t>(slices->size());
  return grpc::Status::OK;
}

}  // namespace

grpc::Status build_job(const v1::SubmitNetworkRequest& request, const emu::MachineDescription& daemon_machine,
                       const Limits& limits, ProcessBudget& qemu_budget, Job& job,
                       std::vector<v1::FieldError>& field_errors) {
  const host::BackendType* backend_type = nullptr;
  if (grpc::Status s = check_backend(request, backend_type); !s.ok()) return s;
  if (!request.has_network()) return {StatusCode::INVALID_ARGUMENT, "network: missing"};
  const v1::Network& net = request.network();
  // ARM images hold smaller slices than native cores.
  const emu::MachineDescription machine = host::machine_for(*backend_type, daemon_machine);

  // Sizes first, read off the request without expanding anything, so a
  // small request for a huge network costs nothing (network/size_estimate.h).
  const host::network::SizeEstimate size = host::network::estimate_size(net);
  const uint64_t neurons = size.neurons;
  if (neurons > limits.max_neurons)
    return {StatusCode::RESOURCE_EXHAUSTED, "network: " + std::to_string(neurons) + " neurons is over the daemon's limit of " +
                                                std::to_string(limits.max_neurons)};
  // An upper estimate (exact where the connector fixes the count); the
  // exact count is checked again once the images are built.
  if (size.synapses > static_cast<double>(limits.max_synapses))
    return {StatusCode::RESOURCE_EXHAUSTED, "network: up to " + std::to_string(static_cast<uint64_t>(size.synapses)) +
                                                " synapses is over the daemon's limit of " +
                                                std::to_string(limits.max_synapses)};

  for (const auto& e : host::network::validate_network(net)) {
    v1::FieldError f;
    f.set_path("network." + e.path);
    f.set_message(e.message);
    field_errors.push_back(std::move(f));
  }
  if (!field_errors.empty()) {
    std::string msg = "invalid network (" + std::to_string(field_errors.size()) +
                      (field_errors.size() == 1 ? " error):" : " errors):");
    for (const auto& f : field_errors) msg += "\n" + f.path() + ": " + f.message();
    return {StatusCode::INVALID_ARGUMENT, msg};
  }
  job.network = net;
  job.name = request.name();
  job.real_time = request.real_time();
  job.machine = machine.name;
  job.timestep_ms = net.run().timestep_ms();
  job.neurons = neurons;
  try {
    host::PreparedNetwork prepared;
    try {
      prepared = host::prepare(net, machine, limits.engine_threads);
    } catch (const host::PrepareError& e) {
      switch (e.stage()) {
        case host::PrepareError::Stage::kFit: return {StatusCode::RESOURCE_EXHAUSTED, std::string("network: ") + e.what()};
        case host::PrepareError::Stage::kMapping:
          return {StatusCode::INVALID_ARGUMENT,
                  std::string("network does not map onto machine '") + machine.name + "': " + e.what()};
        case host::PrepareError::Stage::kImages:
          return {StatusCode::INVALID_ARGUMENT, std::string("building core images: ") + e.what()};
      }
    }
    const host::MappingResult& mapping = prepared.mapped.result;
    const host::MachineLoad& load = prepared.load;
    if (load.synapses > limits.max_synapses)
      return {StatusCode::RESOURCE_EXHAUSTED, "network: " + std::to_string(load.synapses) +
                                                  " synapses is over the daemon's limit of " +
                                                  std::to_string(limits.max_synapses)};
    job.synapses = load.synapses;
    job.weight_warnings = prepared.weight_warnings;
    if (request.strict_weights() && !job.weight_warnings.empty()) {
      for (const auto& w : job.weight_warnings) {
        v1::FieldError f;
        f.set_path("network." + w.path);
        f.set_message(w.message);
        field_errors.push_back(std::move(f));
      }
      return {StatusCode::INVALID_ARGUMENT, "strict_weights: " + std::to_string(field_errors.size()) +
                                                " weight warning(s): weights or STDP amplitudes the cores' 16-bit weights lose"};
    }
    job.mapping_report_json = host::mapping_report_json(net, machine, prepared).dump();

    emu::EngineConfig config;
    config.threads = limits.engine_threads;
    config.real_time = request.real_time();
    config.tick_period_us = host::network::tick_period_us(net.run());  // real-time runs: timestep x time_scale_factor
    host::BackendOptions backend_options;
    backend_options.name = std::string(backend_type->name);
    uint32_t processes = 0;
    const bool qemu = backend_type->name == "qemu";
    if (qemu) {
      backend_options.board = request.qemu().board().empty() ? host::default_board() : request.qemu().board();
      const uint32_t timeout = request.qemu().tick_timeout_ms();
      backend_options.link.reply_timeout = std::chrono::milliseconds(timeout ? timeout : kDefaultTickTimeoutMs);
      if (grpc::Status s = qemu_slices(request.qemu(), load, backend_options.slices, processes); !s.ok()) return s;
    }
    std::unique_ptr<host::Backend> backend;
    try {
      backend = host::make_backend(backend_options);
    } catch (const std::invalid_argument& e) {
      return {StatusCode::INVALID_ARGUMENT, std::string("backend: ") + e.what()};
    }
    const auto start = [&] {
      job.engine = host::start_engine(machine, config, prepared, *backend);
      // Cancel reaches the engine between ticks, not only between chunks.
      job.engine->set_stop_flag(&job.cancel_requested);
    };
    if (qemu) {
      if (const std::string why = qemu_budget.take(job.owner, processes); !why.empty())
        return {StatusCode::RESOURCE_EXHAUSTED, why};
      job.backend = "qemu";
      job.board = backend_options.board;
      job.qemu_cores = processes;
      job.qemu_budget = &qemu_budget;  // given back by ~Job, also when loading fails below
      // QEMU processes die with the thread that starts them: the job's own.
      job.process_owner = std::make_unique<ProcessOwner>();
      try {
        job.process_owner->call(start);
      } catch (const std::bad_alloc&) {
        throw;
      } catch (const std::exception& e) {
        return {StatusCode::INTERNAL, std::string("starting the QEMU cores: ") + e.what()};
      }
    } else {
      start();
    }

    for (int p = 0; p < net.populations_size(); ++p) {
      v1::PopulationInfo info;
      info.set_label(net.populations(p).label());
      info.set_size(net.populations(p).size());
      info.set_index(static_cast<uint32_t>(p));
      info.set_cores(mapping.partition.n_slices(static_cast<uint32_t>(p)));
      job.populations.push_back(std::move(info));
    }
    job.selection.emplace(net);
    job.records_spikes.assign(job.populations.size(), false);
    for (size_t p = 0; p < job.populations.size(); ++p)
      job.records_spikes[p] = job.selection->records_spikes(static_cast<uint32_t>(p));

    // Sites in the engine's core order, so spikes are gathered in that order.
    for (const host::CoreLoad& c : load.cores)
      if (!c.plastic.empty()) {
        host::CoreLoad kept{c.chip, c.core, c.slice, {}, c.synapses, {}, c.plastic, c.plastic_weight_unit};
        job.plastic_cores.cores.push_back(std::move(kept));
      }
    for (const host::CoreLoad& c : load.cores) {
      const host::Slice& slice = mapping.partition.slices[c.slice];
      SliceSite s;
      s.population = slice.vertex;
      s.lo_atom = slice.lo_atom;
      s.n_atoms = slice.n_atoms;
      s.key_base = mapping.keys.keys[c.slice].base;
      s.slice = c.slice;
      s.where = {c.chip, c.core};
      s.slot = job.engine->find(s.where);
      if (!s.slot) return {StatusCode::INTERNAL, "core image of slice " + std::to_string(c.slice) + " was not loaded"};
      job.sites.push_back(s);
    }
    std::sort(job.sites.begin(), job.sites.end(), [&](const SliceSite& a, const SliceSite& b) {
      const auto index = [&](const SliceSite& s) {
        return size_t{machine.mesh.index(s.where.chip)} * machine.cores_per_chip + s.where.core;
      };
      return index(a) < index(b);
    });
    job.sites_of_population.assign(job.populations.size(), {});
    for (uint32_t i = 0; i < job.sites.size(); ++i) job.sites_of_population[job.sites[i].population].push_back(i);
    for (auto& list : job.sites_of_population)
      std::sort(list.begin(), list.end(),
                [&](uint32_t a, uint32_t b) { return job.sites[a].lo_atom < job.sites[b].lo_atom; });
    job.spike_cursor.assign(job.sites.size(), 0);
    job.injected_record = InjectedSpikes(job.populations.size());
  } catch (const std::bad_alloc&) {
    return {StatusCode::RESOURCE_EXHAUSTED, "network: out of memory while mapping and loading it"};
  } catch (const std::exception& e) {
    return {StatusCode::INTERNAL, std::string("loading the network: ") + e.what()};
  }
  return grpc::Status::OK;
}

}  // namespace spindle::daemon
