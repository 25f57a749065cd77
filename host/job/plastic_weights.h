// Plastic weights out of the cores: after a run (or between two runs of one
// engine), each plastic projection's synapses with their current weights.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/engine.h"
#include "mapping/core_images.h"

namespace spindle::host {

struct ProjectionWeights {
  uint32_t projection = 0;  // index in Network.projections
  // One entry per synapse, in PyNN's list order (Projection.get('weight',
  // format='list')): by pre neuron, then post neuron; several synapses
  // between one pair in the core image's order (by delay, then weight at
  // load).
  std::vector<uint32_t> pre, post;
  std::vector<double> weight;  // nA or uS, as the projection's weights
};

// Applies every core's pending potentiation (Core::flush_plastic: post
// spikes after a synapse's last pre spike count, none is lost at the end of
// a run; a read changes nothing later unless the post-spike history loses
// pairs, which an earlier read then saves) and reads the weights the cores hold, exactly what they used: a
// 16-bit weight times the receptor's weight unit. Native cores are read in
// place; remote cores (QEMU, a board) flush and send their plastic matrix
// region over the link (RemoteCore::read_plastic_matrix), walked with the
// plastic table of the slot's image. One entry per projection that has
// plastic synapses, in projection order. Throws std::runtime_error naming
// the core when the link fails or a core's image does not hold the rows
// the load says.
std::vector<ProjectionWeights> read_plastic_weights(emu::Engine& engine, const MachineLoad& load);

}  // namespace spindle::host
