// A synthetic network placed directly on a machine (no mapping pipeline), for
// engine benchmarks and determinism tests: every application core used holds
// a slice of IF_curr_exp neurons driven to fire at about rate_hz by a
// constant current, with random phases; each neuron makes
// synapses_per_neuron synapses split over fan_out_cores random target cores
// anywhere on the machine, with random delays; a fifth of the source cores
// are inhibitory. Weights are tiny so the rate stays where it was set.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "machine/machine.h"
#include "mapping/core_images.h"

namespace spindle::host {

struct SyntheticNetworkSpec {
  std::string machine = "torus:4x4";
  uint32_t cores_per_chip = 16;         // application cores used per chip
  uint32_t neurons_per_core = 256;
  uint32_t synapses_per_neuron = 1000;
  uint32_t fan_out_cores = 4;
  double rate_hz = 10.0;
  uint32_t max_delay_ticks = 15;
  double dt_ms = 1.0;
  uint64_t seed = 1;
};

struct SyntheticNetwork {
  emu::MachineDescription machine;
  MachineLoad load;  // load_into(engine, load) puts it on an engine
};

// Throws std::invalid_argument if the spec does not fit the machine.
SyntheticNetwork make_synthetic_network(const SyntheticNetworkSpec& spec);

}  // namespace spindle::host
