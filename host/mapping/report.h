// The mapping report: what went where and what it costs. Slices, their
// placements and keys, memory and cycles per core, routing table sizes
// before and after compression per chip. to_json() gives the JSON form that
// `spindle map` prints (docs/mapping.md lists the fields).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "machine/machine.h"
#include "mapping/graph.h"
#include "mapping/pipeline.h"

namespace spindle::host {

struct PopulationReport {
  std::string label;
  uint32_t n_atoms = 0;
  uint32_t atoms_per_core = 0;
  uint32_t n_slices = 0;
};

struct SliceReport {
  uint32_t vertex = 0;
  uint32_t index = 0;  // slice within the vertex
  uint32_t lo_atom = 0;
  uint32_t n_atoms = 0;
  emu::ChipCoord chip;
  uint32_t core = 0;
  uint32_t key = 0;
  uint32_t mask = 0;
  SliceResources resources;
};

struct ChipReport {
  emu::ChipCoord chip;
  uint32_t cores_used = 0;
  uint64_t sdram_bytes = 0;     // sum over its slices
  uint32_t entries_before = 0;  // routing table before compression
  uint32_t entries_after = 0;
  uint32_t merges = 0;
  uint64_t keys_verified = 0;
};

struct MappingReport {
  std::string machine;
  uint32_t application_cores = 0;  // alive, on the machine
  uint32_t table_capacity = 0;
  double cycles_per_tick_budget = 0;
  double time_scale_factor = 1;    // the cost model's: the budget is clock x timestep x this x usable fraction
  uint32_t timestep_us = 0;
  uint32_t dtcm_bytes_per_core = 0;
  uint32_t max_neurons_per_core = 0;  // what the cores' firmware build holds
  uint64_t sdram_bytes_per_core = 0;
  KeyLayout key_layout;
  uint32_t n_edges = 0;
  std::vector<PopulationReport> populations;
  std::vector<SliceReport> slices;
  std::vector<ChipReport> chips;  // chips with a slice or a routing entry, ascending index
};

MappingReport make_report(const ApplicationGraph& graph, const emu::MachineDescription& machine,
                          const MappingResult& result, const MappingOptions& options = {});

nlohmann::json to_json(const MappingReport& report);

}  // namespace spindle::host
