// Small core-image specs for unit tests: a neuron core with random incoming
// blocks, a Poisson core, a spike-array core. Everything is derived from
// std::mt19937 (fully specified), so the images are the same on every run.
#pragma once

#include <cstdint>
#include <array>
#include <random>
#include <utility>
#include <vector>

#include "image/cell_params.h"
#include "image/core_image_builder.h"
#include "image/synaptic_matrix.h"

namespace spindle::test {

// std::mt19937 with a 32-bit result type (std::mt19937::result_type is
// unsigned long on LP64, which -Wconversion flags at every use).
class Gen32 {
 public:
  using result_type = uint32_t;
  explicit Gen32(uint32_t seed) : g_(seed) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return UINT32_MAX; }
  result_type operator()() { return static_cast<uint32_t>(g_()); }

 private:
  std::mt19937 g_;
};

// Synapses from n_src sources (keys key | index) onto n_dst targets, each
// pair connected with probability p; weights uniform in [w_lo, w_hi], delays
// uniform in 1..max_delay, types uniform in 0..n_types-1.
template <class Gen>
host::IncomingBlock random_block(Gen& rng, uint32_t key, uint32_t n_src, uint32_t n_dst, double p,
                                 double w_lo, double w_hi, uint32_t max_delay, uint32_t n_types = 2) {
  host::IncomingBlock b;
  b.key = key;
  b.mask = host::slice_key_mask(n_src);
  b.n_sources = n_src;
  std::uniform_real_distribution<double> u(0.0, 1.0), w(w_lo, w_hi);
  std::uniform_int_distribution<uint32_t> d(1, max_delay), t(0, n_types - 1);
  for (uint32_t s = 0; s < n_src; ++s)
    for (uint32_t n = 0; n < n_dst; ++n)
      if (u(rng) < p) b.synapses.push_back({s, n, w(rng), d(rng), t(rng)});
  return b;
}

// A neuron core running `block`, sending keys key_base | index, receiving
// `in` (may be empty), recording `flags` for every neuron.
inline host::CoreImageSpec neuron_spec(host::NeuronBlock block, uint32_t key_base, std::vector<host::IncomingBlock> in,
                                       uint32_t flags = fw::image::kRecordSpikes, bool emits = true) {
  host::CoreImageSpec spec;
  spec.kind = fw::image::CoreKind::kNeurons;
  spec.n_neurons = block.n_neurons;
  spec.key_base = key_base;
  spec.key_mask = host::slice_key_mask(block.n_neurons);
  spec.emits_spikes = emits;
  spec.seed = host::core_seed(42, key_base >> 16);
  if (!in.empty())
    spec.synapses = host::build_synaptic_matrix(std::move(in), block.n_neurons, 2, nullptr,
                                                host::receptor_unit_shifts(block.model));
  if (flags != 0) spec.recording = host::record_all(flags, block.n_neurons);
  spec.neurons = std::move(block);
  return spec;
}

inline host::CoreImageSpec poisson_spec(std::vector<fw::image::PoissonSource> sources, uint32_t key_base,
                                        std::array<uint32_t, 4> seed, bool record = true, bool emits = true) {
  host::CoreImageSpec spec;
  spec.kind = fw::image::CoreKind::kPoissonSource;
  spec.n_neurons = static_cast<uint32_t>(sources.size());
  spec.key_base = key_base;
  spec.key_mask = host::slice_key_mask(spec.n_neurons);
  spec.emits_spikes = emits;
  spec.seed = seed;
  spec.poisson = std::move(sources);
  if (record) spec.recording = host::record_all(fw::image::kRecordSpikes, spec.n_neurons);
  return spec;
}

inline host::CoreImageSpec array_spec(uint32_t n, std::vector<fw::image::SpikeTime> spikes, uint32_t key_base,
                                      bool record = true, bool emits = true) {
  host::CoreImageSpec spec;
  spec.kind = fw::image::CoreKind::kArraySource;
  spec.n_neurons = n;
  spec.key_base = key_base;
  spec.key_mask = host::slice_key_mask(n);
  spec.emits_spikes = emits;
  spec.spike_times = std::move(spikes);
  if (record) spec.recording = host::record_all(fw::image::kRecordSpikes, n);
  return spec;
}

}  // namespace spindle::test
