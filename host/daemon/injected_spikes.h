// Spikes injected into a job (Inject), kept as the recordings of their
// population: a population recording SPIKES shows an injected spike of
// neuron n in tick t exactly where a spike source's own spike would be,
// since it acts as one (it enters the fabric in tick t). The cores never
// see these spikes, so the daemon keeps them beside the cores' records and
// merges them in when spikes are streamed or fetched.
//
// Cost: add() is O(log ticks) (a spike waits in its tick's bucket until that
// tick is streamed), so millions of injections for future ticks cost
// neither quadratic time nor time under the engine's lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
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
  explicit InjectedSpikes(size_t populations = 0) : by_population_(populations) {}

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
  struct Population {
    std::vector<Spike> streamed;                         // sorted; every tick below the last merge_new's
    std::map<uint64_t, std::vector<uint32_t>> waiting;   // by tick, neurons in arrival order
  };
  // The waiting spikes of ticks before `to_tick`, sorted, appended to `out`.
  static void take_due(const Population& p, uint64_t to_tick, std::vector<Spike>& out);
  static void merge(const std::vector<Spike>& from, size_t begin, size_t end, PopulationSpikes& into);
  std::vector<Population> by_population_;
};

}  // namespace spindle::daemon
