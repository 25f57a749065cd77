// spindle-counts-bundle OUT: writes the core images the firmware counting
// image (counts_main.cpp) runs, as a bundle (firmware/selftest/bundle.h):
//   0  kCountsNeuronsLarge IF_curr_exp neurons
//   1  kCountsNeuronsSmall IF_curr_exp neurons
//   2  kCountsPoissonSources Poisson sources at rate 0
//   3  kCountsPoissonSources Poisson sources at kCountsPoissonRateHz
//      (both send and record their spikes)
// Both receive one source population whose first half of rows hold
// kCountsRowShort synapses and second half kCountsRowLong (one population, so
// both kinds of packet take the same look-up path); half excitatory, half
// inhibitory, delays 1..15. The neurons start spread below threshold and the
// weights are small, so no neuron fires in the counted ticks: the counts are
// those of the ordinary, subthreshold update.
#include <cstdio>
#include <exception>
#include <fstream>
#include <vector>

#include "counts_config.h"
#include "image/core_image_builder.h"
#include "tools/selftest_networks.h"

namespace {

using namespace spindle;

host::IncomingBlock population(uint32_t n_targets) {
  host::IncomingBlock b;
  b.key = bench::kCountsKey;
  b.mask = host::slice_key_mask(bench::kCountsSources);
  b.n_sources = bench::kCountsSources;
  for (uint32_t s = 0; s < bench::kCountsSources; ++s) {
    const uint32_t row_length = s < bench::kCountsFirstLongRow ? bench::kCountsRowShort : bench::kCountsRowLong;
    for (uint32_t j = 0; j < row_length; ++j) {
      // Distinct targets per row, spread over the core; mixed types and delays.
      const uint32_t target = (s * 37 + j * (n_targets / row_length)) % n_targets;
      b.synapses.push_back({s, target, 0.02 + 0.001 * (j % 7), 1 + (s + j) % 15, j % 2});
    }
  }
  return b;
}

std::vector<uint8_t> neuron_core(uint32_t n) {
  std::vector<fw::IfCurrExp::Params> params(n);
  std::vector<fw::IfCurrExp::State> states(n);
  for (uint32_t i = 0; i < n; ++i) {
    host::IfCurrExpParams p;
    p.v_init = -65.0 + 8.0 * i / n;  // -65 .. -57 mV; threshold -50 mV
    params[i] = host::to_fixed(p, 1.0);
    states[i] = host::initial_state(p);
  }
  host::CoreImageSpec spec;
  spec.kind = fw::image::CoreKind::kNeurons;
  spec.n_neurons = n;
  spec.timer_period_us = 1000;
  spec.key_base = bench::kCountsOwnKey;
  spec.key_mask = host::slice_key_mask(n);
  spec.neurons = host::make_neuron_block<fw::IfCurrExp>(fw::ModelId::kIfCurrExp, params, states);
  spec.synapses = host::build_synaptic_matrix({population(n)}, n, 2, nullptr,
                                              host::receptor_unit_shifts(fw::ModelId::kIfCurrExp));
  return host::build_core_image(spec);
}

std::vector<uint8_t> poisson_core(double rate_hz) {
  host::CoreImageSpec spec;
  spec.kind = fw::image::CoreKind::kPoissonSource;
  spec.n_neurons = bench::kCountsPoissonSources;
  spec.timer_period_us = 1000;
  spec.key_base = bench::kCountsOwnKey;
  spec.key_mask = host::slice_key_mask(bench::kCountsPoissonSources);
  spec.seed = host::core_seed(1, 2);
  spec.poisson.assign(bench::kCountsPoissonSources, host::poisson_source(rate_hz, 0.0, 1e9, 1.0));
  spec.recording = host::record_all(fw::image::kRecordSpikes, bench::kCountsPoissonSources);
  return host::build_core_image(spec);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: spindle-counts-bundle OUT\n");
    return 2;
  }
  try {
    const auto bundle = host::make_bundle({neuron_core(bench::kCountsNeuronsLarge),
                                           neuron_core(bench::kCountsNeuronsSmall), poisson_core(0.0),
                                           poisson_core(bench::kCountsPoissonRateHz)});
    std::ofstream out(argv[1], std::ios::binary);
    out.write(reinterpret_cast<const char*>(bundle.data()), static_cast<std::streamsize>(bundle.size()));
    if (!out) {
      std::fprintf(stderr, "spindle-counts-bundle: cannot write %s\n", argv[1]);
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spindle-counts-bundle: %s\n", e.what());
    return 1;
  }
  return 0;
}
