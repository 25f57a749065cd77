#include "job/prepare.h"

#include <new>

#include "mapping/fit_check.h"
#include "mapping/from_network.h"
#include "mapping/report.h"
#include "mapping/weight_quantization.h"

namespace spindle::host {

MappedNetwork map_network(const spindle::v1::Network& net, const emu::MachineDescription& machine,
                          uint64_t available_bytes, unsigned threads) {
  // Before the fit check: whatever the size, plastic projections a core cannot run together are refused.
  if (const std::string problem = unrunnable_synapses_problem(net); !problem.empty())
    throw PrepareError(PrepareError::Stage::kMapping, problem);
  if (const std::string problem = fit_problem(estimate_fit(net, machine), machine, available_bytes); !problem.empty())
    throw PrepareError(PrepareError::Stage::kFit, problem);
  MappedNetwork m;
  try {
    m.graph = graph_from_network(net, &m.drawn, threads);
    m.options.cost = cost_model_for(net);
    m.options.place.seed = net.run().seed();
    m.result = map_graph(m.graph, machine, m.options);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const PrepareError&) {
    throw;
  } catch (const std::exception& e) {
    throw PrepareError(PrepareError::Stage::kMapping, e.what());
  }
  return m;
}

PreparedNetwork prepare(const spindle::v1::Network& net, const emu::MachineDescription& machine, unsigned threads,
                        uint64_t available_bytes) {
  PreparedNetwork p;
  p.mapped = map_network(net, machine, available_bytes, threads);
  try {
    p.load = build_machine_load(net, p.mapped.graph, p.mapped.result, nullptr, threads, &p.mapped.drawn);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    throw PrepareError(PrepareError::Stage::kImages, e.what());
  }
  p.weight_warnings = weight_loss_warnings(net, p.load.weight_quantization);
  p.mode_changes = network_mode_changes(net, p.mapped.result);
  return p;
}

nlohmann::json mapping_report_json(const spindle::v1::Network& net, const emu::MachineDescription& machine,
                                   const PreparedNetwork& p) {
  nlohmann::json report = to_json(make_report(p.mapped.graph, machine, p.mapped.result, p.mapped.options));
  report["weight_quantization"] = weight_quantization_json(net, p.load.weight_quantization);
  return report;
}

std::unique_ptr<emu::Engine> start_engine(const emu::MachineDescription& machine, const emu::EngineConfig& config,
                                          const PreparedNetwork& prepared, Backend& backend) {
  auto engine = std::make_unique<emu::Engine>(machine, config);
  backend.load(*engine, prepared.load);
  schedule_mode_changes(*engine, prepared.mode_changes);
  return engine;
}

}  // namespace spindle::host
