#include "network/recording_selection.h"

#include <algorithm>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include "network/expand.h"

namespace spindle::host::network {

namespace v1 = spindle::v1;

bool RecordingSelection::Rule::has(uint32_t neuron) const {
  return neurons.empty() || std::binary_search(neurons.begin(), neurons.end(), neuron);
}

RecordingSelection::RecordingSelection(const v1::Network& net) : populations_(static_cast<size_t>(net.populations_size())) {
  std::unordered_map<std::string_view, size_t> index;
  for (int i = 0; i < net.populations_size(); ++i) index.emplace(net.populations(i).label(), static_cast<size_t>(i));
  const double dt = net.run().timestep_ms();
  std::vector<uint32_t> gcd(populations_.size(), 0);
  for (const v1::Recording& r : net.recordings()) {
    const auto it = index.find(r.population());
    if (it == index.end()) continue;
    Rule rule;
    for (int v : r.variables()) {
      if (v == v1::SPIKES) rule.spikes = true;
      else rule.variables |= 1u << v;
    }
    rule.neurons.assign(r.neurons().begin(), r.neurons().end());
    std::sort(rule.neurons.begin(), rule.neurons.end());
    if (r.sampling_interval() > 0 && dt > 0)
      rule.interval_ticks = static_cast<uint32_t>(std::max<int64_t>(1, delay_to_ticks(r.sampling_interval(), dt)));
    Population& p = populations_[it->second];
    if (rule.spikes && rule.neurons.empty()) p.all_spikes = true;
    if (rule.variables != 0) gcd[it->second] = std::gcd(gcd[it->second], rule.interval_ticks);
    p.rules.push_back(std::move(rule));
  }
  for (size_t p = 0; p < populations_.size(); ++p) populations_[p].core_interval = gcd[p] == 0 ? 1 : gcd[p];
}

bool RecordingSelection::records_spikes(uint32_t population) const {
  const auto& rules = populations_.at(population).rules;
  return std::any_of(rules.begin(), rules.end(), [](const Rule& r) { return r.spikes; });
}

uint32_t RecordingSelection::spike_recorded_neurons(uint32_t population, uint32_t size) const {
  const Population& p = populations_.at(population);
  if (p.all_spikes) return size;
  std::vector<uint32_t> all;
  for (const Rule& r : p.rules)
    if (r.spikes) all.insert(all.end(), r.neurons.begin(), r.neurons.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return static_cast<uint32_t>(std::count_if(all.begin(), all.end(), [size](uint32_t n) { return n < size; }));
}

bool RecordingSelection::keep_spike(uint32_t population, uint32_t neuron) const {
  const Population& p = populations_.at(population);
  if (p.all_spikes) return true;
  return std::any_of(p.rules.begin(), p.rules.end(), [&](const Rule& r) { return r.spikes && r.has(neuron); });
}

bool RecordingSelection::keep_state(uint32_t population, v1::RecordVariable variable, uint32_t neuron,
                                    uint64_t tick) const {
  const Population& p = populations_.at(population);
  return std::any_of(p.rules.begin(), p.rules.end(), [&](const Rule& r) {
    return (r.variables >> variable & 1u) != 0 && tick % r.interval_ticks == 0 && r.has(neuron);
  });
}

uint32_t RecordingSelection::core_interval_ticks(uint32_t population) const {
  return populations_.at(population).core_interval;
}

}  // namespace spindle::host::network
