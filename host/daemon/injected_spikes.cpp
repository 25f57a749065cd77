#include "daemon/injected_spikes.h"

#include <algorithm>

namespace spindle::daemon {

void InjectedSpikes::add(uint32_t population, uint64_t tick, uint32_t neuron) {
  auto& list = by_population_.at(population);
  const Spike s{tick, neuron};
  list.insert(std::upper_bound(list.begin(), list.end(), s), s);
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
    const auto& list = by_population_[p];
    size_t end = streamed_[p];
    while (end < list.size() && list[end].first < to_tick) ++end;
    merge(list, streamed_[p], end, out[p]);
    n += end - streamed_[p];
    streamed_[p] = end;
  }
  return n;
}

void InjectedSpikes::merge_all(uint64_t to_tick, std::vector<PopulationSpikes>& out) const {
  for (size_t p = 0; p < by_population_.size() && p < out.size(); ++p) {
    const auto& list = by_population_[p];
    const auto end = std::lower_bound(list.begin(), list.end(), Spike{to_tick, 0});
    merge(list, 0, static_cast<size_t>(end - list.begin()), out[p]);
  }
}

uint64_t InjectedSpikes::recorded(uint64_t to_tick) const {
  uint64_t n = 0;
  for (const auto& list : by_population_)
    n += static_cast<uint64_t>(std::lower_bound(list.begin(), list.end(), Spike{to_tick, 0}) - list.begin());
  return n;
}

}  // namespace spindle::daemon
