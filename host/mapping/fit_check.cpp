#include "mapping/fit_check.h"

#include <fmt/format.h>

#include <algorithm>

#include "network/expand.h"
#include "network/size_estimate.h"

namespace spindle::host {

FitEstimate estimate_fit(const spindle::v1::Network& net, const emu::MachineDescription& machine) {
  FitEstimate f;
  const network::SizeEstimate size = network::estimate_size(net);
  f.neurons = size.neurons;
  f.synapses = size.synapses;
  for (const auto& pop : net.populations()) {
    // As the partitioner caps slices (mapping/from_network.cpp), before any
    // memory or cycle budget makes them smaller.
    uint32_t cap = network::is_spike_source(pop) ? fw::kMaxSourcesPerCore : machine.max_neurons_per_core;
    if (pop.max_neurons_per_core() > 0) cap = std::min(cap, pop.max_neurons_per_core());
    cap = std::max<uint32_t>(cap, 1);
    f.min_cores += (uint64_t{pop.size()} + cap - 1) / cap;
  }
  f.machine_cores = machine.application_core_count();
  f.bytes = kFitBaseBytes + kFitBytesPerCore * double(f.min_cores) + kFitBytesPerNeuron * double(f.neurons) +
            kFitBytesPerSynapse * f.synapses;
  return f;
}

std::string fit_problem(const FitEstimate& fit, const emu::MachineDescription& machine, uint64_t available_bytes) {
  if (fit.min_cores > fit.machine_cores)
    return fmt::format("machine '{}' is too small: the network needs at least {} cores ({} neurons), the machine "
                       "has {} application cores (a larger machine shape, e.g. boards:2x2, holds more)",
                       machine.name, fit.min_cores, fit.neurons, fit.machine_cores);
  if (available_bytes > 0 && fit.bytes > double(available_bytes)) {
    constexpr double kGiB = 1024.0 * 1024 * 1024;
    return fmt::format("the network needs about {:.1f} GiB of memory to map and run ({} neurons, {:.3g} synapses), "
                       "{:.1f} GiB is available",
                       fit.bytes / kGiB, fit.neurons, fit.synapses, double(available_bytes) / kGiB);
  }
  return {};
}

}  // namespace spindle::host
