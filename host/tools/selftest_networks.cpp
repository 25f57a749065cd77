#include "tools/selftest_networks.h"

#include <cstring>
#include <random>
#include <stdexcept>

#include "image/core_image_builder.h"
#include "selftest/bundle.h"

namespace spindle::host {
namespace {

namespace img = fw::image;
constexpr double kDt = 1.0;  // ms
constexpr uint32_t kTimestepUs = 1000;

uint32_t key_of(uint32_t core) { return core << 16; }

// Random fixed-probability connections from block `src` (n_src) onto n_dst
// targets; std::mt19937 is fully specified, so the images are reproducible.
IncomingBlock connect(std::mt19937& rng, uint32_t src_core, uint32_t n_src, uint32_t n_dst, double p,
                      double weight, uint32_t type, uint32_t max_delay) {
  IncomingBlock b;
  b.key = key_of(src_core);
  b.mask = slice_key_mask(n_src);
  b.n_sources = n_src;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::uniform_int_distribution<uint32_t> d(1, max_delay);
  for (uint32_t s = 0; s < n_src; ++s)
    for (uint32_t t = 0; t < n_dst; ++t)
      if (u(rng) < p) b.synapses.push_back({s, t, weight, d(rng), type});
  return b;
}

CoreImageSpec neuron_core(uint32_t core, uint64_t seed, NeuronBlock block, std::vector<IncomingBlock> in) {
  CoreImageSpec spec;
  spec.kind = img::CoreKind::kNeurons;
  spec.n_neurons = block.n_neurons;
  spec.timer_period_us = kTimestepUs;
  spec.key_base = key_of(core);
  spec.key_mask = slice_key_mask(block.n_neurons);
  spec.seed = core_seed(seed, core);
  if (!in.empty())
    spec.synapses = build_synaptic_matrix(std::move(in), block.n_neurons, 2, nullptr, receptor_unit_shifts(block.model));
  spec.recording = record_all(img::kRecordSpikes, block.n_neurons);
  for (uint32_t n = 0; n < 4 && n < block.n_neurons; ++n) spec.recording->neuron_mask[0] |= 1u << n;
  spec.recording->flags |= img::kRecordV;
  spec.recording->neuron_mask[0] &= 0xFu;  // v of the first four neurons
  spec.neurons = std::move(block);
  return spec;
}

std::vector<std::vector<uint8_t>> single_core(uint64_t seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  IfCurrExpParams p;
  p.cm = 0.25;
  p.tau_refrac = 2.0;
  p.v_thresh = -52.0;
  NeuronBlock block = uniform_block(p, 48, kDt);
  // Different constant drive per neuron, so they fire at different rates.
  std::vector<fw::IfCurrExp::Params> params(48);
  std::vector<fw::IfCurrExp::State> states(48);
  for (uint32_t n = 0; n < 48; ++n) {
    IfCurrExpParams q = p;
    q.i_offset = 0.14 + 0.004 * n;
    q.v_init = -65.0 + 0.25 * n;
    params[n] = to_fixed(q, kDt);
    states[n] = initial_state(q);
  }
  block = make_neuron_block<fw::IfCurrExp>(fw::ModelId::kIfCurrExp, params, states);
  std::vector<IncomingBlock> in;
  IncomingBlock rec = connect(rng, 0, 48, 48, 0.15, 0.4, 0, 7);
  IncomingBlock inh = connect(rng, 0, 48, 48, 0.10, 0.6, 1, 3);
  rec.synapses.insert(rec.synapses.end(), inh.synapses.begin(), inh.synapses.end());
  in.push_back(std::move(rec));
  return {build_core_image(neuron_core(0, seed, std::move(block), std::move(in)))};
}

std::vector<std::vector<uint8_t>> multi_core(uint64_t seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::vector<std::vector<uint8_t>> images;

  // Core 0: 32 Poisson sources, 20-82 Hz, from tick 5.
  CoreImageSpec poisson;
  poisson.kind = img::CoreKind::kPoissonSource;
  poisson.n_neurons = 32;
  poisson.key_base = key_of(0);
  poisson.key_mask = slice_key_mask(32);
  poisson.seed = core_seed(seed, 0);
  for (uint32_t i = 0; i < 32; ++i) poisson.poisson.push_back(poisson_source(20.0 + 2.0 * i, 5.0, 1e9, kDt));
  poisson.recording = record_all(img::kRecordSpikes, 32);
  images.push_back(build_core_image(poisson));

  // Core 1: spike array, 8 neurons, a regular pattern.
  CoreImageSpec array;
  array.kind = img::CoreKind::kArraySource;
  array.n_neurons = 8;
  array.key_base = key_of(1);
  array.key_mask = slice_key_mask(8);
  array.seed = core_seed(seed, 1);
  for (uint32_t t = 3; t < 2000; t += 7)
    for (uint32_t n = 0; n < 8; ++n)
      if ((t + n) % 3 == 0) array.spike_times.push_back({t, n});
  array.recording = record_all(img::kRecordSpikes, 8);
  images.push_back(build_core_image(array));

  // Core 2: 64 IF_curr_exp, driven by Poisson, recurrent excitation.
  IfCurrExpParams lif;
  lif.cm = 0.25;
  lif.tau_refrac = 2.0;
  lif.i_offset = 0.1;
  images.push_back(build_core_image(neuron_core(
      2, seed, uniform_block(lif, 64, kDt),
      {connect(rng, 0, 32, 64, 0.25, 0.35, 0, 3), connect(rng, 2, 64, 64, 0.1, 0.2, 0, 5),
       connect(rng, 4, 16, 64, 0.3, 0.5, 1, 2)})));

  // Core 3: 16 Izhikevich (regular spiking), driven by core 2.
  IzhikevichParams izh;
  izh.i_offset = 2.0;
  images.push_back(build_core_image(
      neuron_core(3, seed, uniform_block(izh, 16, kDt), {connect(rng, 2, 64, 16, 0.3, 4.0, 0, 6)})));

  // Core 4: 16 IF_cond_exp, excited by core 2, inhibited by core 3.
  IfCondExpParams cond;
  cond.cm = 0.2;
  cond.tau_refrac = 2.0;
  images.push_back(build_core_image(neuron_core(
      4, seed, uniform_block(cond, 16, kDt),
      {connect(rng, 2, 64, 16, 0.3, 0.03, 0, 4), connect(rng, 3, 16, 16, 0.5, 0.05, 1, 2)})));

  // Core 5: 8 non-leaky IF (ANN units), delta synapses from the array source.
  IfNonLeakyParams nl;
  nl.v_thresh = 1.0;
  nl.i_offset = 0.05;
  images.push_back(build_core_image(
      neuron_core(5, seed, uniform_block(nl, 8, kDt),
                  {connect(rng, 1, 8, 8, 0.5, 0.3, 0, 3), connect(rng, 1, 8, 8, 0.2, 0.2, 1, 2)})));
  return images;
}

}  // namespace

std::vector<std::string> selftest_network_names() { return {"single-core", "multi-core"}; }

std::vector<std::vector<uint8_t>> selftest_network(const std::string& name, uint64_t seed) {
  if (name == "single-core") return single_core(seed);
  if (name == "multi-core") return multi_core(seed);
  throw std::invalid_argument("unknown self-test network '" + name + "' (known: single-core, multi-core)");
}

std::vector<uint8_t> make_bundle(const std::vector<std::vector<uint8_t>>& images) {
  std::vector<uint8_t> out(8 + 4 * images.size());
  const uint32_t magic = fw::kBundleMagic, count = static_cast<uint32_t>(images.size());
  std::memcpy(out.data(), &magic, 4);
  std::memcpy(out.data() + 4, &count, 4);
  for (size_t i = 0; i < images.size(); ++i) {
    const uint32_t n = static_cast<uint32_t>(images[i].size());
    std::memcpy(out.data() + 8 + 4 * i, &n, 4);
  }
  for (const auto& img : images) {
    out.resize((out.size() + 3) & ~size_t{3}, 0);
    out.insert(out.end(), img.begin(), img.end());
  }
  return out;
}

}  // namespace spindle::host
