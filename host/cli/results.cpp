#include "cli/results.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/csv_numbers.h"
#include "cli/csv_text.h"
#include "cli/results_manifest.h"
#include "fixed/fixed_point.h"
#include "network/labels.h"
#include "network/recording_selection.h"
#include "quantize/quantize.h"
#include "router/counters.h"

namespace spindle::cli {
namespace {

std::ofstream open_out(const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  if (!out) throw std::runtime_error(file.string() + ": cannot write");
  return out;
}

spindle::v1::RecordVariable record_variable(uint16_t v) {
  switch (static_cast<fw::StateVariable>(v)) {
    case fw::StateVariable::kV: return spindle::v1::V;
    case fw::StateVariable::kGsynExc: return spindle::v1::GSYN_EXC;
    case fw::StateVariable::kGsynInh: return spindle::v1::GSYN_INH;
    case fw::StateVariable::kThreshold: return spindle::v1::THRESHOLD;
    case fw::StateVariable::kSegmentSpikes: return spindle::v1::SEGMENT_SPIKES;
  }
  return spindle::v1::RECORD_VARIABLE_UNSPECIFIED;
}

const char* variable_name(uint16_t v) {
  switch (static_cast<fw::StateVariable>(v)) {
    case fw::StateVariable::kV: return "v";
    case fw::StateVariable::kGsynExc: return "gsyn_exc";
    case fw::StateVariable::kGsynInh: return "gsyn_inh";
    case fw::StateVariable::kThreshold: return "threshold";
    case fw::StateVariable::kSegmentSpikes: return "segment_spikes";
  }
  return "unknown";
}

}  // namespace

std::string output_dir_problem(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create the folder: " + ec.message();
  if (!std::filesystem::is_directory(dir, ec)) return "is not a folder";
  const std::filesystem::path probe = dir / ".spindle-write-test";
  {
    std::ofstream out(probe, std::ios::binary);
    if (!(out << "x") || !out.flush()) return "cannot write files there";
  }
  std::filesystem::remove(probe, ec);
  return {};
}

namespace {

// A NumPy .npy file's header for a structured array of n records.
void write_npy_header(std::ofstream& out, const std::string& descr, size_t n) {
  std::string header = "{'descr': " + descr + ", 'fortran_order': False, 'shape': (" + std::to_string(n) + ",), }";
  // Magic (6) + version (2) + header length (2) + header, padded with spaces
  // and ended by a newline to a multiple of 64 bytes.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xFF), static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
}

template <class T>
void append_le(std::string& out, T v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof v);
  for (size_t k = 0; k < sizeof v; ++k) out.push_back(static_cast<char>(bits >> (8 * k)));
}

// "pre,post,weight\n" of synapse k; `field` holds TickTimeFormat::kMaxChars.
void append_synapse_line(std::string& lines, const host::ProjectionWeights& w, size_t k, char* field) {
  lines += std::to_string(w.pre[k]);
  lines += ',';
  lines += std::to_string(w.post[k]);
  lines += ',';
  lines.append(field, write_value(field, w.weight[k]));
  lines += '\n';
}

void write_weights(const std::filesystem::path& dir, const std::string& stem, const host::ProjectionWeights& w,
                   ResultsManifest& manifest) {
  const std::filesystem::path npy = dir / (stem + ".weights.npy"), csv_path = dir / (stem + ".weights.csv");
  manifest.wrote(stem + ".weights.npy");
  std::ofstream out = open_out(npy);
  write_npy_header(out, "[('pre', '<u4'), ('post', '<u4'), ('weight', '<f8')]", w.weight.size());
  std::string records;
  records.reserve(w.weight.size() * 16);
  for (size_t k = 0; k < w.weight.size(); ++k) {
    append_le(records, w.pre[k]);
    append_le(records, w.post[k]);
    append_le(records, w.weight[k]);
  }
  out.write(records.data(), static_cast<std::streamsize>(records.size()));
  if (!out) throw std::runtime_error(npy.string() + ": write failed");
  manifest.wrote(stem + ".weights.csv");
  std::ofstream csv = open_out(csv_path);
  std::string lines = "pre,post,weight\n";
  char field[TickTimeFormat::kMaxChars];
  for (size_t k = 0; k < w.weight.size(); ++k) append_synapse_line(lines, w, k, field);
  csv.write(lines.data(), static_cast<std::streamsize>(lines.size()));
  if (!csv) throw std::runtime_error(csv_path.string() + ": write failed");
}

// Every snapshot of projection e's weights, by time.
void write_weight_history(const std::filesystem::path& dir, const std::string& stem, uint32_t e,
                          const WeightHistory& history, ResultsManifest& manifest) {
  const std::filesystem::path npy = dir / (stem + ".weights_history.npy"),
                              csv_path = dir / (stem + ".weights_history.csv");
  size_t n = 0;
  for (const auto& snapshot : history.weights)
    for (const host::ProjectionWeights& w : snapshot)
      if (w.projection == e) n += w.weight.size();
  manifest.wrote(stem + ".weights_history.npy");
  std::ofstream out = open_out(npy);
  write_npy_header(out, "[('time_ms', '<f8'), ('pre', '<u4'), ('post', '<u4'), ('weight', '<f8')]", n);
  manifest.wrote(stem + ".weights_history.csv");
  std::ofstream csv = open_out(csv_path);
  csv << "time_ms,pre,post,weight\n";
  char field[TickTimeFormat::kMaxChars], time_field[TickTimeFormat::kMaxChars];
  std::string records, lines;
  for (size_t s = 0; s < history.weights.size(); ++s) {
    const size_t time_len = write_value(time_field, history.time_ms[s]);
    for (const host::ProjectionWeights& w : history.weights[s]) {
      if (w.projection != e) continue;
      for (size_t k = 0; k < w.weight.size(); ++k) {
        append_le(records, history.time_ms[s]);
        append_le(records, w.pre[k]);
        append_le(records, w.post[k]);
        append_le(records, w.weight[k]);
        lines.append(time_field, time_len);
        lines += ',';
        append_synapse_line(lines, w, k, field);
      }
      if (records.size() > (size_t{1} << 20)) {
        out.write(records.data(), static_cast<std::streamsize>(records.size()));
        records.clear();
        csv.write(lines.data(), static_cast<std::streamsize>(lines.size()));
        lines.clear();
      }
    }
  }
  out.write(records.data(), static_cast<std::streamsize>(records.size()));
  csv.write(lines.data(), static_cast<std::streamsize>(lines.size()));
  if (!out) throw std::runtime_error(npy.string() + ": write failed");
  if (!csv) throw std::runtime_error(csv_path.string() + ": write failed");
}

}  // namespace

