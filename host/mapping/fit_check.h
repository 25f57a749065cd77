// Will a network fit the machine and the memory of the host that maps it?
// Read off the file (network/size_estimate.h) before anything is expanded,
// so a network a hundred times too large is refused in milliseconds with a
// reason, instead of after minutes of mapping or of std::bad_alloc.
#pragma once

#include <cstdint>
#include <string>

#include "machine/machine.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host {

// Host memory a mapped, loaded network takes, by what drives it (measured
// on the example networks and the full microcircuit; docs/cli.md): a native
// core's slot, the per-neuron parameter and state arrays, a synapse in the
// images and the engine's copy of them. Recordings come on top.
inline constexpr double kFitBaseBytes = 64.0 * (1 << 20);
inline constexpr double kFitBytesPerCore = 256.0 * 1024;
inline constexpr double kFitBytesPerNeuron = 256.0;
inline constexpr double kFitBytesPerSynapse = 12.0;

struct FitEstimate {
  uint64_t neurons = 0;
  double synapses = 0;
  uint64_t min_cores = 0;      // each population sliced at the cores' limit (its own cap if lower)
  uint64_t machine_cores = 0;  // application cores alive
  double bytes = 0;            // host memory to map, load and run it (without recordings)
};

FitEstimate estimate_fit(const spindle::v1::Network& net, const emu::MachineDescription& machine);

// Empty when the network may fit; otherwise why not, with the figures
// ("needs at least 4097 cores, machine '48-chip board' has 816").
// available_bytes 0: memory is not checked.
std::string fit_problem(const FitEstimate& fit, const emu::MachineDescription& machine, uint64_t available_bytes);

}  // namespace spindle::host
