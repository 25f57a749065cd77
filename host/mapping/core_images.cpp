#include "mapping/core_images.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "cells/cell_type.h"
#include "image/core_image_builder.h"
#include "network/cells.h"
#include "network/recording_selection.h"
#include "network/expand.h"
#include "network/run_settings.h"
#include "mapping/parallel_indices.h"
#include "mapping/weight_scales.h"
#include "synapses/stdp_params.h"

namespace spindle::host {
namespace {

namespace v1 = spindle::v1;
using network::delay_to_ticks;
using network::Synapse;
using namespace network;
namespace img = fw::image;

// The tick of a spike-array time, or nullopt when it is past the last tick
// a core reaches (its tick counter is 32 bits and a job never runs past
// it): such a spike never fires. Checked before the conversion, which would
// otherwise wrap (a time 2^32 ticks out landing early in the run) or, past
// 2^63 ticks, be undefined.
std::optional<uint32_t> spike_tick(double t, double dt) {
  if (!(t / dt < 4294967296.0)) return std::nullopt;
  const int64_t tick = delay_to_ticks(t, dt);
  if (tick > int64_t{UINT32_MAX}) return std::nullopt;
  return static_cast<uint32_t>(std::max<int64_t>(0, tick));
}

img::RecordingRegion recording_for(const v1::Network& net, const std::string& label, uint32_t lo, uint32_t n,
                                   uint32_t interval_ticks) {
  // The union of the population's recordings: every neuron's spikes, the
  // state of every neuron any recording names, every gcd of their intervals;
  // the writers keep what each recording asked for
  // (network/recording_selection.h).
  img::RecordingRegion rec{};
  rec.sample_interval_ticks = interval_ticks;
  for (const v1::Recording& r : net.recordings()) {
    if (r.population() != label) continue;
    uint32_t flags = 0;
    for (int v : r.variables()) {
      if (v == v1::SPIKES) flags |= img::kRecordSpikes;
      if (v == v1::V) flags |= img::kRecordV;
      if (v == v1::GSYN_EXC) flags |= img::kRecordGsynExc;
      if (v == v1::GSYN_INH) flags |= img::kRecordGsynInh;
      if (v == v1::THRESHOLD) flags |= img::kRecordThreshold;
      if (v == v1::SEGMENT_SPIKES) flags |= img::kRecordSegmentSpikes;
    }
    rec.flags |= flags;
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

namespace {

// One worker thread's buffers, reused from core to core: fresh ones for
// every slice were page-faulted in anew (~15% of the time).
struct WorkerBuffers {
  std::vector<IncomingBlock> blocks, spare_blocks;
  std::vector<uint32_t> matrix_words;
};

// What every slice's image is built from, computed once and shared
// read-only by the worker threads.
struct Context {
  const v1::Network& net;
  const ApplicationGraph& graph;
  const MappingResult& mapping;
  double dt = 0;
  std::vector<std::vector<IncomingSlice>> incoming;
  std::vector<bool> emits;  // per slice: some projection leaves it
  // Per population: its type's descriptor, and its expanded cells or
  // sources (only what its type has is filled).
  std::vector<const cells::CellType*> types;
  std::vector<cells::SynapseInputs> inputs;  // neuron populations: synapse types before dopamine's
  std::vector<cells::CellValues> cells;
  std::vector<std::vector<PoissonSourceParams>> poisson;
  std::vector<std::vector<std::vector<double>>> array_times;
  // Per edge whose connector cannot be expanded per post range: its
  // synapses bucketed by target slice (index within the post vertex).
  std::vector<std::vector<std::vector<Synapse>>> by_target;
  // Per population and synapse type: the weight range its cores' 16-bit
  // weights cover (the same for all its slices: spikes do not depend on
  // the slicing).
  std::vector<ReceptorWeights> weight_range;
  // Per population: whether its cores run neuromodulated STDP (and so have
  // reward and punishment synapse types, mapping/weight_scales.h).
  std::vector<bool> neuromodulated;
  // Per vertex: the slice holding each atom (a lookup per synapse; a binary
  // search over the slices took 13% of the full microcircuit's mapping).
  std::vector<std::vector<uint32_t>> atom_slice;
  network::RecordingSelection recordings;

  Context(const v1::Network& n, const ApplicationGraph& g, const MappingResult& m, unsigned threads,
          const DrawnWeights* drawn)
      : net(n), graph(g), mapping(m), dt(n.run().timestep_ms()), neuromodulated(neuromodulated_populations(n)),
        recordings(n) {
    const auto& slices = m.partition.slices;
    incoming = incoming_slices(g, m.partition, m.keys);
    emits.assign(slices.size(), false);
    for (const auto& in_list : incoming)
      for (const IncomingSlice& in : in_list) emits[in.source_slice] = true;
    const size_t pops = static_cast<size_t>(n.populations_size());
    types.resize(pops), inputs.resize(pops), cells.resize(pops), poisson.resize(pops), array_times.resize(pops);
    for (size_t p = 0; p < pops; ++p) {
      types[p] = &cells::cell_type_of(n.populations(static_cast<int>(p)));
      switch (types[p]->source) {
        case cells::SourceKind::kNone:
          cells[p] = cell_values(n, p);
          inputs[p] = cells::synapse_inputs(n.populations(static_cast<int>(p)));
          break;
        case cells::SourceKind::kPoisson: poisson[p] = poisson_sources(n, p); break;
        case cells::SourceKind::kArray: array_times[p] = spike_array_times(n, p); break;
      }
    }
    atom_slice.resize(g.vertices.size());
    for (const Slice& sl : slices) atom_slice[sl.vertex].resize(sl.lo_atom + sl.n_atoms);
    for (uint32_t si = 0; si < slices.size(); ++si)
      std::fill_n(atom_slice[slices[si].vertex].begin() + slices[si].lo_atom, slices[si].n_atoms, si);
    by_target.resize(g.edges.size());
    // Expanded whole here, once: the connectors that cannot be expanded per
    // post range. The others are expanded onto each slice; those whose
    // weights only a draw knows are drawn once before that, weights only,
    // for the weight range. Holding their expansion instead to skip that
    // draw was measured slower (10% microcircuit: 0.63 s CPU against 0.37 s,
    // 118 MB against 22 MB peak): a draw of weights costs less than
    // writing and reading back 32 bytes per synapse.
    std::vector<std::optional<double>> largest(g.edges.size());  // of the edges expanded here
    ParallelIndices edges(g.edges.size());
    edges.run(threads, [&] {
      edges.each([&](size_t e) {
        if (expands_per_post(n, e)) return;
        const uint32_t post = g.edges[e].post;
        const uint32_t first = m.partition.first_slice[post];
        by_target[e].resize(m.partition.n_slices(post));
        double w = 0;
        for_each_synapse_onto(n, e, 0, n.populations(static_cast<int>(post)).size(),
                              [&](std::span<const Synapse> batch) {
                                for (const Synapse& syn : batch) {
                                  by_target[e][slice_of(post, syn.post) - first].push_back(syn);
                                  w = std::max(w, std::fabs(syn.weight));
                                }
                              });
        largest[e] = w;
      });
    });
    weight_range = population_weight_ranges(n, largest, threads, drawn);
  }

  // The slice of `vertex` that holds `atom`.
  uint32_t slice_of(uint32_t vertex, uint32_t atom) const { return atom_slice[vertex][atom]; }

  NeuronBlock neurons(size_t pop, uint32_t lo, uint32_t n, QuantizationReport* r) const {
    if (types[pop]->neuron_block == nullptr)
      throw std::invalid_argument("populations[" + std::to_string(pop) + "]: not a neuron population");
    return types[pop]->neuron_block(cells[pop], lo, n, dt, r);
  }

  // The synaptic blocks of a neuron slice: per incoming edge, its synapses
  // onto the slice's neurons, split by source slice. Into `out`, whose
  // blocks (and `spare`'s) keep their memory from slice to slice.
  // `scale` (per synapse type, synaptic_matrix.h weight_scales) measures
  // what each projection's weights become, into `quantization`.
  void blocks(uint32_t si, uint64_t& synapses, std::vector<IncomingBlock>& out, std::vector<IncomingBlock>& spare,
              const std::array<double, fw::kMaxSynapseTypes>& scale,
              std::vector<std::pair<uint32_t, WeightQuantization>>& quantization) const {
    const auto& slices = mapping.partition.slices;
    const Slice& slice = slices[si];
    for (IncomingBlock& blk : out) spare.push_back(std::move(blk));
    out.clear();
    const auto& in = incoming[si];
    for (size_t a = 0; a < in.size();) {
      const uint32_t e = in[a].edge;
      size_t b = a;
      while (b < in.size() && in[b].edge == e) ++b;
      const v1::Projection& proj = net.projections(static_cast<int>(e));
      const uint32_t type = synapse_type(proj, inputs[slice.vertex]);
      const uint32_t pre = graph.edges[e].pre, first_src = mapping.partition.first_slice[pre];
      // Block of each source slice of the pre vertex (only those in incoming[si]).
      std::vector<int64_t> block_of(mapping.partition.n_slices(pre), -1);
      const size_t base = out.size();
      for (size_t k = a; k < b; ++k) {
        block_of[in[k].source_slice - first_src] = static_cast<int64_t>(out.size());
        if (spare.empty()) spare.emplace_back();
        out.push_back(std::move(spare.back()));
        spare.pop_back();
        IncomingBlock& blk = out.back();
        blk.key = in[k].key;
        blk.mask = in[k].mask;
        blk.n_sources = in[k].n_sources;
        blk.synapses.clear();
        blk.plastic = proj.synapse_dynamics().has_stdp();
        blk.neuromodulated = synapses::is_neuromodulated(proj);
        blk.projection = e;
        blk.source_first_atom = slices[in[k].source_slice].lo_atom;
      }
      const std::vector<uint32_t>& src_of = atom_slice[pre];
      WeightQuantization measure;
      const double step = 1.0 / scale[type];
      auto add = [&](std::span<const Synapse> batch) {
        for (const Synapse& s : batch) {
          const uint32_t src = src_of[s.pre];
          const int64_t bi = block_of[src - first_src];
          if (bi < 0) continue;  // no route from that source slice (one-to-one reach)
          const double w = std::fabs(s.weight);
          out[static_cast<size_t>(bi)].synapses.push_back(
              {s.pre - slices[src].lo_atom, s.post - slice.lo_atom, w, s.delay_ticks, type});
          // As build_synaptic_matrix rounds it (the range covers w: no clamp).
          measure.add(w, std::round(w * scale[type]) * step, step);
        }
      };
      if (!expands_per_post(net, e)) {
        add(by_target[e][si - mapping.partition.first_slice[slice.vertex]]);
      } else {
        for_each_synapse_onto(net, e, slice.lo_atom, slice.n_atoms, add);
      }
      for (size_t k = base; k < out.size(); ++k) synapses += out[k].synapses.size();
      quantization.emplace_back(e, measure);
      a = b;
    }
    // Blocks without synapses get no table entry; they go back to spare.
    size_t kept = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].synapses.empty()) spare.push_back(std::move(out[i]));
      else if (kept++ != i) out[kept - 1] = std::move(out[i]);  // never onto itself: that would empty it
    }
    out.resize(kept);
  }

  static bool has_plastic_block(const std::vector<IncomingBlock>& in) {
    return std::any_of(in.begin(), in.end(), [](const IncomingBlock& b) { return b.plastic; });
  }

  // Dopamine acts on a core's neuromodulated plastic rows only, and a core
  // has reward and punishment synapse types only with them (its region 10
  // comes with its plastic rows): a slice of a neuromodulated population
  // that no plastic synapse reaches drops its reward and punishment blocks,
  // which would change nothing on it.
  static void drop_dopamine_blocks(std::vector<IncomingBlock>& in, uint32_t receptors,
                                   std::vector<IncomingBlock>& spare, uint64_t& synapses) {
    for (IncomingBlock& b : in)
      if (!b.synapses.empty() && b.synapses.front().type >= receptors) {  // a block is one projection: one type
        synapses -= b.synapses.size();
        spare.push_back(std::move(b));
        b.synapses.clear();  // moved from; now surely empty, so erased below
      }
    std::erase_if(in, [](const IncomingBlock& b) { return b.synapses.empty(); });
  }

  // A slice's plastic synapses: the STDP rule of the plastic projections
  // onto it (one, with one receptor: unrunnable_synapses_problem), its
  // amplitudes and bounds in that receptor's weight units (with a
  // neuromodulation, region 10 with the core's reward and punishment
  // types), and which synapse each plastic weight in the image is.
  void plastic(const SynapticMatrix& m, const std::vector<IncomingBlock>& in, const Slice& slice, CoreImageSpec& spec,
               CoreLoad& load, QuantizationReport* report) const {
    const IncomingBlock* first = nullptr;
    for (const IncomingBlock& b : in)
      if (b.plastic) {
        first = &b;
        break;
      }
    const v1::Projection& proj = net.projections(static_cast<int>(first->projection));
    const uint32_t receptors = inputs[slice.vertex].count();
    const uint32_t type = synapse_type(proj, inputs[slice.vertex]);
    const double scale = m.scale[type];
    const synapses::StdpKernelParams params = synapses::stdp_kernel_params(proj.synapse_dynamics().stdp(), dt, scale, report);
    spec.stdp = synapses::stdp_region(params);
    if (params.neuromodulation)
      spec.neuromodulation = synapses::neuromodulation_region(params, reward_synapse_type(receptors),
                                                              punishment_synapse_type(receptors));
    load.plastic_weight_unit = 1.0 / scale;
    // What the amplitudes and bounds become, for each plastic projection
    // onto the slice (they share the rule: unrunnable_synapses_problem).
    StdpQuantization sq;
    sq.present = true;
    const auto value = [](const synapses::StdpKernelParams::Error& x) { return StdpQuantization::Value{x.value, x.quantized}; };
    sq.a_plus = value(params.a_plus_error);
    sq.a_minus = value(params.a_minus_error);
    sq.w_min = value(params.w_min_error);
    sq.w_max = value(params.w_max_error);
    for (const IncomingBlock& b : in) {
      if (!b.plastic) continue;
      auto it = std::find_if(load.weight_quantization.begin(), load.weight_quantization.end(),
                             [&](const auto& q) { return q.first == b.projection; });
      if (it == load.weight_quantization.end()) {
        load.weight_quantization.emplace_back(b.projection, WeightQuantization{});
        it = std::prev(load.weight_quantization.end());
      }
      it->second.stdp = sq;
    }
    load.plastic.reserve(m.plastic_order.size());
    for (const auto& [b, i] : m.plastic_order) {
      const IncomingBlock& blk = in[b];
      const SynapseSpec& s = blk.synapses[i];
      load.plastic.push_back({blk.projection, blk.source_first_atom + s.source, slice.lo_atom + s.target});
    }
  }

  CoreLoad core(uint32_t si, QuantizationReport* report, WorkerBuffers& buffers) const {
    const Slice& slice = mapping.partition.slices[si];
    const v1::Population& pop = net.populations(static_cast<int>(slice.vertex));
    const std::string where = "populations[" + std::to_string(slice.vertex) + "] '" + pop.label() + "' atoms " +
                              std::to_string(slice.lo_atom) + ".." + std::to_string(slice.lo_atom + slice.n_atoms - 1);
    CoreImageSpec spec;
    spec.n_neurons = slice.n_atoms;
    spec.timer_period_us = network::tick_period_us(net.run());
    spec.key_base = mapping.keys.keys[si].base;
    spec.key_mask = mapping.keys.keys[si].mask;
    // The core's random stream (Poisson sources) follows its population's
    // seed and its slice within the population, not the slice's place among
    // all slices: other populations' slicing (time_scale_factor, a population
    // added before it) leaves the spike trains alone.
    spec.seed = core_seed(network::population_seed(net, slice.vertex), slice.index);
    // A slice nothing listens to still runs and records, but sends nothing.
    spec.emits_spikes = emits[si];
    spec.recording =
        recording_for(net, pop.label(), slice.lo_atom, slice.n_atoms, recordings.core_interval_ticks(slice.vertex));
    CoreLoad load{mapping.placements[si].chip, mapping.placements[si].core, si, {}, 0, {}, {}, 0};

    switch (types[slice.vertex]->source) {
      case cells::SourceKind::kPoisson: {
        spec.kind = img::CoreKind::kPoissonSource;
        const auto& sources = poisson[slice.vertex];
        for (uint32_t i = slice.lo_atom; i < slice.lo_atom + slice.n_atoms; ++i)
          spec.poisson.push_back(poisson_source(sources[i].rate, sources[i].start, sources[i].duration, dt));
        break;
      }
      case cells::SourceKind::kArray: {
        spec.kind = img::CoreKind::kArraySource;
        const auto& times = array_times[slice.vertex];
        for (uint32_t i = slice.lo_atom; i < slice.lo_atom + slice.n_atoms; ++i)
          for (double t : times[i])
            if (const std::optional<uint32_t> tick = spike_tick(t, dt))
              spec.spike_times.push_back({*tick, i - slice.lo_atom});
        std::stable_sort(spec.spike_times.begin(), spec.spike_times.end(),
                         [](const auto& a, const auto& b) { return a.tick < b.tick; });
        break;
      }
      case cells::SourceKind::kNone: {
        spec.kind = img::CoreKind::kNeurons;
        spec.neurons = neurons(slice.vertex, slice.lo_atom, slice.n_atoms, report);
        std::vector<IncomingBlock>& in = buffers.blocks;
        std::vector<uint32_t>& matrix_words = buffers.matrix_words;
        const auto unit_shifts = receptor_unit_shifts(spec.neurons->model);
        blocks(si, load.synapses, in, buffers.spare_blocks, weight_scales(weight_range[slice.vertex], unit_shifts),
               load.weight_quantization);
        const uint32_t receptors = inputs[slice.vertex].count();
        const bool dopamine = neuromodulated[slice.vertex] && has_plastic_block(in);
        if (neuromodulated[slice.vertex] && !dopamine) drop_dopamine_blocks(in, receptors, buffers.spare_blocks, load.synapses);
        spec.n_synapse_types = synapse_type_count(receptors, dopamine);
        if (!in.empty()) {
          try {
            spec.synapses = build_synaptic_matrix(in, slice.n_atoms, spec.n_synapse_types, report, unit_shifts,
                                                  &weight_range[slice.vertex], std::move(matrix_words));
          } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(where + ": " + e.what());
          }
          if (!spec.synapses->plastic_table.empty()) plastic(*spec.synapses, in, slice, spec, load, report);
        }
        load.image = build_core_image(spec);
        if (spec.synapses) matrix_words = std::move(spec.synapses->words);
        return load;
      }
    }
    load.image = build_core_image(spec);
    return load;
  }
};

}  // namespace