std::vector<std::string> projection_file_stems(const spindle::v1::Network& net) {
  std::vector<std::string> names;
  for (int j = 0; j < net.projections_size(); ++j)
    names.push_back(net.projections(j).label().empty() ? "projection" + std::to_string(j) : net.projections(j).label());
  return host::network::unique_file_stems(names);
}

void write_spikes_npy(const std::filesystem::path& file, const std::vector<NpySpike>& spikes) {
  // A structured array: neuron ids as integers, times as the CSV writes them.
  std::string header = "{'descr': [('neuron', '<u4'), ('time_ms', '<f8')], 'fortran_order': False, 'shape': (" +
                       std::to_string(spikes.size()) + ",), }";
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
  std::string records;
  records.reserve(spikes.size() * 12);
  for (const NpySpike& s : spikes) {  // little-endian, packed: 4 + 8 bytes
    char rec[12];
    for (int k = 0; k < 4; ++k) rec[k] = static_cast<char>(s.neuron >> (8 * k));
    uint64_t bits;
    std::memcpy(&bits, &s.time_ms, sizeof bits);
    for (int k = 0; k < 8; ++k) rec[4 + k] = static_cast<char>(bits >> (8 * k));
    records.append(rec, sizeof rec);
  }
  out.write(records.data(), static_cast<std::streamsize>(records.size()));
  if (!out) throw std::runtime_error(file.string() + ": write failed");
}

