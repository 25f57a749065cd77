// Neuron mode switches and learning-rate scales on a mapped network: a
// population's neurons (all, or a list) become per-core changes
// (fw::ModeChange: a range of a core's neurons; or a core's learning-rate
// scale), which the engine makes between ticks (Engine::schedule_mode,
// schedule_learning_scale). The network file's switches and the daemon's
// SetMode and SetLearningRate all come here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/engine.h"
#include "mapping/pipeline.h"
#include "network/neuron_modes.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host {

struct ScheduledModeChange {
  uint64_t tick = 0;
  emu::CoreLocation where;
  fw::ModeChange change;
  // Instead of a mode change: the core's learning-rate scale (u4.12).
  std::optional<uint32_t> learning_scale;
};

// A slice of a population and the core it is on.
struct PopulationSlice {
  uint32_t lo_atom = 0;
  uint32_t n_atoms = 0;
  emu::CoreLocation where;
};
// Population `population`'s slices, ascending lo_atom.
std::vector<PopulationSlice> population_slices(const MappingResult& mapping, uint32_t population);

// The changes that give `values` to neurons `ids` (empty: all) of the
// population with these slices (ascending lo_atom) from tick `tick` on: one
// per run of consecutive ids on one core, in slice order. The ids must be
// below the population's size (checked by the caller); repeats are harmless.
std::vector<ScheduledModeChange> mode_changes(std::span<const PopulationSlice> slices, std::span<const uint32_t> ids,
                                              const network::ModeValues& values, uint64_t tick);

// The changes that give the population with these slices the learning-rate
// scale `scale` (u4.12) from tick `tick` on: one per slice.
std::vector<ScheduledModeChange> learning_scale_changes(std::span<const PopulationSlice> slices, uint32_t scale,
                                                        uint64_t tick);

// Every switch of a validated network (mode switches, then learning-rate
// switches, each in time order), in the order the engine makes them.
std::vector<ScheduledModeChange> network_mode_changes(const v1::Network& net, const MappingResult& mapping);

// Into the engine; a learning-rate scale for a core without plastic
// synapses (a slice no plastic synapse reaches) has nothing to scale and is
// left out.
void schedule_mode_changes(emu::Engine& engine, const std::vector<ScheduledModeChange>& changes);

}  // namespace spindle::host
