// Spikes injected into a job (Inject), kept as the recordings of their
// population: a population recording SPIKES shows an injected spike of
// neuron n in tick t exactly where a spike source's own spike would be,
// since it acts as one (it enters the fabric in tick t). The cores never
// see these spikes, so the daemon keeps them beside the cores' records and
// merges them in when spikes are streamed or fetched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace spindle::daemon {

// Spikes of one population, global neuron ids, ordered by tick then neuron.
struct PopulationSpikes {
  std::vector<uint32_t> neurons;
  std::vector<uint64_t> ticks;
};

class InjectedSpikes {
 public:
  explicit InjectedSpikes(size_t populations = 0) : by_population_(populations), streamed_(populations, 0) {}

  // A spike of `neuron` sent in `tick` (never a tick already streamed).
  void add(uint32_t population, uint64_t tick, uint32_t neuron);
  // Merges the spikes of ticks before `to_tick` not streamed yet into
  // `out` (by population) and marks them streamed; returns how many.
  uint64_t merge_new(uint64_t to_tick, std::vector<PopulationSpikes>& out);
  // Merges every spike of ticks before `to_tick` into `out`.
  void merge_all(uint64_t to_tick, std::vector<PopulationSpikes>& out) const;
  uint64_t recorded(uint64_t to_tick) const;

 private:
  using Spike = std::pair<uint64_t, uint32_t>;  // tick, neuron
  static void merge(const std::vector<Spike>& from, size_t begin, size_t end, PopulationSpikes& into);
  std::vector<std::vector<Spike>> by_population_;  // sorted
  std::vector<size_t> streamed_;                    // by population: how many were merged by merge_new
};

}  // namespace spindle::daemon