std::vector<PopulationSummary> write_recordings(const std::filesystem::path& dir, const spindle::v1::Network& net,
                                                size_t n_cores,
                                                const std::function<void(size_t, CoreRecording&)>& fill,
                                                uint64_t ticks, const nlohmann::json& provenance,
                                                const nlohmann::json& mapping_report, const RunEnd& end,
                                                const std::string& network_file,
                                                const std::vector<host::ProjectionWeights>& weights,
                                                const WeightHistory& history) {
  std::filesystem::create_directories(dir);
  const double dt = net.run().timestep_ms();
  std::vector<PopulationSummary> summary(static_cast<size_t>(net.populations_size()));
  std::vector<std::string> labels, csv_labels;
  for (int p = 0; p < net.populations_size(); ++p) {
    summary[p].label = net.populations(p).label();
    summary[p].size = net.populations(p).size();
    labels.push_back(summary[p].label);
    csv_labels.push_back(csv_field(summary[p].label));
  }
  // File names never come from a label as it is (it may hold "../" or a
  // NUL when the network was not validated here, e.g. a daemon's answer).
  const std::vector<std::string> stems = host::network::unique_file_stems(labels);
  const host::network::RecordingSelection selection(net);
  for (size_t p = 0; p < summary.size(); ++p) {
    summary[p].recorded = selection.records_spikes(static_cast<uint32_t>(p));
    summary[p].recorded_neurons = selection.spike_recorded_neurons(static_cast<uint32_t>(p), summary[p].size);
  }
  ResultsManifest manifest(dir);

  std::vector<std::vector<NpySpike>> spikes(summary.size());  // per population
  manifest.wrote("spikes.csv");
  std::ofstream csv = open_out(dir / "spikes.csv");
  csv << "population,neuron,time_ms\n";
  std::ofstream state;
  // CSV lines are formatted into one buffer (a million spikes per second of
  // run are common, and operator<< cost ~3000 instructions a line), times
  // with the timestep's decimals and values in round-trip form
  // (cli/csv_numbers.h).
  const TickTimeFormat time_format(dt);
  std::string lines, state_lines;
  // Writes `buffer` out once it holds more than `above` bytes.
  auto flush = [](std::ofstream& out, std::string& buffer, size_t above) {
    if (buffer.size() <= above) return;
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    buffer.clear();
  };
  constexpr size_t kFlushBytes = size_t{1} << 20;
  char field[TickTimeFormat::kMaxChars];
  // "population,neuron,time_ms": the start of a line of either file.
  auto start_line = [&](std::string& buffer, const std::string& label, uint32_t neuron, uint64_t tick) {
    buffer += label;
    buffer += ',';
    buffer += std::to_string(neuron);
    buffer += ',';
    buffer.append(field, time_format.write(field, tick));
  };
  CoreRecording core;
  for (size_t i = 0; i < n_cores; ++i) {
    core.spikes.clear();
    core.states.clear();
    fill(i, core);
    if (core.population >= summary.size()) throw std::runtime_error("core recording of an unknown population");
    // Neuron order, then time (as sPyNNaker's get_spikes): a population's
    // slices come in neuron order, so the files are the same however the
    // population is sliced (native cores hold more neurons than ARM images).
    // Records arrive in tick order; a stable sort keeps it within a neuron.
    std::stable_sort(core.spikes.begin(), core.spikes.end(),
                     [](const SpikeSample& a, const SpikeSample& b) { return a.neuron < b.neuron; });
    std::stable_sort(core.states.begin(), core.states.end(),
                     [](const StateSample& a, const StateSample& b) { return a.neuron < b.neuron; });
    const std::string& label = csv_labels[core.population];
    // Cores record the union of a population's recordings; each keeps what
    // it asked for.
    std::erase_if(core.spikes, [&](const SpikeSample& s) { return !selection.keep_spike(core.population, s.neuron); });
    std::erase_if(core.states, [&](const StateSample& s) {
      return !selection.keep_state(core.population, record_variable(s.variable), s.neuron, s.tick);
    });
    for (const SpikeSample& s : core.spikes) {
      start_line(lines, label, s.neuron, s.tick);
      const size_t time_at = lines.rfind(',') + 1;
      spikes[core.population].push_back({s.neuron, std::strtod(lines.c_str() + time_at, nullptr)});  // the CSV's time
      lines += '\n';
      ++summary[core.population].spikes;
    }
    flush(csv, lines, kFlushBytes);
    if (!core.states.empty() && !state.is_open()) {
      manifest.wrote("state.csv");
      state = open_out(dir / "state.csv");
      state << "population,neuron,time_ms,variable,value\n";
    }
    for (const StateSample& s : core.states) {
      start_line(state_lines, label, s.neuron, s.tick);
      state_lines += ',';
      state_lines += variable_name(s.variable);
      state_lines += ',';
      state_lines.append(field, write_value(field, s.value));
      state_lines += '\n';
    }
    if (state.is_open()) flush(state, state_lines, kFlushBytes);
  }
  flush(csv, lines, 0);
  if (state.is_open()) flush(state, state_lines, 0);
  if (state.is_open() && !state) throw std::runtime_error((dir / "state.csv").string() + ": write failed");
  if (!csv) throw std::runtime_error((dir / "spikes.csv").string() + ": write failed");
  for (size_t p = 0; p < summary.size(); ++p)
    if (summary[p].recorded) {
      manifest.wrote(stems[p] + ".spikes.npy");
      write_spikes_npy(dir / (stems[p] + ".spikes.npy"), spikes[p]);
    }

  if (!weights.empty()) {
    const std::vector<std::string> projection_stems = projection_file_stems(net);
    for (const host::ProjectionWeights& w : weights) {
      if (w.projection >= projection_stems.size()) throw std::runtime_error("weights of an unknown projection");
      write_weights(dir, projection_stems[w.projection], w, manifest);
      if (!history.weights.empty()) write_weight_history(dir, projection_stems[w.projection], w.projection, history, manifest);
    }
  }

  manifest.wrote("provenance.json");
  std::ofstream pj = open_out(dir / "provenance.json");
  pj << provenance.dump(2) << '\n';
  manifest.wrote("mapping.json");
  std::ofstream mj = open_out(dir / "mapping.json");
  mj << mapping_report.dump(2) << '\n';
  if (!mj) throw std::runtime_error((dir / "mapping.json").string() + ": write failed");

  // What `spindle plot` needs to read the spikes back: sizes and duration.
  nlohmann::json pops = nlohmann::json::array();
  for (const PopulationSummary& p : summary)
    pops.push_back({{"label", p.label},
                    {"size", p.size},
                    {"spikes_recorded", p.recorded},
                    {"spikes_recorded_neurons", p.recorded ? p.recorded_neurons : 0},
                    {"spikes", p.spikes}});
  nlohmann::json run = {{"timestep_ms", dt},
                        {"ticks", ticks},
                        {"duration_ms", static_cast<double>(ticks) * dt},
                        {"populations", pops}};
  if (!network_file.empty()) run["network"] = std::filesystem::path(network_file).filename().string();
  mark_run_end(run, end);
  manifest.wrote("run.json");
  std::ofstream rj = open_out(dir / "run.json");
  rj << run.dump(2) << '\n';
  rj.close();
  if (!rj) throw std::runtime_error((dir / "run.json").string() + ": write failed");
  // Only now, with every file of this run in place: the earlier run's go.
  for (const std::string& name : manifest.commit())
    std::fprintf(stderr, "spindle: %s: %s is not from this run (left from an earlier run without a manifest)\n",
                 dir.string().c_str(), name.c_str());
  return summary;
}

