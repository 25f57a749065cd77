#include "mapping/partition.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "image/format.h"
#include "image/synaptic_matrix.h"
#include "config/limits.h"

namespace spindle::host {
namespace {

// The machine's cores' limit (fewer for a model with a large state block),
// or the vertex's own if smaller.
uint32_t max_atoms(const ApplicationVertex& v, const emu::MachineDescription& m) {
  const uint32_t core = fw::max_neurons_for_state(m.max_neurons_per_core, v.neuron_state_words);
  return v.max_atoms_per_core ? std::min(v.max_atoms_per_core, core) : core;
}

// A cycle count for a message: a whole number, or e-notation when it is too
// large for one (an absurd spike rate makes estimates of 1e39 cycles, whose
// conversion to an integer would be undefined).
std::string cycles_figure(double x) {
  if (x >= 0 && x < 1e19) return std::to_string(static_cast<uint64_t>(x));
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", x);
  return b;
}

// Which budget a slice breaks and by how much, or empty.
std::string over_budget(const SliceResources& r, const emu::MachineDescription& m, const CostModel& c) {
  if (r.ring_slots > fw::kMaxRingSlots)
    return "ring buffer slots: its longest incoming delay needs " + std::to_string(r.ring_slots) +
           ", a core has " + std::to_string(fw::kMaxRingSlots) + " (delays up to " +
           std::to_string(fw::kMaxRingSlots - 1) + " timesteps)";
  if (r.ring_buffer_words > fw::kRingBufferWords)
    return "ring buffer words (delay slots x receptors x neurons): " + std::to_string(r.ring_buffer_words) + " of " +
           std::to_string(fw::kRingBufferWords);
  if (r.dtcm_bytes > m.dtcm_bytes_per_core)
    return "DTCM: " + std::to_string(r.dtcm_bytes) + " of " + std::to_string(m.dtcm_bytes_per_core) + " bytes";
  if (r.sdram_bytes > c.sdram_budget(m))
    return "SDRAM: " + std::to_string(r.sdram_bytes) + " of " + std::to_string(c.sdram_budget(m)) +
           " bytes (synaptic matrix and table " + std::to_string(r.sdram_bytes - r.sdram_recording_bytes) +
           ", recordings " + std::to_string(r.sdram_recording_bytes) + ")";
  if (r.cycles_per_tick > c.cycles_per_tick_budget())
    return "cycles per tick: " + cycles_figure(r.cycles_per_tick) + " of " + cycles_figure(c.cycles_per_tick_budget());
  return {};
}

}  // namespace

SliceResources slice_resources(const ApplicationGraph& graph, const std::vector<std::vector<uint32_t>>& incoming,
                               uint32_t vertex, uint32_t n_atoms, const emu::MachineDescription& machine,
                               const CostModel& cost) {
  const ApplicationVertex& v = graph.vertices[vertex];
  const double dt_s = cost.timestep_us * 1e-6;
  SliceResources r;
  uint32_t max_delay = 1;
  double matrix_words = 0;
  uint32_t table_entries = 0;
  for (uint32_t ei : incoming[vertex]) {
    const ApplicationEdge& e = graph.edges[ei];
    const ApplicationVertex& pre = graph.vertices[e.pre];
    max_delay = std::max(max_delay, e.max_delay_ticks);
    // Mean synapses per row (one row per pre neuron) landing on this slice.
    double rows = pre.n_atoms;
    double mean = e.n_synapses / (double(pre.n_atoms) * double(v.n_atoms)) * n_atoms;
    double hit = 1 - std::exp(-mean);  // chance a pre spike has a row here at all
    if (e.reach == EdgeReach::kSameIndices) {
      rows = std::min<double>(n_atoms, pre.n_atoms);
      mean = std::min<double>(e.n_synapses / pre.n_atoms, n_atoms);
      hit = 1;
    }
    const double max_row = mean > 0 ? std::min<double>(n_atoms, std::ceil(mean + cost.row_sigma * std::sqrt(mean)) + 1) : 0;
    matrix_words += rows * (e.row_header_words + max_row * e.words_per_synapse);
    table_entries += (pre.n_atoms + max_atoms(pre, machine) - 1) / max_atoms(pre, machine);
    const double spikes = rows * pre.rate_hz * dt_s;  // spikes per tick from the rows' sources
    r.packets_per_tick += spikes * hit;
    r.synaptic_events_per_tick += spikes * mean;
  }
  r.sdram_recording_bytes = uint64_t(n_atoms) * v.sdram_bytes_per_atom;
  r.sdram_bytes = uint64_t(std::ceil(matrix_words)) * 4 + uint64_t(table_entries) * sizeof(fw::image::PopulationTableEntry) +
                  r.sdram_recording_bytes;
  // Ring buffer as the image builder sizes it: every field padded to a power of two.
  uint32_t slots = 1u << bits_for(max_delay + 1);
  if (slots < 2) slots = 2;
  r.ring_slots = slots;
  const uint64_t ring = uint64_t(slots) << (bits_for(v.n_synapse_types) + bits_for(n_atoms));
  r.ring_buffer_words = uint32_t(std::min<uint64_t>(ring, UINT32_MAX));
  const uint64_t dtcm = uint64_t(cost.dtcm_bytes_fixed) + uint64_t(n_atoms) * v.dtcm_bytes_per_atom + ring * 4;
  r.dtcm_bytes = uint32_t(std::min<uint64_t>(dtcm, UINT32_MAX));
  r.cycles_per_tick = cost.cycles_per_tick_fixed + double(n_atoms) * v.cycles_per_atom +
                      r.packets_per_tick * cost.cycles_per_packet +
                      r.synaptic_events_per_tick * cost.cycles_per_synaptic_event;
  return r;
}

Partition partition(const ApplicationGraph& graph, const emu::MachineDescription& machine, const CostModel& cost) {
  validate_graph(graph);
  const auto incoming = incoming_edges(graph);
  Partition p;
  p.first_slice.reserve(graph.vertices.size() + 1);
  for (uint32_t vi = 0; vi < graph.vertices.size(); ++vi) {
    const ApplicationVertex& v = graph.vertices[vi];
    p.first_slice.push_back(uint32_t(p.slices.size()));
    auto fits = [&](uint32_t n) {
      return over_budget(slice_resources(graph, incoming, vi, n, machine, cost), machine, cost).empty();
    };
    // Every resource grows with the slice size, so the largest fitting size is a binary search.
    uint32_t lo = 0, hi = std::min(max_atoms(v, machine), v.n_atoms);
    if (fits(hi)) {
      lo = hi;
    } else {
      while (hi - lo > 1) {
        const uint32_t mid = lo + (hi - lo) / 2;
        (fits(mid) ? lo : hi) = mid;
      }
    }
    if (lo == 0) {
      const SliceResources r = slice_resources(graph, incoming, vi, 1, machine, cost);
      throw std::runtime_error("population " + std::to_string(vi) + " (" + v.label +
                               "): not even one neuron fits a core: " + over_budget(r, machine, cost));
    }
    p.atoms_per_core.push_back(lo);
    // Balanced slices: sizes differ by at most one, none larger than lo.
    const uint32_t k = (v.n_atoms + lo - 1) / lo;
    const uint32_t base = v.n_atoms / k, extra = v.n_atoms % k;
    uint32_t at = 0;
    for (uint32_t s = 0; s < k; ++s) {
      Slice sl;
      sl.vertex = vi;
      sl.index = s;
      sl.lo_atom = at;
      sl.n_atoms = base + (s < extra ? 1 : 0);
      sl.resources = slice_resources(graph, incoming, vi, sl.n_atoms, machine, cost);
      at += sl.n_atoms;
      p.slices.push_back(sl);
    }
  }
  p.first_slice.push_back(uint32_t(p.slices.size()));
  return p;
}

}  // namespace spindle::host
