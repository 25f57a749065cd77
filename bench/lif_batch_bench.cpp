// The IF_curr_exp batch alone, each host loop in the same process: the
// portable loop (LifCurrExpBatch::update_portable), AVX2 (lif_update_avx2)
// and AVX-512 (lif_update_avx512), on one core of CUBA neurons
// (examples/networks/cuba.textproto's parameters, folded as a core loads
// them; v from [-60, -50) mV). One iteration is one tick: the tick's ring
// inputs are written (CUBA's weights at their image scale, each cell
// non-zero with CUBA's per-tick chance, 80 inputs x 5.5 Hz x 0.1 ms: about
// 3.5 % excitatory, 0.9 % inhibitory), then the loop runs over the core.
// Sizes: 111 (CUBA's slices at time_scale_factor 1 have 100-111 neurons),
// 247 (its slices at the default factor 10 have 200-247), 256 (a full core).
// BM_Avx2 and BM_Avx512 run the uniform form (one parameter set for every
// neuron, as CUBA's homogeneous populations load), the *PerNeuron variants
// the per-neuron form (LifParamsSoA::uniform cleared). Layouts: "aligned" puts every array on a 64-byte boundary;
// "engine" where a CUBA run had them (parameters and state 32 bytes past
// one, ring inputs 4 bytes past, as fw::Core laid them out at 6d190e0).
// Reports CPU time per tick and neuron updates per second. Figures and the
// command: docs/performance.md ("The batch in AVX-512").
// Run: build/<dir>/bench/lif_batch_bench --benchmark_repetitions=9
//        --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <new>
#include <random>
#include <vector>

#include "image/cell_params.h"
#include "neuron/lif_curr_exp.h"
#include "neuron/lif_curr_exp_avx2.h"
#include "neuron/lif_curr_exp_avx512.h"

