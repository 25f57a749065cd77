#include "network_spike_counts.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "engine/engine.h"
#include "mapping/core_images.h"
#include "mapping/from_network.h"
#include "mapping/pipeline.h"
#include "network/validate.h"

namespace spindle::host {

NetworkSpikeTrains network_spike_trains(const v1::Network& net) {
  EXPECT_TRUE(network::validate_network(net).empty());
  const ApplicationGraph graph = graph_from_network(net);
  MappingOptions options;
  options.cost = cost_model_for(net);
  const emu::MachineDescription machine = emu::machine_from_shape("48");
  const MappingResult mapping = map_graph(graph, machine, options);
  const MachineLoad load = build_machine_load(net, graph, mapping);
  emu::Engine engine(machine, emu::EngineConfig{.threads = 2});
  load_into(engine, load);
  const auto ticks = static_cast<uint32_t>(std::lround(net.run().duration_ms() / net.run().timestep_ms()));
  const emu::RunReport report = engine.run(ticks);
  EXPECT_EQ(report.fabric.totals.dropped_total(), 0u);

  NetworkSpikeTrains out;
  out.slices = static_cast<uint32_t>(mapping.partition.slices.size());
  for (const auto& p : net.populations()) out.ticks.emplace_back(p.size());
  for (const CoreLoad& c : load.cores) {
    const Slice& s = mapping.partition.slices[c.slice];
    for (const auto& sp : engine.find({c.chip, c.core})->spikes) out.ticks[s.vertex][s.lo_atom + sp.neuron].push_back(sp.tick);
  }
  return out;
}

std::vector<std::vector<double>> network_spike_counts(const v1::Network& net, uint32_t first_tick) {
  const NetworkSpikeTrains trains = network_spike_trains(net);
  std::vector<std::vector<double>> counts;
  for (const auto& population : trains.ticks) {
    auto& c = counts.emplace_back(population.size(), 0.0);
    for (size_t i = 0; i < population.size(); ++i)
      for (uint32_t tick : population[i]) c[i] += tick >= first_tick ? 1 : 0;
  }
  return counts;
}

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double sd(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

}  // namespace spindle::host
