// Last mapping stage: from the network and its mapping to one core image per
// slice and what each router is loaded with. For every slice: its cells'
// parameters and initial values (or its sources), the synapses of every
// incoming slice pair (the connector expanded onto the slice's neurons only,
// split by source slice), its key and mask, its random stream and what it
// records. Slices are built independently, on several threads; every image
// is the same whatever the thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "mapping/graph.h"
#include "mapping/pipeline.h"
#include "mapping/weight_quantization.h"
#include "mapping/weight_scales.h"
#include "quantize/quantize.h"
#include "engine/engine.h"
#include "router/routing_entry.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host {

// A plastic synapse: its projection and the pre and post neurons (indices
// in their populations).
struct PlasticSynapseRef {
  uint32_t projection = 0;
  uint32_t pre = 0;
  uint32_t post = 0;
};

struct CoreLoad {
  emu::ChipCoord chip;
  uint32_t core = 1;
  uint32_t slice = 0;  // index into MappingResult::partition.slices
  std::vector<uint8_t> image;
  uint64_t synapses = 0;  // synapses in the image
  // What its incoming projections' weights became (projection, measure).
  std::vector<std::pair<uint32_t, WeightQuantization>> weight_quantization;
  // Its plastic synapses, in the order their weights lie in the image's
  // plastic matrix (plastic_weights.h reads them back), and what one
  // 16-bit weight unit is in the projection's unit (nA or uS).
  std::vector<PlasticSynapseRef> plastic;
  double plastic_weight_unit = 0;
};

struct RouterLoad {
  emu::ChipCoord chip;
  std::vector<emu::RoutingEntry> entries;
};

struct MachineLoad {
  std::vector<CoreLoad> cores;
  std::vector<RouterLoad> routers;
  uint64_t synapses = 0;
  std::vector<WeightQuantization> weight_quantization;  // by projection, over every core
};

// graph must be the network's graph (vertex i = population i, edge j =
// projection j); throws std::invalid_argument naming the population or
// projection when something does not fit a core (e.g. a delay the ring
// buffer cannot hold).
// Loads routers and cores into an engine of the same machine; throws what
// RoutingTable::add_or_throw and Engine::load_core throw.
void load_into(emu::Engine& engine, const MachineLoad& load);

// threads: 0 = one per hardware thread. `drawn`: what an earlier draw of
// the projections' weights found (graph_from_network's), not drawn again.
MachineLoad build_machine_load(const spindle::v1::Network& net, const ApplicationGraph& graph,
                               const MappingResult& mapping, QuantizationReport* report = nullptr,
                               unsigned threads = 0, const DrawnWeights* drawn = nullptr);

// The streaming form: builds every slice's core image and hands it to `sink`
// as soon as it is done, so only the images in progress are held (one per
// thread). `sink` is called once per slice, one call at a time, in no fixed
// order (CoreLoad::slice says which). With `reports`, it is resized to one
// quantization report per slice. Throws what build_machine_load throws (for
// the lowest failing slice) after the workers stop.
void for_each_core_load(const spindle::v1::Network& net, const ApplicationGraph& graph,
                        const MappingResult& mapping, const std::function<void(CoreLoad&&)>& sink,
                        unsigned threads = 0, std::vector<QuantizationReport>* reports = nullptr,
                        const DrawnWeights* drawn = nullptr);

// What each router is loaded with: the compressed tables.
std::vector<RouterLoad> router_loads(const MappingResult& mapping);

}  // namespace spindle::host
