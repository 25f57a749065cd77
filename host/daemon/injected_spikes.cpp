#include "daemon/injected_spikes.h"

#include <algorithm>

namespace spindle::daemon {

void InjectedSpikes::add(uint32_t population, uint64_t tick, uint32_t neuron) {
  by_population_.at(population).waiting[tick].push_back(neuron);
}

void InjectedSpikes::take_due(const Population& p, uint64_t to_tick, std::vector<Spike>& out) {
  for (auto it = p.waiting.begin(); it != p.waiting.end() && it->first < to_tick; ++it) {
    const size_t begin = out.size();
    for (uint32_t n : it->second) out.emplace_back(it->first, n);
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(begin), out.end());
  }
}

void InjectedSpikes::merge(const std::vector<Spike>& from, size_t begin, size_t end, PopulationSpikes& into) {
  if (begin == end) return;
  PopulationSpikes merged;
  merged.neurons.reserve(into.neurons.size() + (end - begin));
  merged.ticks.reserve(merged.neurons.capacity());
  size_t i = 0;
  for (size_t k = begin; k < end; ++k) {
    const auto [tick, neuron] = from[k];
    // The core's own spikes of the same tick and neuron go first.
    while (i < into.neurons.size() &&
           (into.ticks[i] < tick || (into.ticks[i] == tick && into.neurons[i] <= neuron))) {
      merged.neurons.push_back(into.neurons[i]);
      merged.ticks.push_back(into.ticks[i]);
      ++i;
    }
    merged.neurons.push_back(neuron);
    merged.ticks.push_back(tick);
  }
  merged.neurons.insert(merged.neurons.end(), into.neurons.begin() + static_cast<std::ptrdiff_t>(i), into.neurons.end());
  merged.ticks.insert(merged.ticks.end(), into.ticks.begin() + static_cast<std::ptrdiff_t>(i), into.ticks.end());
  into = std::move(merged);
}

uint64_t InjectedSpikes::merge_new(uint64_t to_tick, std::vector<PopulationSpikes>& out) {
  uint64_t n = 0;
  for (size_t p = 0; p < by_population_.size() && p < out.size(); ++p) {
    Population& pop = by_population_[p];
    const size_t begin = pop.streamed.size();
    take_due(pop, to_tick, pop.streamed);
    pop.waiting.erase(pop.waiting.begin(), pop.waiting.lower_bound(to_tick));
    merge(pop.streamed, begin, pop.streamed.size(), out[p]);
    n += pop.streamed.size() - begin;
  }
  return n;
}

void InjectedSpikes::merge_all(uint64_t to_tick, std::vector<PopulationSpikes>& out) const {
  std::vector<Spike> due;
  for (size_t p = 0; p < by_population_.size() && p < out.size(); ++p) {
    const Population& pop = by_population_[p];
    const auto end = std::lower_bound(pop.streamed.begin(), pop.streamed.end(), Spike{to_tick, 0});
    merge(pop.streamed, 0, static_cast<size_t>(end - pop.streamed.begin()), out[p]);
    due.clear();
    take_due(pop, to_tick, due);
    merge(due, 0, due.size(), out[p]);
  }
}

uint64_t InjectedSpikes::recorded(uint64_t to_tick) const {
  uint64_t n = 0;
  for (const Population& pop : by_population_) {
    n += static_cast<uint64_t>(std::lower_bound(pop.streamed.begin(), pop.streamed.end(), Spike{to_tick, 0}) -
                               pop.streamed.begin());
    for (auto it = pop.waiting.begin(); it != pop.waiting.end() && it->first < to_tick; ++it) n += it->second.size();
  }
  return n;
}

}  // namespace spindle::daemon