namespace spindle {
namespace {

using fw::LifCurrExpBatch;
using fw::LifParamsSoA;
using fw::LifStateSoA;
using fw::RingInputScale;

constexpr double kDtMs = 0.1;
constexpr uint32_t kTicks = 1024;  // distinct ticks of input, then repeated
// CUBA's weights (0.0162 nA, 0.09 nA) as the mapping scales them
// (synaptic_matrix.cpp: 16-bit words, weight shifts 2 and 4).
constexpr int32_t kShiftExc = 2, kShiftInh = 4;
constexpr uint32_t kWeightExc = 33974, kWeightInh = 47186;
constexpr double kChanceExc = 0.035, kChanceInh = 0.009;

using Batch = uint32_t (*)(const LifParamsSoA&, LifStateSoA&, uint32_t, uint32_t*, uint32_t*, const RingInputScale&,
                           const RingInputScale&, bool, uint16_t*, uint32_t&);

// A T `offset` bytes past a 64-byte boundary.
template <class T>
struct Placed {
  std::unique_ptr<unsigned char[]> bytes;
  T* at;
  explicit Placed(uint32_t offset) : bytes(new unsigned char[sizeof(T) + 128]) {
    const auto base = reinterpret_cast<uintptr_t>(bytes.get());
    at = new (bytes.get() + (64 - base % 64) % 64 + offset) T{};
  }
  T& operator*() const { return *at; }
};
struct Column {
  uint32_t sum[fw::kMaxNeuronsPerCore];
};
enum Layout : int64_t { kAligned = 0, kEngine = 1 };

struct Input {
  uint16_t neuron;
  bool inhibitory;
};

void run_ticks(benchmark::State& state, Batch batch, bool (*available)(), bool per_neuron = false) {
  if (!available()) {
    state.SkipWithError("this CPU cannot run this loop");
    return;
  }
  const auto n = static_cast<uint32_t>(state.range(0));
  const bool engine = state.range(1) == kEngine;
  state.SetLabel(engine ? "engine" : "aligned");
  host::IfCurrExpParams cell;
  cell.cm = 0.2;
  cell.tau_m = 20;
  cell.v_rest = -49;
  cell.v_reset = -60;
  cell.v_thresh = -50;
  cell.tau_refrac = 5;
  cell.tau_syn_E = 5;
  cell.tau_syn_I = 10;
  std::mt19937 gen(20070101);
  std::uniform_real_distribution<double> v_init(-60, -50);
  std::vector<fw::IfCurrExp::Params> params(n, host::to_fixed(cell, kDtMs));
  std::vector<fw::IfCurrExp::State> init(n);
  for (auto& s : init) {
    cell.v_init = v_init(gen);
    s = host::initial_state(cell);
  }
  const Placed<LifParamsSoA> p(engine ? 32 : 0);
  const Placed<LifStateSoA> s(engine ? 32 : 0);
  if (LifCurrExpBatch::load(params.data(), init.data(), n, *p, *s) != n) {
    state.SkipWithError("CUBA parameters did not fold");
    return;
  }
  if (per_neuron) p.at->uniform = false;  // CUBA's neurons share one set: the loops may keep it in registers
  const bool known = LifCurrExpBatch::known_ranges(*p, n);
  const RingInputScale se = RingInputScale::from_weight_shift(kShiftExc);
  const RingInputScale si = RingInputScale::from_weight_shift(kShiftInh);

  std::bernoulli_distribution exc(kChanceExc), inh(kChanceInh);
  std::vector<std::vector<Input>> inputs(kTicks);
  for (auto& tick : inputs)
    for (uint32_t i = 0; i < n; ++i) {
      if (exc(gen)) tick.push_back({static_cast<uint16_t>(i), false});
      if (inh(gen)) tick.push_back({static_cast<uint16_t>(i), true});
    }

  const Placed<Column> in_exc_column(engine ? 4 : 0), in_inh_column(engine ? 4 : 0);
  uint32_t* in_exc = in_exc_column.at->sum;
  uint32_t* in_inh = in_inh_column.at->sum;
  std::vector<uint16_t> fired(fw::kMaxNeuronsPerCore);
  uint32_t saturated = 0, tick = 0;
  uint64_t spikes = 0;
  for (auto _ : state) {
    for (const Input& x : inputs[tick]) (x.inhibitory ? in_inh : in_exc)[x.neuron] += x.inhibitory ? kWeightInh : kWeightExc;
    spikes += batch(*p, *s, n, in_exc, in_inh, se, si, known, fired.data(), saturated);
    tick = (tick + 1) % kTicks;
  }
  benchmark::DoNotOptimize(spikes);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * n);
  // Spikes per neuron per second of model time: CUBA-like firing, not a
  // silent or saturated core.
  state.counters["rate_hz"] = static_cast<double>(spikes) / (static_cast<double>(state.iterations()) * n * kDtMs * 1e-3);
}

bool always() { return true; }

void BM_Portable(benchmark::State& state) { run_ticks(state, LifCurrExpBatch::update_portable, always); }
void BM_Avx2(benchmark::State& state) { run_ticks(state, fw::lif_update_avx2, fw::lif_avx2_available); }
void BM_Avx512(benchmark::State& state) { run_ticks(state, fw::lif_update_avx512, fw::lif_avx512_available); }
// The vector loops reading every parameter per neuron, as they do for a
// slice whose neurons differ: the baseline of the uniform form's registers.
void BM_Avx2PerNeuron(benchmark::State& state) { run_ticks(state, fw::lif_update_avx2, fw::lif_avx2_available, true); }
void BM_Avx512PerNeuron(benchmark::State& state) {
  run_ticks(state, fw::lif_update_avx512, fw::lif_avx512_available, true);
}

BENCHMARK(BM_Portable)->ArgsProduct({{111, 247, 256}, {kAligned, kEngine}});
BENCHMARK(BM_Avx2PerNeuron)->ArgsProduct({{111, 247, 256}, {kAligned, kEngine}});
BENCHMARK(BM_Avx2)->ArgsProduct({{111, 247, 256}, {kAligned, kEngine}});
BENCHMARK(BM_Avx512PerNeuron)->ArgsProduct({{111, 247, 256}, {kAligned, kEngine}});
BENCHMARK(BM_Avx512)->ArgsProduct({{111, 247, 256}, {kAligned, kEngine}});

}  // namespace
}  // namespace spindle

BENCHMARK_MAIN();
