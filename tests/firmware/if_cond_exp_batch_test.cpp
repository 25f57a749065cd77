// The IF_cond_exp AVX-512 block update (firmware/neuron/if_cond_exp_batch.h)
// against IfCondExp::step neuron by neuron, bit for bit, over many ticks:
// every state word and the fired neurons in order, for random neurons over
// the whole range of every field and hand-picked edges (saturating states,
// sums and drives, refractory counts 0 / 1 / large / negative, v at
// threshold, factors 0, 1/2, 1 - 2^-32, reversal potentials at the limits),
// inputs at 0 and the limits, every population size around the block width,
// and nothing outside [0, n) written. Skipped where the CPU lacks AVX-512.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "fixed/fixed_point.h"
#include "neuron/if_cond_exp_batch.h"
#include "neuron/models.h"

#if defined(__x86_64__)
namespace spindle::fw {
namespace {

using Params = IfCondExp::Params;
using State = IfCondExp::State;

constexpr int32_t kUntouched = 0x5A5A5A5A;
constexpr int32_t kMv = 1 << Accum::kFracBits;

const std::vector<int32_t> kEdgeValues = {INT32_MIN, INT32_MIN + 1, -(1 << 30), -80 * kMv, -1, 0, 1,
                                          50 * kMv,  1 << 30,       INT32_MAX - 1, INT32_MAX};
const std::vector<uint32_t> kEdgeFactors = {0u,          1u,          0x7FFFFFFFu, 0x80000000u,
                                            0x80000001u, 0xF0000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
const std::vector<int32_t> kEdgeCounts = {INT32_MIN, -1, 0, 1, 2, 1000, INT32_MAX};

struct Gen {
  std::mt19937 gen;
  explicit Gen(uint32_t seed) : gen(seed) {}
  int pick() { return std::uniform_int_distribution<int>(0, 3)(gen); }
  int32_t any() { return std::uniform_int_distribution<int32_t>(INT32_MIN, INT32_MAX)(gen); }
  int32_t range(int32_t lo, int32_t hi) { return std::uniform_int_distribution<int32_t>(lo, hi)(gen); }
  template <class T>
  T edge(const std::vector<T>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(gen)];
  }
  // An edge value (1 in 4), anything (1 in 4) or a typical value; `edges`
  // false: always typical.
  Accum value(int32_t typical, bool edges) {
    switch (edges ? pick() : 2) {
      case 0: return Accum{edge(kEdgeValues)};
      case 1: return Accum{any()};
      default: return Accum{typical};
    }
  }
  UFract32 factor(uint32_t typical, bool edges) {
    switch (edges ? pick() : 2) {
      case 0: return UFract32{edge(kEdgeFactors)};
      case 1: return UFract32{static_cast<uint32_t>(any())};
      default: return UFract32{typical};
    }
  }
};

// Typical COBA-like neurons (dt 0.1 ms, tau_m 20 ms, tau_syn 5 / 10 ms,
// driven above threshold so that they fire), each field replaced by an edge
// or any value where `edges`.
Params make_params(Gen& g, bool edges) {
  Params p;
  p.synapse.exc_decay = g.factor(4209921245u, edges);  // exp(-0.1/5)
  p.synapse.exc_init = g.factor(4252302528u, edges);   // 50 (1 - exp(-0.1/5))
  p.synapse.inh_decay = g.factor(4252231657u, edges);  // exp(-0.1/10)
  p.synapse.inh_init = g.factor(4273563864u, edges);
  p.input.e_rev_exc = g.value(0, edges);
  p.input.e_rev_inh = g.value(-80 * kMv, edges);
  p.membrane.v_rest = g.value(g.range(-65 * kMv, -45 * kMv), edges);
  p.membrane.v_reset = g.value(-60 * kMv, edges);
  p.membrane.r_membrane = g.value(20 * kMv, edges);
  p.membrane.exp_tc = g.factor(4273546057u, edges);  // exp(-0.1/20)
  p.membrane.i_offset = g.value(g.range(0, 2 * kMv), edges);
  p.membrane.refract_ticks = edges && g.pick() == 0 ? g.edge(kEdgeCounts) : g.range(0, 20);
  p.threshold.v_thresh = g.value(-50 * kMv, edges);
  return p;
}

State make_state(Gen& g, const Params& p, bool edges) {
  State s;
  s.synapse.exc = g.value(g.range(0, 1 << 20), edges);
  s.synapse.inh = g.value(g.range(0, 1 << 20), edges);
  s.membrane.v = g.value(g.range(-70 * kMv, -50 * kMv), edges);
  if (edges && g.pick() == 0) s.membrane.v = p.threshold.v_thresh;  // exactly at threshold
  s.membrane.refract_count = edges && g.pick() == 0 ? g.edge(kEdgeCounts) : g.range(-1, 3);
  return s;
}

int32_t make_input(Gen& g, bool edges) {
  if (edges && g.pick() == 0) return g.edge(kEdgeValues);
  if (edges && g.pick() == 0) return g.any();
  return g.pick() == 0 ? g.range(0, 1 << 18) : 0;
}

void expect_same_state(const State& want, const State& got, uint32_t n) {
  EXPECT_EQ(want.synapse.exc.raw, got.synapse.exc.raw) << "exc of neuron " << n;
  EXPECT_EQ(want.synapse.inh.raw, got.synapse.inh.raw) << "inh of neuron " << n;
  EXPECT_EQ(want.membrane.v.raw, got.membrane.v.raw) << "v of neuron " << n;
  EXPECT_EQ(want.membrane.refract_count, got.membrane.refract_count) << "refract of neuron " << n;
}

// The populations: `n` neurons, then untouched words past them.
struct Population {
  std::vector<Params> params;
  std::vector<State> want, got;
  Population(Gen& g, uint32_t n, bool edges) : params(n + kIfCondExpBlock), want(n + kIfCondExpBlock) {
    for (uint32_t i = 0; i < params.size(); ++i) {
      const bool real = i < n;
      params[i] = make_params(g, edges && real);
      want[i] = make_state(g, params[i], edges && real);
      if (!real) want[i] = State{{Accum{kUntouched}, Accum{kUntouched}}, {Accum{kUntouched}, kUntouched}, {}, {}, {}};
    }
    got = want;
  }
};

class IfCondExpBatch : public testing::Test {
 protected:
  void SetUp() override {
    if (!if_cond_exp_avx512_available()) GTEST_SKIP() << "this CPU has no AVX-512 F and DQ";
  }
  uint64_t spikes_compared_ = 0;
};

// if_cond_exp_step_block_avx512 with any inputs, blocks of `n`.
void run_blocks(Gen& g, uint32_t n, bool edges, uint32_t ticks, uint64_t& spikes) {
  Population x(g, n, edges);
  for (uint32_t tick = 0; tick < ticks; ++tick) {
    std::vector<int32_t> in_exc(n), in_inh(n);
    for (uint32_t i = 0; i < n; ++i) {
      in_exc[i] = make_input(g, edges);
      in_inh[i] = make_input(g, edges);
    }
    std::vector<uint32_t> want_fired, got_fired;
    for (uint32_t i = 0; i < n; ++i) {
      const Accum input[2] = {Accum{in_exc[i]}, Accum{in_inh[i]}};
      if (IfCondExp::step(x.params[i], x.want[i], input)) want_fired.push_back(i);
    }
    for (uint32_t i = 0; i < n; i += kIfCondExpBlock) {
      const uint32_t count = std::min(n - i, kIfCondExpBlock);
      const uint32_t bits =
          if_cond_exp_step_block_avx512(&x.params[i], &x.got[i], count, &in_exc[i], &in_inh[i]);
      ASSERT_EQ(bits >> count, 0u) << "a lane past the block fired";
      for (uint32_t j = 0; j < count; ++j)
        if (bits >> j & 1u) got_fired.push_back(i + j);
    }
    ASSERT_EQ(want_fired, got_fired) << "n " << n << " tick " << tick;
    spikes += want_fired.size();
    for (uint32_t i = 0; i < x.want.size(); ++i) expect_same_state(x.want[i], x.got[i], i);
    if (testing::Test::HasFailure()) FAIL() << "n " << n << " tick " << tick;
  }
}

// if_cond_exp_update_avx512 on ring-buffer sums, against take() +
// scale_pow2 + IfCondExp::step.
// `uniform`: every neuron gets the first one's parameters, and the update is
// told so (they are broadcast instead of gathered).
void run_update(Gen& g, uint32_t n, bool edges, int32_t shift_exc, int32_t shift_inh, uint32_t ticks,
                uint64_t& spikes, bool uniform = false) {
  Population x(g, n, edges);
  if (uniform) {
    // Only the n neurons': the blocks past them stay different, so a
    // broadcast from a block past the slice would show.
    std::fill(x.params.begin() + 1, x.params.begin() + n, x.params[0]);
    ASSERT_TRUE(params_uniform(x.params.data(), n));
  }
  const RingInputScale se = RingInputScale::from_weight_shift(shift_exc);
  const RingInputScale si = RingInputScale::from_weight_shift(shift_inh);
  const std::vector<uint32_t> edge_sums = {0u, 1u, 0x7FFFFFFFu, 0x80000000u, se.limit, se.limit + 1u,
                                           si.limit, si.limit + 1u, 0xFFFFFFFEu, 0xFFFFFFFFu};
  std::vector<uint16_t> fired(n + 1);
  for (uint32_t tick = 0; tick < ticks; ++tick) {
    std::vector<uint32_t> col_exc(n + 1, kUntouched), col_inh(n + 1, kUntouched);
    for (uint32_t i = 0; i < n; ++i) {
      auto sum = [&] {
        if (edges && g.pick() == 0) return g.edge(edge_sums);
        return g.pick() == 0 ? static_cast<uint32_t>(g.range(0, 4000)) : 0u;
      };
      col_exc[i] = sum();
      col_inh[i] = sum();
    }
    std::vector<uint32_t> want_fired;
    uint32_t want_saturated = 0;
    for (uint32_t i = 0; i < n; ++i) {
      want_saturated += (col_exc[i] == UINT32_MAX) + (col_inh[i] == UINT32_MAX);
      const Accum input[2] = {scale_pow2(col_exc[i], shift_exc), scale_pow2(col_inh[i], shift_inh)};
      if (IfCondExp::step(x.params[i], x.want[i], input)) want_fired.push_back(i);
    }
    uint32_t saturated = 0;
    const uint32_t n_fired = if_cond_exp_update_avx512(x.params.data(), x.got.data(), n, col_exc.data(),
                                                       col_inh.data(), se, si, fired.data(), saturated, uniform);
    ASSERT_EQ(std::vector<uint32_t>(fired.begin(), fired.begin() + n_fired), want_fired)
        << "n " << n << " tick " << tick;
    EXPECT_EQ(saturated, want_saturated);
    for (uint32_t i = 0; i < n; ++i) EXPECT_EQ(col_exc[i] | col_inh[i], 0u) << "input of " << i << " not cleared";
    EXPECT_EQ(col_exc[n], uint32_t{kUntouched});
    EXPECT_EQ(col_inh[n], uint32_t{kUntouched});
    spikes += want_fired.size();
    for (uint32_t i = 0; i < x.want.size(); ++i) expect_same_state(x.want[i], x.got[i], i);
    if (testing::Test::HasFailure()) FAIL() << "n " << n << " tick " << tick;
  }
}

const std::vector<uint32_t> kSizes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 100, 255, 256};

// run_blocks over every size, `rounds` times.
void run_sizes(uint32_t seed, bool edges, int rounds, uint32_t ticks, uint64_t& spikes) {
  Gen g(seed);
  for (int round = 0; round < rounds; ++round)
    for (uint32_t n : kSizes) {
      run_blocks(g, n, edges, ticks, spikes);
      if (testing::Test::HasFatalFailure()) return;
    }
}

TEST_F(IfCondExpBatch, BlocksEqualStepForTypicalNeurons) {
  run_sizes(1, false, 1, 400, spikes_compared_);
  EXPECT_GT(spikes_compared_, 1000u);
}

TEST_F(IfCondExpBatch, BlocksEqualStepAtTheEdges) {
  run_sizes(2, true, 4, 100, spikes_compared_);
  EXPECT_GT(spikes_compared_, 1000u);
}

TEST_F(IfCondExpBatch, UpdateEqualsTakeScaleAndStep) {
  Gen g(3);
  for (uint32_t n : kSizes) {
    for (int32_t shift : {-31, -7, -1, 0, 1, 4, 17, 31}) {
      run_update(g, n, n % 2 == 0, shift, -shift, 20, spikes_compared_);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(spikes_compared_, 1000u);
}

// One parameter set for every neuron (broadcast): typical sets, sets with
// edge values in every field (each run draws a new one), all sizes.
TEST_F(IfCondExpBatch, UniformParametersEqualTakeScaleAndStep) {
  Gen g(5);
  for (int round = 0; round < 2; ++round)
    for (uint32_t n : kSizes)
      for (int32_t shift : {-31, -7, -1, 0, 1, 4, 17, 31}) {
        run_update(g, n, round == 1, shift, -shift, 20, spikes_compared_, /*uniform=*/true);
        if (HasFatalFailure()) return;
      }
  EXPECT_GT(spikes_compared_, 1000u);
}

TEST(IfCondExpParams, UniformOnlyWhenEveryBlockIsEqual) {
  Gen g(6);
  std::vector<Params> params(40, make_params(g, true));
  EXPECT_TRUE(params_uniform(params.data(), 40));
  EXPECT_TRUE(params_uniform(params.data(), 1));
  EXPECT_TRUE(params_uniform(params.data(), 0));
  for (uint32_t at : {1u, 17u, 39u}) {
    std::vector<Params> other = params;
    other[at].threshold.v_thresh.raw ^= 1;  // one bit of one field of one neuron
    EXPECT_FALSE(params_uniform(other.data(), 40)) << at;
    EXPECT_TRUE(params_uniform(other.data(), at)) << "the differing neuron is past n";
  }
}

// Hand-picked neurons, one per case, all in one population of 256.
TEST_F(IfCondExpBatch, HandPickedCases) {
  Gen g(4);
  std::vector<Params> params;
  std::vector<State> states;
  std::vector<std::pair<int32_t, int32_t>> inputs;
  const Params typical = make_params(g, false);
  const State rest{{Accum{0}, Accum{0}}, {Accum{-65 * kMv}, 0}, {}, {}, {}};
  auto add = [&](Params p, State s, int32_t in_exc, int32_t in_inh) {
    params.push_back(p);
    states.push_back(s);
    inputs.emplace_back(in_exc, in_inh);
  };
  for (int32_t g_exc : {INT32_MIN, -1, 0, 1, INT32_MAX})
    for (int32_t e : {INT32_MIN, 0, INT32_MAX})
      for (int32_t v : {INT32_MIN, -1, 0, INT32_MAX}) {
        Params p = typical;
        p.input.e_rev_exc = Accum{e};
        p.input.e_rev_inh = Accum{e == INT32_MIN ? INT32_MAX : -e};  // -INT32_MIN overflows
        p.synapse.exc_init = UFract32{0xFFFFFFFFu};
        State s = rest;
        s.synapse.exc = Accum{g_exc};
        s.synapse.inh = Accum{g_exc};
        s.membrane.v = Accum{v};
        add(p, s, 0, 0);
        add(p, s, INT32_MAX, INT32_MIN);
      }
  for (int32_t r : {INT32_MIN, -1, 0, 1, 2, INT32_MAX}) {
    State s = rest;
    s.membrane.refract_count = r;
    Params p = typical;
    add(p, s, 0, 0);
    s.membrane.v = p.threshold.v_thresh;  // refractory at threshold: fires again
    add(p, s, 0, 0);
    p.threshold.v_thresh = Accum{INT32_MIN};
    add(p, s, 1 << 20, 0);
  }
  for (uint32_t f : kEdgeFactors) {
    Params p = typical;
    p.membrane.exp_tc = UFract32{f};
    p.synapse.exc_decay = UFract32{f};
    p.synapse.inh_init = UFract32{f};
    p.membrane.r_membrane = Accum{INT32_MAX};
    p.membrane.i_offset = Accum{INT32_MAX};
    add(p, rest, 1 << 22, 1 << 22);
    p.membrane.i_offset = Accum{INT32_MIN};
    add(p, rest, INT32_MAX, 0);
  }
  ASSERT_LE(params.size(), kMaxNeuronsPerCore);
  while (params.size() < kMaxNeuronsPerCore) add(make_params(g, true), rest, make_input(g, true), 0);
  std::vector<State> want = states;
  const auto n = static_cast<uint32_t>(params.size());
  for (uint32_t tick = 0; tick < 50; ++tick) {
    std::vector<int32_t> in_exc(n), in_inh(n);
    for (uint32_t i = 0; i < n; ++i) {
      in_exc[i] = tick == 0 ? inputs[i].first : make_input(g, true);
      in_inh[i] = tick == 0 ? inputs[i].second : make_input(g, true);
    }
    std::vector<uint32_t> want_fired, got_fired;
    for (uint32_t i = 0; i < n; ++i) {
      const Accum input[2] = {Accum{in_exc[i]}, Accum{in_inh[i]}};
      if (IfCondExp::step(params[i], want[i], input)) want_fired.push_back(i);
    }
    for (uint32_t i = 0; i < n; i += kIfCondExpBlock) {
      const uint32_t bits = if_cond_exp_step_block_avx512(&params[i], &states[i], kIfCondExpBlock, &in_exc[i],
                                                          &in_inh[i]);
      for (uint32_t j = 0; j < kIfCondExpBlock; ++j)
        if (bits >> j & 1u) got_fired.push_back(i + j);
    }
    ASSERT_EQ(want_fired, got_fired) << "tick " << tick;
    spikes_compared_ += want_fired.size();
    for (uint32_t i = 0; i < n; ++i) expect_same_state(want[i], states[i], i);
    if (HasFailure()) FAIL() << "tick " << tick;
  }
  EXPECT_GT(spikes_compared_, 1000u);
}

}  // namespace
}  // namespace spindle::fw
#endif
