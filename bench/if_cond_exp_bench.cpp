// The IF_cond_exp update alone, both host forms in the same process: the
// scalar loop the core runs without AVX-512 (RingInputScale::apply +
// IfCondExp::step a neuron) and AVX-512 (if_cond_exp_update_avx512, 16
// neurons a block; PerNeuron gathers each block's parameters, Uniform
// broadcasts one set, as a homogeneous population's core does), on one core of COBA
// neurons (examples/networks/coba.textproto's parameters, folded as the
// host folds them; v from [-60, -50) mV). One iteration is one tick: the
// tick's ring inputs are written (COBA-like: each cell non-zero with a few
// percent chance), then the form runs over the core. Sizes: 247 (a 256-neuron
// ARM image's share of a 4000-neuron population), 458 (COBA's native slices,
// up to 487) and 1024 (a full native core). Figures: docs/performance.md
// ("IF_cond_exp block update").
// Run: build/<dir>/bench/if_cond_exp_bench --benchmark_repetitions=5
//        --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "image/cell_params.h"
#include "neuron/if_cond_exp_batch.h"
#include "neuron/lif_curr_exp.h"

namespace spindle {
namespace {

using fw::IfCondExp;
using fw::RingInputScale;

constexpr double kDtMs = 0.1;
constexpr uint32_t kTicks = 1024;  // distinct ticks of input, then repeated
// 16-bit weights and ring-buffer shifts of COBA's order (they only set how
// often v crosses threshold, not the work of a tick).
constexpr int32_t kShiftExc = -5, kShiftInh = -1;
constexpr uint32_t kWeightExc = 33554, kWeightInh = 53477;
constexpr double kChanceExc = 0.05, kChanceInh = 0.015;

using Update = uint32_t (*)(const IfCondExp::Params*, IfCondExp::State*, uint32_t, uint32_t*, uint32_t*,
                            const RingInputScale&, const RingInputScale&, uint16_t*, uint32_t&, bool);

uint32_t update_scalar(const IfCondExp::Params* params, IfCondExp::State* states, uint32_t n, uint32_t* in_exc,
                       uint32_t* in_inh, const RingInputScale& se, const RingInputScale& si, uint16_t* fired,
                       uint32_t& saturated, bool) {
  uint32_t n_fired = 0;
  for (uint32_t i = 0; i < n; ++i) {
    saturated += (in_exc[i] == UINT32_MAX) + (in_inh[i] == UINT32_MAX);
    const fw::Accum input[2] = {fw::Accum{se.apply(in_exc[i])}, fw::Accum{si.apply(in_inh[i])}};
    in_exc[i] = in_inh[i] = 0;
    if (IfCondExp::step(params[i], states[i], input)) fired[n_fired++] = static_cast<uint16_t>(i);
  }
  return n_fired;
}

bool always() { return true; }

void run_ticks(benchmark::State& state, Update update, bool (*available)(), bool uniform = false) {
  if (!available()) {
    state.SkipWithError("this CPU cannot run this form");
    return;
  }
  const auto n = static_cast<uint32_t>(state.range(0));
  host::IfCondExpParams p;
  p.cm = 0.2, p.tau_m = 20, p.v_rest = -60, p.v_reset = -60, p.v_thresh = -50, p.tau_refrac = 5;
  p.tau_syn_E = 5, p.tau_syn_I = 10, p.e_rev_E = 0, p.e_rev_I = -80;
  std::vector<IfCondExp::Params> params(n, host::to_fixed(p, kDtMs));
  std::vector<IfCondExp::State> states(n);
  std::mt19937 gen(5);
  std::uniform_real_distribution<double> v0(-60, -50), u(0, 1);
  for (auto& s : states) {
    p.v_init = v0(gen);
    s = host::initial_state(p);
  }
  // Per tick, the non-zero cells: (neuron, inhibitory).
  std::vector<std::vector<std::pair<uint16_t, bool>>> inputs(kTicks);
  for (auto& tick : inputs)
    for (uint32_t i = 0; i < n; ++i) {
      if (u(gen) < kChanceExc) tick.push_back({static_cast<uint16_t>(i), false});
      if (u(gen) < kChanceInh) tick.push_back({static_cast<uint16_t>(i), true});
    }
  std::vector<uint32_t> exc(n), inh(n);
  std::vector<uint16_t> fired(n);
  const RingInputScale se = RingInputScale::from_weight_shift(kShiftExc);
  const RingInputScale si = RingInputScale::from_weight_shift(kShiftInh);
  uint32_t tick = 0, saturated = 0;
  uint64_t spikes = 0;
  for (auto _ : state) {
    for (const auto& [i, inhibitory] : inputs[tick++ % kTicks]) (inhibitory ? inh : exc)[i] += inhibitory ? kWeightInh : kWeightExc;
    spikes += update(params.data(), states.data(), n, exc.data(), inh.data(), se, si, fired.data(), saturated, uniform);
  }
  benchmark::DoNotOptimize(spikes);
  state.counters["updates/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * n, benchmark::Counter::kIsRate);
}

void BM_Scalar(benchmark::State& state) { run_ticks(state, update_scalar, always); }
void BM_Avx512PerNeuron(benchmark::State& state) {
  run_ticks(state, fw::if_cond_exp_update_avx512, fw::if_cond_exp_avx512_available);
}
void BM_Avx512Uniform(benchmark::State& state) {
  run_ticks(state, fw::if_cond_exp_update_avx512, fw::if_cond_exp_avx512_available, true);
}

BENCHMARK(BM_Scalar)->Arg(247)->Arg(458)->Arg(1024);
BENCHMARK(BM_Avx512PerNeuron)->Arg(247)->Arg(458)->Arg(1024);
BENCHMARK(BM_Avx512Uniform)->Arg(247)->Arg(458)->Arg(1024);

}  // namespace
}  // namespace spindle

BENCHMARK_MAIN();
