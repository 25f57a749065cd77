#include "mapping/core_images.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "image/core_image_builder.h"
#include "network/cells.h"
#include "network/expand.h"

namespace spindle::host {
namespace {

namespace v1 = spindle::v1;
using network::delay_to_ticks;
using network::expand_projection;
using network::Synapse;
using namespace network;
namespace img = fw::image;

// Cells [lo, lo + n) of a population as a neuron block of its model.
template <class Model, class P>
NeuronBlock cells_block(fw::ModelId id, const std::vector<P>& all, uint32_t lo, uint32_t n, double dt,
                        QuantizationReport* report) {
  std::vector<typename Model::Params> params;
  std::vector<typename Model::State> states;
  for (uint32_t i = lo; i < lo + n; ++i) {
    params.push_back(to_fixed(all[i], dt, report));
    states.push_back(initial_state(all[i], report));
  }
  return make_neuron_block<Model>(id, params, states);
}

NeuronBlock neuron_block(const v1::Network& net, size_t pop, uint32_t lo, uint32_t n, double dt,
                         QuantizationReport* r) {
  switch (net.populations(static_cast<int>(pop)).cell_type_case()) {
    case v1::Population::kIfCurrExp:
      return cells_block<fw::IfCurrExp>(fw::ModelId::kIfCurrExp, if_curr_exp_cells(net, pop), lo, n, dt, r);
    case v1::Population::kIfCondExp:
      return cells_block<fw::IfCondExp>(fw::ModelId::kIfCondExp, if_cond_exp_cells(net, pop), lo, n, dt, r);
    case v1::Population::kIzhikevich:
      return cells_block<fw::Izhikevich>(fw::ModelId::kIzhikevich, izhikevich_cells(net, pop), lo, n, dt, r);
    case v1::Population::kIfNonleaky:
      return cells_block<fw::IfNonLeakyDelta>(fw::ModelId::kIfNonLeakyDelta, if_nonleaky_cells(net, pop), lo, n, dt,
                                              r);
    default:
      throw std::invalid_argument("populations[" + std::to_string(pop) + "]: not a neuron population");
  }
}

img::RecordingRegion recording_for(const v1::Network& net, const std::string& label, uint32_t lo, uint32_t n,
                                   double dt) {
  img::RecordingRegion rec{};
  rec.sample_interval_ticks = 1;
  for (const v1::Recording& r : net.recordings()) {
    if (r.population() != label) continue;
    uint32_t flags = 0;
    for (int v : r.variables()) {
      if (v == v1::SPIKES) flags |= img::kRecordSpikes;
      if (v == v1::V) flags |= img::kRecordV;
      if (v == v1::GSYN_EXC) flags |= img::kRecordGsynExc;
      if (v == v1::GSYN_INH) flags |= img::kRecordGsynInh;
    }
    rec.flags |= flags;
    if (r.sampling_interval() > 0)
      rec.sample_interval_ticks = static_cast<uint32_t>(std::max<int64_t>(1, delay_to_ticks(r.sampling_interval(), dt)));
    if (flags & ~img::kRecordSpikes) {
      auto mark = [&](uint32_t neuron) {
        if (neuron >= lo && neuron < lo + n) rec.neuron_mask[(neuron - lo) / 32] |= 1u << ((neuron - lo) % 32);
      };
      if (r.neurons().empty())
        for (uint32_t i = lo; i < lo + n; ++i) mark(i);
      for (uint32_t neuron : r.neurons()) mark(neuron);
    }
  }
  return rec;
}

void check_graph_matches(const v1::Network& net, const ApplicationGraph& graph) {
  if (graph.vertices.size() != static_cast<size_t>(net.populations_size()) ||
      graph.edges.size() != static_cast<size_t>(net.projections_size()))
    throw std::invalid_argument("mapping graph does not match the network (populations/projections differ)");
  for (size_t i = 0; i < graph.vertices.size(); ++i)
    if (graph.vertices[i].label != net.populations(static_cast<int>(i)).label())
      throw std::invalid_argument("mapping graph vertex " + std::to_string(i) + " is '" + graph.vertices[i].label +
                                  "', the network's population is '" + net.populations(static_cast<int>(i)).label() +
                                  "'");
}

}  // namespace

void load_into(emu::Engine& engine, const MachineLoad& load) {
  for (const RouterLoad& r : load.routers)
    for (const auto& e : r.entries) engine.routing_table(r.chip).add_or_throw(e);
  for (const CoreLoad& c : load.cores) engine.load_core({c.chip, c.core}, c.image);
}

MachineLoad build_machine_load(const v1::Network& net, const ApplicationGraph& graph, const MappingResult& mapping,
                               QuantizationReport* report) {
  check_graph_matches(net, graph);
  const double dt = net.run().timestep_ms();
  const auto& slices = mapping.partition.slices;
  const auto incoming = incoming_slices(graph, mapping.partition, mapping.keys);

  // Each projection's synapses, bucketed by the slice of their target.
  std::vector<std::vector<std::vector<Synapse>>> by_target(graph.edges.size());
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    const uint32_t post = graph.edges[e].post;
    const uint32_t first = mapping.partition.first_slice[post];
    by_target[e].resize(mapping.partition.n_slices(post));
    for (const Synapse& s : expand_projection(net, e)) {
      uint32_t k = first;
      while (k + 1 < mapping.partition.first_slice[post + 1] && slices[k + 1].lo_atom <= s.post) ++k;
      by_target[e][k - first].push_back(s);
    }
  }