void mark_run_end(nlohmann::json& j, const RunEnd& end) {
  if (end.stopped_by.empty()) return;
  j["partial"] = true;
  j["ticks_requested"] = end.ticks_requested;
  j["stopped_by"] = end.stopped_by;
}

std::vector<PopulationSummary> write_results(const std::filesystem::path& dir, const spindle::v1::Network& net,
                                             const host::MappingResult& mapping, const host::MachineLoad& load,
                                             const emu::Engine& engine, const emu::RunReport& report,
                                             const nlohmann::json& mapping_report, const RunEnd& end,
                                             const std::string& network_file,
                                             const std::vector<host::ProjectionWeights>& weights,
                                             const WeightHistory& history) {
  const double dt = net.run().timestep_ms();
  nlohmann::json cores = nlohmann::json::array();
  for (const host::CoreLoad& c : load.cores) {
    const emu::CoreSlot* slot = engine.find({c.chip, c.core});
    if (!slot) continue;
    const host::Slice& slice = mapping.partition.slices[c.slice];
    nlohmann::json counters;
    fw::for_each_counter(slot->provenance(), [&](const char* name, uint32_t v) { counters[name] = v; });
    cores.push_back({{"chip", {c.chip.x, c.chip.y}},
                     {"core", c.core},
                     {"population", net.populations(static_cast<int>(slice.vertex)).label()},
                     {"atoms", {slice.lo_atom, slice.lo_atom + slice.n_atoms}},
                     {"provenance", counters}});
  }
  const emu::RouterCounters& t = report.fabric.totals;
  nlohmann::json drops;
  for (uint32_t k = 0; k < emu::kDropReasonCount; ++k)
    drops[std::string(emu::drop_reason_name(static_cast<emu::DropReason>(k)))] = t.dropped[k];
  nlohmann::json prov = {
      {"ticks", report.ticks},
      {"timestep_ms", dt},
      {"wall_seconds", report.wall_seconds},
      {"cpu_seconds", report.cpu_seconds},
      {"routing_seconds", report.routing_seconds},
      {"neuron_updates", report.neuron_updates},
      {"synaptic_events", report.synaptic_events},
      {"spikes", report.spikes},
      {"fabric",
       {{"injected", t.injected},
        {"delivered", t.delivered},
        {"delivered_late", t.delivered_late},
        {"copies", t.copies},
        {"emergency_routed", t.emergency_routed},
        {"dumped", t.dumped},
        {"reinjected", t.reinjected},
        {"pending", report.fabric.pending},
        {"dropped", drops},
        {"balanced", report.fabric.balanced()}}},
      {"cores", cores}};

  // Cores the engine does not hold (none in practice) record nothing.
  auto fill = [&](size_t i, CoreRecording& out) {
    const host::CoreLoad& c = load.cores[i];
    const host::Slice& slice = mapping.partition.slices[c.slice];
    out.population = slice.vertex;
    const emu::CoreSlot* slot = engine.find({c.chip, c.core});
    if (!slot) return;
    out.spikes.reserve(out.spikes.size() + slot->spikes.size());
    for (const fw::SpikeRecord& s : slot->spikes) out.spikes.push_back({s.tick, slice.lo_atom + s.neuron});
    for (const fw::StateRecord& s : slot->states)
      out.states.push_back({s.tick, slice.lo_atom + s.neuron, s.variable, host::to_double(fw::Accum::from_raw(s.value))});
  };
  mark_run_end(prov, end);
  return write_recordings(dir, net, load.cores.size(), fill, report.ticks, prov, mapping_report, end, network_file,
                          weights, history);
}

