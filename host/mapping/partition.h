// Partition stage: split each population (application vertex) into slices
// (machine vertices) that each fit one application core: at most the
// machine's max_neurons_per_core neurons (and the vertex's own cap), the core's DTCM and ring buffer, its share of
// chip SDRAM for the synaptic matrix, and the cycle budget of one tick under
// the cost model below (docs/mapping.md). Pure and deterministic.
#pragma once

#include <cstdint>
#include <vector>

#include "machine/machine.h"
#include "mapping/graph.h"

namespace spindle::host {

// What a core costs, per tick and in memory. Defaults: SpiNNaker's 200 MHz
// ARM968 and the design target of ~20 cycles per synaptic event.
struct CostModel {
  double clock_hz = 200e6;
  uint32_t timestep_us = 1000;
  double time_scale_factor = 1.0;         // > 1: run slower than real time, more cycles per tick
  double usable_fraction = 0.8;           // headroom for interrupts and jitter
  uint32_t cycles_per_tick_fixed = 2000;  // timer handler, recording flush, provenance
  uint32_t cycles_per_packet = 100;       // packet interrupt, population-table search, row fetch set-up
  uint32_t cycles_per_synaptic_event = 20;  // one synaptic word into the ring buffer
  uint32_t dtcm_bytes_fixed = 8 * 1024;   // runtime, stack, queues, provenance
  uint64_t sdram_bytes_per_core = 0;      // 0: chip SDRAM / cores per chip
  double row_sigma = 3;                   // max row length = mean + row_sigma * sqrt(mean) + 1

  // Cycles available to one core per tick.
  double cycles_per_tick_budget() const {
    return clock_hz * timestep_us * 1e-6 * time_scale_factor * usable_fraction;
  }
  uint64_t sdram_budget(const emu::MachineDescription& m) const {
    return sdram_bytes_per_core ? sdram_bytes_per_core : m.sdram_bytes_per_chip / (m.cores_per_chip ? m.cores_per_chip : 1);
  }
};

// Estimated use of one slice's core.
struct SliceResources {
  uint32_t dtcm_bytes = 0;          // fixed + per neuron + ring buffer
  uint32_t ring_slots = 2;          // power of two above the longest incoming delay (at most fw::kMaxRingSlots)
  uint32_t ring_buffer_words = 0;   // slots x types x neurons, each padded to a power of two (as the image builder)
  uint64_t sdram_bytes = 0;         // synaptic matrix + population table + per-neuron SDRAM
  uint64_t sdram_recording_bytes = 0;  // the per-neuron part of it (recordings)
  double packets_per_tick = 0;      // incoming spikes that hit this core
  double synaptic_events_per_tick = 0;
  double cycles_per_tick = 0;
};

struct Slice {
  uint32_t vertex = 0;   // application vertex
  uint32_t index = 0;    // slice number within the vertex
  uint32_t lo_atom = 0;  // first neuron of the vertex in this slice
  uint32_t n_atoms = 0;
  SliceResources resources;
};

struct Partition {
  std::vector<Slice> slices;              // vertex order, then slice order
  std::vector<uint32_t> first_slice;      // per vertex, plus one past the end: slices of v are [first_slice[v], first_slice[v+1])
  std::vector<uint32_t> atoms_per_core;   // per vertex: the largest slice size that fits
  uint32_t n_slices(uint32_t vertex) const { return first_slice[vertex + 1] - first_slice[vertex]; }
};

// Resources of a slice of n atoms of vertex v (n >= 1).
SliceResources slice_resources(const ApplicationGraph& graph, const std::vector<std::vector<uint32_t>>& incoming,
                               uint32_t vertex, uint32_t n_atoms, const emu::MachineDescription& machine,
                               const CostModel& cost);

// Throws std::invalid_argument on a bad graph (validate_graph) and
// std::runtime_error when not even one neuron of a population fits a core,
// naming the population and the resource.
Partition partition(const ApplicationGraph& graph, const emu::MachineDescription& machine, const CostModel& cost = {});

}  // namespace spindle::host
