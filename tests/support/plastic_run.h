// A plastic network run on the native engine, for the plastic-synapse tests:
// the final weights (read after every chunk too, which must change nothing
// that follows), the spikes of the population labelled "post" and the STDP
// pairs its cores missed.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "backend/backend.h"
#include "job/plastic_weights.h"
#include "job/prepare.h"

namespace spindle::host {

struct PlasticOutcome {
  std::vector<ProjectionWeights> weights;
  std::map<uint32_t, std::vector<uint32_t>> post_ticks;  // post neuron -> ticks it fired
  uint64_t missed = 0;
};

inline PlasticOutcome run_plastic(const v1::Network& net, const std::vector<uint32_t>& chunks, unsigned threads) {
  const emu::MachineDescription machine = emu::machine_from_shape("1");
  const PreparedNetwork p = prepare(net, machine, 1);
  BackendOptions o;
  const auto backend = make_backend(o);
  const auto engine = start_engine(machine, emu::EngineConfig{.threads = threads}, p, *backend);
  PlasticOutcome out;
  for (uint32_t ticks : chunks) {
    engine->run(ticks);
    out.weights = read_plastic_weights(*engine, p.load);
  }
  for (const CoreLoad& c : p.load.cores) {
    const Slice& s = p.mapped.result.partition.slices[c.slice];
    if (net.populations(static_cast<int>(s.vertex)).label() != "post") continue;
    const emu::CoreSlot* slot = engine->find({c.chip, c.core});
    for (const fw::SpikeRecord& r : slot->spikes) out.post_ticks[s.lo_atom + r.neuron].push_back(r.tick);
    out.missed += slot->provenance().stdp_pairs_missed;
  }
  return out;
}

}  // namespace spindle::host
