#include "job/neuron_modes.h"

#include <algorithm>

#include "network/run_settings.h"

namespace spindle::host {

std::vector<PopulationSlice> population_slices(const MappingResult& mapping, uint32_t population) {
  const Partition& part = mapping.partition;
  std::vector<PopulationSlice> out;
  for (uint32_t s = part.first_slice.at(population); s < part.first_slice.at(population + 1); ++s) {
    const Placement& pl = mapping.placements.at(s);
    out.push_back({part.slices[s].lo_atom, part.slices[s].n_atoms, {pl.chip, pl.core}});
  }
  return out;
}

std::vector<ScheduledModeChange> mode_changes(std::span<const PopulationSlice> slices, std::span<const uint32_t> ids,
                                              const network::ModeValues& values, uint64_t tick) {
  std::vector<ScheduledModeChange> out;
  auto add = [&](const PopulationSlice& slice, uint32_t first, uint32_t count) {
    out.push_back({tick, slice.where, fw::ModeChange{first, count, values.threshold_offset, values.gain}, std::nullopt});
  };
  if (ids.empty()) {
    for (const PopulationSlice& slice : slices) add(slice, 0, slice.n_atoms);
    return out;
  }
  std::vector<uint32_t> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  size_t s = 0;
  for (size_t i = 0; i < sorted.size();) {
    while (s + 1 < slices.size() && slices[s + 1].lo_atom <= sorted[i]) ++s;
    const PopulationSlice& slice = slices[s];
    const uint32_t start = sorted[i];
    size_t j = i + 1;
    while (j < sorted.size() && sorted[j] == sorted[j - 1] + 1 && sorted[j] < slice.lo_atom + slice.n_atoms) ++j;
    add(slice, start - slice.lo_atom, static_cast<uint32_t>(j - i));
    i = j;
  }
  return out;
}

std::vector<ScheduledModeChange> learning_scale_changes(std::span<const PopulationSlice> slices, uint32_t scale,
                                                        uint64_t tick) {
  std::vector<ScheduledModeChange> out;
  for (const PopulationSlice& s : slices) out.push_back({tick, s.where, fw::ModeChange{}, scale});
  return out;
}

std::vector<ScheduledModeChange> network_mode_changes(const v1::Network& net, const MappingResult& mapping) {
  struct Timed {
    uint64_t tick;
    int index;
  };
  std::vector<Timed> order;
  for (int k = 0; k < net.mode_switches_size(); ++k)
    order.push_back({network::duration_ticks(net.mode_switches(k).at_ms(), net.run().timestep_ms()).ticks, k});
  std::stable_sort(order.begin(), order.end(), [](const Timed& a, const Timed& b) { return a.tick < b.tick; });
  std::vector<ScheduledModeChange> out;
  for (const Timed& t : order) {
    const v1::ModeSwitch& m = net.mode_switches(t.index);
    uint32_t population = 0;
    while (net.populations(static_cast<int>(population)).label() != m.population()) ++population;
    const auto values =
        network::mode_values(m.threshold_offset(), m.has_gain() ? std::optional<double>(m.gain()) : std::nullopt);
    const std::span<const uint32_t> ids(m.neuron_ids().data(), static_cast<size_t>(m.neuron_ids_size()));
    const auto changes = mode_changes(population_slices(mapping, population), ids, values, t.tick);
    out.insert(out.end(), changes.begin(), changes.end());
  }
  order.clear();
  for (int k = 0; k < net.learning_rate_switches_size(); ++k)
    order.push_back({network::duration_ticks(net.learning_rate_switches(k).at_ms(), net.run().timestep_ms()).ticks, k});
  std::stable_sort(order.begin(), order.end(), [](const Timed& a, const Timed& b) { return a.tick < b.tick; });
  for (const Timed& t : order) {
    const v1::LearningRateSwitch& m = net.learning_rate_switches(t.index);
    uint32_t population = 0;
    while (net.populations(static_cast<int>(population)).label() != m.population()) ++population;
    const auto changes = learning_scale_changes(population_slices(mapping, population),
                                                network::learning_scale_value(m.scale()), t.tick);
    out.insert(out.end(), changes.begin(), changes.end());
  }
  return out;
}

void schedule_mode_changes(emu::Engine& engine, const std::vector<ScheduledModeChange>& changes) {
  for (const ScheduledModeChange& c : changes) {
    if (!c.learning_scale) {
      engine.schedule_mode(c.tick, c.where, c.change);
    } else if (const emu::CoreSlot* slot = engine.find(c.where); slot != nullptr && slot->core.has_plastic()) {
      engine.schedule_learning_scale(c.tick, c.where, *c.learning_scale);
    }
  }
}

}  // namespace spindle::host
