#include "plot/run_results.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

namespace spindle::plot {
namespace {

nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ResultsError(file.string() + ": cannot read (is this a `spindle run` output directory?)");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw ResultsError(file.string() + ": not valid JSON: " + e.what());
  }
}

// A CSV label field as the results writer quotes it (RFC 4180): "a ""b"", c" is a "b", c.
std::string unquote(std::string_view label) {
  if (label.size() < 2 || label.front() != '"' || label.back() != '"') return std::string(label);
  std::string out;
  for (size_t k = 1; k + 1 < label.size(); ++k) {
    out += label[k];
    if (label[k] == '"') ++k;
  }
  return out;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

RunResults read_run_results(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) throw ResultsError(dir.string() + ": no such directory");
  const std::filesystem::path meta = dir / "run.json";
  const nlohmann::json j = read_json(meta);
  RunResults r;
  std::map<std::string, size_t, std::less<>> index;
  try {
    if (j.contains("network")) r.network = j.at("network").get<std::string>();
    r.timestep_ms = j.at("timestep_ms").get<double>();
    r.duration_ms = j.at("duration_ms").get<double>();
    for (const auto& p : j.at("populations")) {
      RunPopulation pop;
      pop.spikes.label = p.at("label").get<std::string>();
      pop.spikes.size = p.at("size").get<uint32_t>();
      pop.spikes_recorded = p.at("spikes_recorded").get<bool>();
      // Results of runs that recorded every neuron's spikes may not say.
      if (p.contains("spikes_recorded_neurons"))
        pop.spikes.recorded_neurons = p.at("spikes_recorded_neurons").get<uint32_t>();
      index[pop.spikes.label] = r.populations.size();
      r.populations.push_back(std::move(pop));
    }
  } catch (const nlohmann::json::exception& e) {
    throw ResultsError(meta.string() + ": " + e.what());
  }
  if (!(r.timestep_ms > 0) || !(r.duration_ms >= 0))
    throw ResultsError(meta.string() + ": timestep_ms must be > 0 and duration_ms >= 0");

  const std::filesystem::path csv = dir / "spikes.csv";
  std::ifstream in(csv);
  if (!in) throw ResultsError(csv.string() + ": cannot read");
  std::string line;
  size_t line_no = 1;
  if (!std::getline(in, line) || line != "population,neuron,time_ms")
    throw ResultsError(csv.string() + ":1: expected the header 'population,neuron,time_ms'");
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    const std::string where = csv.string() + ":" + std::to_string(line_no) + ": ";
    // Split at the last two commas: a label may hold commas, numbers do not.
    const size_t c2 = line.rfind(',');
    const size_t c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : line.rfind(',', c2 - 1);
    if (c1 == std::string::npos) throw ResultsError(where + "expected 'population,neuron,time_ms', got '" + line + "'");
    const std::string label = unquote(std::string_view(line).substr(0, c1));
    const auto it = index.find(label);
    if (it == index.end())
      throw ResultsError(where + "population '" + std::string(label) + "' is not in run.json");
    Spike s;
    if (!parse_number(std::string_view(line).substr(c1 + 1, c2 - c1 - 1), s.neuron) ||
        !parse_number(std::string_view(line).substr(c2 + 1), s.time_ms))
      throw ResultsError(where + "bad neuron index or time in '" + line + "'");
    PopulationSpikes& p = r.populations[it->second].spikes;
    if (s.neuron >= p.size)
      throw ResultsError(where + "neuron " + std::to_string(s.neuron) + " of '" + p.label + "' (" +
                         std::to_string(p.size) + " neurons) does not exist");
    p.spikes.push_back(s);
  }
  return r;
}

std::vector<std::pair<std::string, std::vector<NeuronTrace>>> read_state(const std::filesystem::path& dir,
                                                                           const std::string& variable) {
  std::vector<std::pair<std::string, std::vector<NeuronTrace>>> out;
  const std::filesystem::path csv = dir / "state.csv";
  std::ifstream in(csv);
  if (!in) return out;
  std::string line;
  size_t line_no = 1;
  if (!std::getline(in, line) || line != "population,neuron,time_ms,variable,value")
    throw ResultsError(csv.string() + ":1: expected the header 'population,neuron,time_ms,variable,value'");
  std::map<std::string, std::map<uint32_t, std::vector<std::pair<double, double>>>, std::less<>> found;
  std::vector<std::string> order;  // labels as they first appear (the network's order)
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    // Split at the last four commas: a label may hold commas, the rest do not.
    size_t cut[4];
    size_t end = line.size();
    bool ok = true;
    for (int k = 3; k >= 0; --k) {
      const size_t c = end == 0 ? std::string::npos : line.rfind(',', end - 1);
      if (c == std::string::npos) {
        ok = false;
        break;
      }
      cut[k] = end = c;
    }
    if (!ok)
      throw ResultsError(csv.string() + ":" + std::to_string(line_no) +
                         ": expected 'population,neuron,time_ms,variable,value', got '" + line + "'");
    const std::string_view text(line);
    if (text.substr(cut[2] + 1, cut[3] - cut[2] - 1) != variable) continue;
    uint32_t neuron = 0;
    double t = 0, v = 0;
    if (!parse_number(text.substr(cut[0] + 1, cut[1] - cut[0] - 1), neuron) ||
        !parse_number(text.substr(cut[1] + 1, cut[2] - cut[1] - 1), t) || !parse_number(text.substr(cut[3] + 1), v))
      throw ResultsError(csv.string() + ":" + std::to_string(line_no) + ": bad neuron, time or value in '" + line + "'");
    const std::string label = unquote(text.substr(0, cut[0]));
    auto it = found.find(label);
    if (it == found.end()) {
      order.push_back(label);
      it = found.emplace(label, std::map<uint32_t, std::vector<std::pair<double, double>>>{}).first;
    }
    it->second[neuron].emplace_back(t, v);
  }
  for (const std::string& label : order) {
    std::vector<NeuronTrace> traces;
    for (auto& [neuron, points] : found[label]) {
      std::stable_sort(points.begin(), points.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      traces.push_back({neuron, std::move(points)});
    }
    out.emplace_back(label, std::move(traces));
  }
  return out;
}

}  // namespace spindle::plot
