#include "cli/results.h"

#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "fixed/fixed_point.h"
#include "quantize/quantize.h"
#include "router/counters.h"

namespace spindle::cli {
namespace {

std::ofstream open_out(const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  if (!out) throw std::runtime_error(file.string() + ": cannot write");
  return out;
}

const char* variable_name(uint16_t v) {
  switch (static_cast<fw::StateVariable>(v)) {
    case fw::StateVariable::kV: return "v";
    case fw::StateVariable::kGsynExc: return "gsyn_exc";
    case fw::StateVariable::kGsynInh: return "gsyn_inh";
  }
  return "unknown";
}

}  // namespace

void write_npy(const std::filesystem::path& file, const std::vector<double>& values, size_t rows, size_t cols) {
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                       std::to_string(cols) + "), }";
  // Magic (6) + version (2) + header length (2) + header, padded with spaces
  // and ended by a newline to a multiple of 64 bytes.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream out = open_out(file);
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xFF), static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(double)));
  if (!out) throw std::runtime_error(file.string() + ": write failed");
}

std::vector<PopulationSummary> write_results(const std::filesystem::path& dir, const spindle::v1::Network& net,
                                             const host::MappingResult& mapping, const host::MachineLoad& load,
                                             const emu::Engine& engine, const emu::RunReport& report) {
  std::filesystem::create_directories(dir);
  const double dt = net.run().timestep_ms();
  std::vector<PopulationSummary> summary(static_cast<size_t>(net.populations_size()));
  for (int p = 0; p < net.populations_size(); ++p) {
    summary[p].label = net.populations(p).label();
    summary[p].size = net.populations(p).size();
  }
  for (const auto& r : net.recordings())
    for (int v : r.variables())
      if (v == spindle::v1::SPIKES)
        for (auto& s : summary)
          if (s.label == r.population()) s.recorded = true;

  std::vector<std::vector<double>> spikes(summary.size());  // per population: neuron, time pairs
  std::ofstream csv = open_out(dir / "spikes.csv");
  csv << "population,neuron,time_ms\n";
  std::ofstream state;
  nlohmann::json cores = nlohmann::json::array();
  for (const host::CoreLoad& c : load.cores) {
    const host::Slice& slice = mapping.partition.slices[c.slice];
    const std::string& label = summary[slice.vertex].label;
    const emu::CoreSlot* slot = engine.find({c.chip, c.core});
    if (!slot) continue;
    for (const fw::SpikeRecord& s : slot->spikes) {
      const uint32_t neuron = slice.lo_atom + s.neuron;
      const double t = s.tick * dt;
      csv << label << ',' << neuron << ',' << t << '\n';
      spikes[slice.vertex].push_back(neuron);
      spikes[slice.vertex].push_back(t);
      ++summary[slice.vertex].spikes;
    }
    if (!slot->states.empty() && !state.is_open()) {
      state = open_out(dir / "state.csv");
      state << "population,neuron,time_ms,variable,value\n";
    }
    for (const fw::StateRecord& s : slot->states)
      state << label << ',' << slice.lo_atom + s.neuron << ',' << s.tick * dt << ',' << variable_name(s.variable)
            << ',' << host::to_double(fw::Accum::from_raw(s.value)) << '\n';
    nlohmann::json counters;
    fw::for_each_counter(slot->provenance(), [&](const char* name, uint32_t v) { counters[name] = v; });
    cores.push_back({{"chip", {c.chip.x, c.chip.y}},
                     {"core", c.core},
                     {"population", label},
                     {"atoms", {slice.lo_atom, slice.lo_atom + slice.n_atoms}},
                     {"provenance", counters}});
  }
  if (!csv) throw std::runtime_error((dir / "spikes.csv").string() + ": write failed");
  for (size_t p = 0; p < summary.size(); ++p)
    if (summary[p].recorded) write_npy(dir / (summary[p].label + ".spikes.npy"), spikes[p], spikes[p].size() / 2, 2);

  const emu::RouterCounters& t = report.fabric.totals;
  nlohmann::json drops;
  for (uint32_t k = 0; k < emu::kDropReasonCount; ++k)
    drops[std::string(emu::drop_reason_name(static_cast<emu::DropReason>(k)))] = t.dropped[k];
  nlohmann::json prov = {
      {"ticks", report.ticks},
      {"timestep_ms", dt},
      {"wall_seconds", report.wall_seconds},
      {"routing_seconds", report.routing_seconds},
      {"neuron_updates", report.neuron_updates},
      {"synaptic_events", report.synaptic_events},
      {"spikes", report.spikes},
      {"fabric",
       {{"injected", t.injected},
        {"delivered", t.delivered},
        {"delivered_late", t.delivered_late},
        {"emergency_routed", t.emergency_routed},
        {"dumped", t.dumped},
        {"reinjected", t.reinjected},
        {"pending", report.fabric.pending},
        {"dropped", drops},
        {"balanced", report.fabric.balanced()}}},
      {"cores", cores}};
  std::ofstream pj = open_out(dir / "provenance.json");
  pj << prov.dump(2) << '\n';

  // What `spindle plot` needs to read the spikes back: sizes and duration.
  nlohmann::json pops = nlohmann::json::array();
  for (const PopulationSummary& p : summary)
    pops.push_back({{"label", p.label}, {"size", p.size}, {"spikes_recorded", p.recorded}, {"spikes", p.spikes}});
  const nlohmann::json run = {{"timestep_ms", dt},
                              {"ticks", report.ticks},
                              {"duration_ms", report.ticks * dt},
                              {"populations", pops}};
  std::ofstream rj = open_out(dir / "run.json");
  rj << run.dump(2) << '\n';
  return summary;
}

}  // namespace spindle::cli
