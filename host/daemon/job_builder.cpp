#include "daemon/job_builder.h"

#include <algorithm>
#include <new>
#include <stdexcept>

#include "mapping/core_images.h"
#include "mapping/from_network.h"
#include "mapping/pipeline.h"
#include "mapping/report.h"
#include "network/validate.h"

namespace spindle::daemon {

grpc::Status build_job(const v1::SubmitNetworkRequest& request, const emu::MachineDescription& machine,
                       const Limits& limits, Job& job, std::vector<v1::FieldError>& field_errors) {
  using grpc::StatusCode;
  if (!request.backend().empty() && request.backend() != "native")
    return {StatusCode::INVALID_ARGUMENT, "backend: '" + request.backend() + "' is not available (available: native)"};
  if (!request.has_network()) return {StatusCode::INVALID_ARGUMENT, "network: missing"};
  const v1::Network& net = request.network();

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

  uint64_t neurons = 0;
  for (const auto& p : net.populations()) neurons += p.size();
  if (neurons > limits.max_neurons)
    return {StatusCode::RESOURCE_EXHAUSTED, "network: " + std::to_string(neurons) + " neurons is over the daemon's limit of " +
                                                std::to_string(limits.max_neurons)};
  // A cheap bound before expanding anything; the exact count is checked below.
  double expected = 0;
  for (int j = 0; j < net.projections_size(); ++j) expected += host::expected_synapses(net, static_cast<size_t>(j));
  if (expected > 1.5 * static_cast<double>(limits.max_synapses))
    return {StatusCode::RESOURCE_EXHAUSTED, "network: about " + std::to_string(static_cast<uint64_t>(expected)) +
                                                " synapses is over the daemon's limit of " +
                                                std::to_string(limits.max_synapses)};

  job.network = net;
  job.name = request.name();
  job.real_time = request.real_time();
  job.machine = machine.name;
  job.timestep_ms = net.run().timestep_ms();
  job.neurons = neurons;
  try {
    host::MappingOptions options;
    options.cost = host::cost_model_for(net);
    options.place.seed = net.run().seed();
    const host::ApplicationGraph graph = host::graph_from_network(net);
    host::MappingResult mapping;
    try {
      mapping = host::map_graph(graph, machine, options);
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      return {StatusCode::INVALID_ARGUMENT, std::string("network does not map onto machine '") + machine.name +
                                                "': " + e.what()};
    }
    host::MachineLoad load;
    try {
      load = host::build_machine_load(net, graph, mapping);
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      return {StatusCode::INVALID_ARGUMENT, std::string("building core images: ") + e.what()};
    }
    if (load.synapses > limits.max_synapses)
      return {StatusCode::RESOURCE_EXHAUSTED, "network: " + std::to_string(load.synapses) +
                                                  " synapses is over the daemon's limit of " +
                                                  std::to_string(limits.max_synapses)};
    job.synapses = load.synapses;
    job.mapping_report_json = host::to_json(host::make_report(graph, machine, mapping, options)).dump();

    emu::EngineConfig config;
    config.threads = limits.engine_threads;
    config.real_time = request.real_time();
    config.timestep_us = static_cast<uint32_t>(std::max<long>(1, std::lround(job.timestep_ms * 1000)));
    job.engine = std::make_unique<emu::Engine>(machine, config);
    host::load_into(*job.engine, load);

    for (int p = 0; p < net.populations_size(); ++p) {
      v1::PopulationInfo info;
      info.set_label(net.populations(p).label());
      info.set_size(net.populations(p).size());
      info.set_index(static_cast<uint32_t>(p));
      info.set_cores(mapping.partition.n_slices(static_cast<uint32_t>(p)));
      job.populations.push_back(std::move(info));
    }
    job.records_spikes.assign(job.populations.size(), false);
    for (const auto& r : net.recordings())
      for (int v : r.variables())
        if (v == v1::SPIKES) {
          const int p = job.population_index(r.population());
          if (p >= 0) job.records_spikes[static_cast<size_t>(p)] = true;
        }

    // Sites in the engine's core order, so spikes are gathered in that order.
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