std::vector<RouterLoad> router_loads(const MappingResult& mapping) {
  std::vector<RouterLoad> out;
  for (size_t t = 0; t < mapping.routes.tables.size(); ++t)
    out.push_back({mapping.routes.tables[t].chip, mapping.tables[t].entries});
  return out;
}

void for_each_core_load(const v1::Network& net, const ApplicationGraph& graph, const MappingResult& mapping,
                        const std::function<void(CoreLoad&&)>& sink, unsigned threads,
                        std::vector<QuantizationReport>* reports, const DrawnWeights* drawn) {
  check_graph_matches(net, graph);
  const Context ctx(net, graph, mapping, threads, drawn);
  const size_t n = mapping.partition.slices.size();
  if (reports) reports->assign(n, QuantizationReport{});
  // The error of the lowest failing slice, so the message does not depend
  // on thread timing; after a failure no more images reach the sink.
  ParallelIndices slices(n);
  std::mutex sink_mutex;
  slices.run(threads, [&] {
    WorkerBuffers buffers;
    slices.each([&](size_t si) {
      CoreLoad c = ctx.core(static_cast<uint32_t>(si), reports ? &(*reports)[si] : nullptr, buffers);
      const std::lock_guard lock(sink_mutex);
      if (!slices.failed()) sink(std::move(c));
    });
  });
}

MachineLoad build_machine_load(const v1::Network& net, const ApplicationGraph& graph, const MappingResult& mapping,
                               QuantizationReport* report, unsigned threads, const DrawnWeights* drawn) {
  MachineLoad load;
  load.cores.resize(mapping.partition.slices.size());
  std::vector<QuantizationReport> reports;
  for_each_core_load(
      net, graph, mapping, [&](CoreLoad&& c) { load.cores[c.slice] = std::move(c); }, threads,
      report ? &reports : nullptr, drawn);
  // Summed in slice order: the figures do not depend on the threads.
  load.weight_quantization.assign(static_cast<size_t>(net.projections_size()), WeightQuantization{});
  for (const CoreLoad& c : load.cores) {
    load.synapses += c.synapses;
    for (const auto& [e, q] : c.weight_quantization) load.weight_quantization[e].merge(q);
  }
  if (report)
    for (auto& r : reports) report->entries.insert(report->entries.end(), r.entries.begin(), r.entries.end());
  load.routers = router_loads(mapping);
  return load;
}

}  // namespace spindle::host
