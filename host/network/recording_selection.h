// What a network's recordings ask for, neuron by neuron: each `Recording`
// names variables, neurons (empty: all) and a sampling interval, and a
// population may have several. A core records the union (spikes of all
// its neurons; state of the neurons any recording names, every gcd of the
// intervals), and the writers keep exactly what each recording asked for,
// so the result is the same on every backend and for any slicing.
#pragma once

#include <cstdint>
#include <vector>

#include "spindle/v1/network.pb.h"

namespace spindle::host::network {

class RecordingSelection {
 public:
  // Call on a valid network.
  explicit RecordingSelection(const spindle::v1::Network& net);

  bool records_spikes(uint32_t population) const;
  // How many of the population's `size` neurons have their spikes recorded
  // (the union of its spike recordings' neurons; all when one names none).
  uint32_t spike_recorded_neurons(uint32_t population, uint32_t size) const;
  bool keep_spike(uint32_t population, uint32_t neuron) const;
  // A sample of `variable` taken at the start of `tick`.
  bool keep_state(uint32_t population, spindle::v1::RecordVariable variable, uint32_t neuron, uint64_t tick) const;

  // What a core of the population records: the gcd of its state
  // recordings' intervals, in ticks (1 when it has none).
  uint32_t core_interval_ticks(uint32_t population) const;

 private:
  struct Rule {
    bool spikes = false;
    uint32_t variables = 0;         // bit per RecordVariable
    std::vector<uint32_t> neurons;  // sorted; empty: all
    uint32_t interval_ticks = 1;
    bool has(uint32_t neuron) const;
  };
  struct Population {
    std::vector<Rule> rules;
    bool all_spikes = false;  // some rule records every neuron's spikes
    uint32_t core_interval = 1;
  };
  std::vector<Population> populations_;
};

}  // namespace spindle::host::network
