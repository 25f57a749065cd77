#include "mapping/report.h"

#include <algorithm>
#include <map>

namespace spindle::host {
namespace {

std::string hex(uint32_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int i = 28; i >= 0; i -= 4) s += digits[(v >> i) & 0xF];
  return s;
}

nlohmann::json chip_json(emu::ChipCoord c) { return nlohmann::json::array({c.x, c.y}); }

}  // namespace

MappingReport make_report(const ApplicationGraph& graph, const emu::MachineDescription& machine,
                          const MappingResult& result, const MappingOptions& options) {
  MappingReport r;
  r.machine = machine.name;
  r.application_cores = machine.application_core_count();
  r.table_capacity = options.table_capacity ? options.table_capacity : machine.router_table_capacity;
  r.cycles_per_tick_budget = options.cost.cycles_per_tick_budget();
  r.time_scale_factor = options.cost.time_scale_factor;
  r.timestep_us = options.cost.timestep_us;
  r.dtcm_bytes_per_core = machine.dtcm_bytes_per_core;
  r.max_neurons_per_core = machine.max_neurons_per_core;
  r.sdram_bytes_per_core = options.cost.sdram_budget(machine);
  r.key_layout = result.keys.layout;
  r.n_edges = uint32_t(graph.edges.size());
  for (uint32_t v = 0; v < graph.vertices.size(); ++v)
    r.populations.push_back(PopulationReport{graph.vertices[v].label, graph.vertices[v].n_atoms,
                                             result.partition.atoms_per_core[v], result.partition.n_slices(v)});
  std::map<uint32_t, ChipReport> chips;
  auto chip = [&](emu::ChipCoord c) -> ChipReport& {
    ChipReport& cr = chips[machine.mesh.index(c)];
    cr.chip = c;
    return cr;
  };
  for (uint32_t s = 0; s < result.partition.slices.size(); ++s) {
    const Slice& sl = result.partition.slices[s];
    const Placement& p = result.placements[s];
    r.slices.push_back(SliceReport{sl.vertex, sl.index, sl.lo_atom, sl.n_atoms, p.chip, p.core,
                                   result.keys.keys[s].base, result.keys.keys[s].mask, sl.resources});
    ChipReport& cr = chip(p.chip);
    ++cr.cores_used;
    cr.sdram_bytes += sl.resources.sdram_bytes;
  }
  for (const CompressedTable& t : result.tables) {
    ChipReport& cr = chip(t.chip);
    cr.entries_before = t.entries_before;
    cr.entries_after = uint32_t(t.entries.size());
    cr.merges = t.merges;
    cr.keys_verified = t.keys_verified;
  }
  for (auto& [index, cr] : chips) r.chips.push_back(cr);
  return r;
}

nlohmann::json to_json(const MappingReport& r) {
  nlohmann::json j;
  j["machine"] = {{"name", r.machine},
                  {"application_cores", r.application_cores},
                  {"router_table_capacity", r.table_capacity},
                  {"dtcm_bytes_per_core", r.dtcm_bytes_per_core},
                  {"max_neurons_per_core", r.max_neurons_per_core},
                  {"sdram_bytes_per_core", r.sdram_bytes_per_core},
                  {"cycles_per_tick_budget", r.cycles_per_tick_budget},
                  {"timestep_us", r.timestep_us},
                  {"time_scale_factor", r.time_scale_factor}};
  j["key_layout"] = {{"vertex_bits", r.key_layout.vertex_bits},
                     {"slice_bits", r.key_layout.slice_bits},
                     {"atom_bits", r.key_layout.atom_bits}};
  auto& pops = j["populations"] = nlohmann::json::array();
  for (const PopulationReport& p : r.populations)
    pops.push_back({{"label", p.label}, {"n_atoms", p.n_atoms}, {"atoms_per_core", p.atoms_per_core},
                    {"slices", p.n_slices}});
  auto& slices = j["slices"] = nlohmann::json::array();
  uint32_t max_before = 0, max_after = 0;
  double max_cycles = 0;
  for (const SliceReport& s : r.slices) {
    max_cycles = std::max(max_cycles, s.resources.cycles_per_tick);
    slices.push_back({{"population", s.vertex},
                      {"slice", s.index},
                      {"atoms", {s.lo_atom, s.lo_atom + s.n_atoms}},
                      {"chip", chip_json(s.chip)},
                      {"core", s.core},
                      {"key", hex(s.key)},
                      {"mask", hex(s.mask)},
                      {"dtcm_bytes", s.resources.dtcm_bytes},
                      {"ring_buffer_words", s.resources.ring_buffer_words},
                      {"sdram_bytes", s.resources.sdram_bytes},
                      {"packets_per_tick", s.resources.packets_per_tick},
                      {"synaptic_events_per_tick", s.resources.synaptic_events_per_tick},
                      {"cycles_per_tick", s.resources.cycles_per_tick}});
  }
  auto& chips = j["chips"] = nlohmann::json::array();
  for (const ChipReport& c : r.chips) {
    max_before = std::max(max_before, c.entries_before);
    max_after = std::max(max_after, c.entries_after);
    chips.push_back({{"chip", chip_json(c.chip)},
                     {"cores_used", c.cores_used},
                     {"sdram_bytes", c.sdram_bytes},
                     {"table_entries_before", c.entries_before},
                     {"table_entries_after", c.entries_after},
                     {"merges", c.merges},
                     {"keys_verified", c.keys_verified}});
  }
  j["summary"] = {{"populations", r.populations.size()},
                  {"projections", r.n_edges},
                  {"slices", r.slices.size()},
                  {"chips_used", r.chips.size()},
                  {"max_table_entries_before", max_before},
                  {"max_table_entries_after", max_after},
                  {"max_cycles_per_tick", max_cycles}};
  return j;
}

}  // namespace spindle::host