  MachineLoad load;
  for (uint32_t si = 0; si < slices.size(); ++si) {
    const Slice& slice = slices[si];
    const v1::Population& pop = net.populations(static_cast<int>(slice.vertex));
    const std::string where = "populations[" + std::to_string(slice.vertex) + "] '" + pop.label() + "' atoms " +
                              std::to_string(slice.lo_atom) + ".." + std::to_string(slice.lo_atom + slice.n_atoms - 1);
    CoreImageSpec spec;
    spec.n_neurons = slice.n_atoms;
    spec.timestep_us = static_cast<uint32_t>(std::lround(dt * 1000.0));
    spec.key_base = mapping.keys.keys[si].base;
    spec.key_mask = mapping.keys.keys[si].mask;
    spec.seed = core_seed(net.run().seed(), si);
    // A slice nothing listens to still runs and records, but sends nothing.
    spec.emits_spikes = false;
    for (const auto& in_list : incoming)
      for (const IncomingSlice& in : in_list)
        if (in.source_slice == si) spec.emits_spikes = true;
    spec.recording = recording_for(net, pop.label(), slice.lo_atom, slice.n_atoms, dt);

    switch (pop.cell_type_case()) {
      case v1::Population::kSpikeSourcePoisson: {
        spec.kind = img::CoreKind::kPoissonSource;
        const auto sources = poisson_sources(net, slice.vertex);
        for (uint32_t i = slice.lo_atom; i < slice.lo_atom + slice.n_atoms; ++i)
          spec.poisson.push_back(poisson_source(sources[i].rate, sources[i].start, sources[i].duration, dt));
        break;
      }
      case v1::Population::kSpikeSourceArray: {
        spec.kind = img::CoreKind::kArraySource;
        const auto times = spike_array_times(net, slice.vertex);
        for (uint32_t i = slice.lo_atom; i < slice.lo_atom + slice.n_atoms; ++i)
          for (double t : times[i])
            spec.spike_times.push_back({static_cast<uint32_t>(std::max<int64_t>(0, delay_to_ticks(t, dt))),
                                        i - slice.lo_atom});
        std::stable_sort(spec.spike_times.begin(), spec.spike_times.end(),
                         [](const auto& a, const auto& b) { return a.tick < b.tick; });
        break;
      }
      default: {
        spec.kind = img::CoreKind::kNeurons;
        spec.neurons = neuron_block(net, slice.vertex, slice.lo_atom, slice.n_atoms, dt, report);
        spec.n_synapse_types = 2;
        std::vector<IncomingBlock> blocks;
        for (const IncomingSlice& in : incoming[si]) {
          const Slice& src = slices[in.source_slice];
          IncomingBlock b;
          b.key = in.key;
          b.mask = in.mask;
          b.n_sources = in.n_sources;
          const uint32_t type = net.projections(static_cast<int>(in.edge)).receptor() == v1::INHIBITORY ? 1 : 0;
          for (const Synapse& s : by_target[in.edge][si - mapping.partition.first_slice[slice.vertex]])
            if (s.pre >= src.lo_atom && s.pre < src.lo_atom + src.n_atoms)
              b.synapses.push_back({s.pre - src.lo_atom, s.post - slice.lo_atom, std::fabs(s.weight), s.delay_ticks,
                                    type});
          load.synapses += b.synapses.size();
          if (!b.synapses.empty()) blocks.push_back(std::move(b));
        }
        if (!blocks.empty()) {
          try {
            spec.synapses = build_synaptic_matrix(std::move(blocks), slice.n_atoms, 2, report,
                                                  receptor_unit_shifts(spec.neurons->model));
          } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(where + ": " + e.what());
          }
        }
      }
    }
    load.cores.push_back({mapping.placements[si].chip, mapping.placements[si].core, si, build_core_image(spec)});
  }
  for (size_t t = 0; t < mapping.routes.tables.size(); ++t)
    load.routers.push_back({mapping.routes.tables[t].chip, mapping.tables[t].entries});
  return load;
}

}  // namespace spindle::host