void print_run_summary(const RunSummary& r, const std::vector<PopulationSummary>& populations) {
  std::printf("%s: %.1f ms of biological time (%llu ticks of %g ms) on %s, %zu cores, %llu synapses, %.2f s wall\n",
              r.network.c_str(), r.duration_ms, static_cast<unsigned long long>(r.ticks), r.timestep_ms,
              r.machine.c_str(), r.cores, static_cast<unsigned long long>(r.synapses), r.wall_seconds);
  if (!r.backend_line.empty()) std::printf("%s\n", r.backend_line.c_str());
  std::printf("%-24s %8s %10s %12s\n", "population", "neurons", "spikes", "rate (Hz)");
  for (const auto& s : populations) {
    if (!s.recorded) {
      std::printf("%-24s %8u %10s %12s\n", s.label.c_str(), s.size, "-", "(not recorded)");
      continue;
    }
    // The mean rate of the neurons whose spikes are recorded (a recording of
    // a few neurons says nothing of the others).
    const uint32_t n = s.recorded_neurons;
    const double rate = r.duration_ms > 0 && n > 0 ? static_cast<double>(s.spikes) / n / (r.duration_ms / 1000.0) : 0.0;
    std::printf("%-24s %8u %10llu %12.2f", s.label.c_str(), s.size, static_cast<unsigned long long>(s.spikes), rate);
    if (n != s.size) std::printf("  (of the %u neurons recorded)", n);
    std::printf("\n");
  }
  std::printf("dropped packets: %llu in routers, %llu on cores (provenance.json has the reasons)\n",
              static_cast<unsigned long long>(r.router_drops), static_cast<unsigned long long>(r.core_drops));
  std::printf("results in %s/\n", r.out.c_str());
}

}  // namespace spindle::cli
