#include "tools/synthetic_network.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

#include "image/core_image_builder.h"
#include "mapping/multicast_tree.h"

namespace spindle::host {
namespace {

struct Slot {
  emu::ChipCoord chip;
  uint32_t core;
};

constexpr uint32_t kIndexBits = 8;  // up to 256 neurons per core

uint32_t key_of(uint32_t slot) { return slot << kIndexBits; }

}  // namespace

SyntheticNetwork make_synthetic_network(const SyntheticNetworkSpec& spec) {
  SyntheticNetwork net;
  net.machine = emu::machine_from_shape(spec.machine);
  if (spec.neurons_per_core == 0 || spec.neurons_per_core > (1u << kIndexBits))
    throw std::invalid_argument("neurons_per_core must be 1..256");
  if (spec.fan_out_cores == 0 || spec.synapses_per_neuron % spec.fan_out_cores != 0 ||
      spec.synapses_per_neuron / spec.fan_out_cores > spec.neurons_per_core)
    throw std::invalid_argument("synapses_per_neuron must split evenly over fan_out_cores, at most one per target neuron");

  std::vector<Slot> slots;
  for (emu::ChipCoord c : net.machine.alive_chips()) {
    const auto cores = net.machine.application_cores(c);
    if (cores.size() < spec.cores_per_chip) throw std::invalid_argument("machine has too few cores per chip");
    for (uint32_t i = 0; i < spec.cores_per_chip; ++i) slots.push_back({c, cores[i]});
  }
  const uint32_t n_slots = static_cast<uint32_t>(slots.size());
  const uint32_t per_target = spec.synapses_per_neuron / spec.fan_out_cores;

  // Which cores each source core projects to (distinct, random).
  std::mt19937_64 rng(spec.seed);
  std::vector<std::vector<uint32_t>> targets(n_slots);
  std::vector<std::vector<uint32_t>> sources_of(n_slots);
  for (uint32_t s = 0; s < n_slots; ++s) {
    std::vector<uint32_t> all(n_slots);
    for (uint32_t i = 0; i < n_slots; ++i) all[i] = i;
    std::shuffle(all.begin(), all.end(), rng);
    all.resize(std::min(spec.fan_out_cores, n_slots));
    std::sort(all.begin(), all.end());
    targets[s] = all;
    for (uint32_t t : all) sources_of[t].push_back(s);
  }

  // Routing tables: one entry per source core on every chip of its tree.
  std::map<uint32_t, std::vector<emu::RoutingEntry>> tables;  // by chip index
  for (uint32_t s = 0; s < n_slots; ++s) {
    std::vector<Destination> dest;
    for (uint32_t t : targets[s]) dest.push_back({slots[t].chip, slots[t].core});
    for (const auto& [chip, route] : multicast_tree(net.machine, slots[s].chip, dest))
      tables[chip].push_back({key_of(s), ~((1u << kIndexBits) - 1u), route});
  }
  for (auto& [chip, entries] : tables) net.load.routers.push_back({net.machine.mesh.coord(chip), std::move(entries)});

  // A constant current that makes an isolated neuron fire at rate_hz:
  // ISI = tau_refrac + tau_m ln(RI / (RI - (v_thresh - v_rest))), solved for I.
  IfCurrExpParams p;
  p.tau_refrac = 2.0;
  const double isi = 1000.0 / spec.rate_hz - p.tau_refrac;
  const double gap = p.v_thresh - p.v_rest;
  const double ri = gap / (1.0 - std::exp(-isi / p.tau_m));
  p.i_offset = ri * p.cm / p.tau_m;

  const uint32_t n = spec.neurons_per_core;
  for (uint32_t t = 0; t < n_slots; ++t) {
    std::mt19937_64 core_rng(spec.seed * 0x9E3779B97F4A7C15ull + t);
    std::uniform_real_distribution<double> v0(p.v_reset, p.v_thresh);
    std::vector<fw::IfCurrExp::Params> params(n, to_fixed(p, spec.dt_ms));
    std::vector<fw::IfCurrExp::State> states(n);
    for (auto& st : states) {
      IfCurrExpParams q = p;
      q.v_init = v0(core_rng);
      st = initial_state(q);
    }

    std::vector<IncomingBlock> blocks;
    std::vector<uint32_t> neuron_ids(n);
    for (uint32_t i = 0; i < n; ++i) neuron_ids[i] = i;
    std::uniform_int_distribution<uint32_t> delay(1, spec.max_delay_ticks);
    for (uint32_t s : sources_of[t]) {
      IncomingBlock b;
      b.key = key_of(s);
      b.mask = ~((1u << kIndexBits) - 1u);
      b.n_sources = n;
      const uint32_t type = (s % 5 == 4) ? 1 : 0;  // every fifth source core inhibitory
      b.synapses.reserve(size_t{n} * per_target);
      for (uint32_t src = 0; src < n; ++src) {
        // per_target distinct targets: a partial shuffle.
        for (uint32_t k = 0; k < per_target; ++k) {
          std::uniform_int_distribution<uint32_t> pick(k, n - 1);
          std::swap(neuron_ids[k], neuron_ids[pick(core_rng)]);
          b.synapses.push_back({src, neuron_ids[k], type ? 0.004 : 0.001, delay(core_rng), type});
        }
      }
      net.load.synapses += b.synapses.size();
      blocks.push_back(std::move(b));
    }

    CoreImageSpec image;
    image.kind = fw::image::CoreKind::kNeurons;
    image.n_neurons = n;
    image.timer_period_us = static_cast<uint32_t>(std::lround(spec.dt_ms * 1000));
    image.key_base = key_of(t);
    image.key_mask = ~((1u << kIndexBits) - 1u);
    image.seed = core_seed(spec.seed, t);
    image.neurons = make_neuron_block<fw::IfCurrExp>(fw::ModelId::kIfCurrExp, params, states);
    if (!blocks.empty())
      image.synapses = build_synaptic_matrix(std::move(blocks), n, 2, nullptr, receptor_unit_shifts(fw::ModelId::kIfCurrExp));
    image.recording = record_all(fw::image::kRecordSpikes, n);
    net.load.cores.push_back({slots[t].chip, slots[t].core, t, build_core_image(image), 0, {}, {}, 0});
  }
  return net;
}

}  // namespace spindle::host
