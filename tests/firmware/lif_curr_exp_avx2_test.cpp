// The vector IF_curr_exp batches, AVX2 (firmware/neuron/lif_curr_exp_avx2.h)
// and AVX-512 (lif_curr_exp_avx512.h), each against the portable loop
// (LifCurrExpBatch::update_portable) bit for bit, every case on both: random
// neurons over the whole range and hand-picked edges (saturating states and
// sums, refractory neurons, states exactly at threshold, negative values,
// decays and gains at 0, 1/2 and 1 - 2^-32, every weight shift, both
// product forms), population sizes around the vector width so that the
// masked last vector runs, and nothing outside [0, n) written. A loop the
// CPU cannot run is skipped with a message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "neuron/lif_curr_exp.h"
#include "neuron/lif_curr_exp_avx2.h"
#include "neuron/lif_curr_exp_avx512.h"

#if defined(__x86_64__)
namespace spindle::fw {
namespace {

// Values outside [0, n) of every array; neither loop may change them.
constexpr int32_t kUntouched = 0x5A5A5A5A;

struct Neurons {
  std::unique_ptr<LifParamsSoA> p = std::make_unique<LifParamsSoA>();
  std::unique_ptr<LifStateSoA> s = std::make_unique<LifStateSoA>();
};

// 2^28: the AVX-512 loop's bound for plain (non-saturating) arithmetic.
const std::vector<int32_t> kEdgeValues = {INT32_MIN, INT32_MIN + 1, -(1 << 30), -(1 << 28) - 1, -(1 << 28),
                                          -(1 << 28) + 1, -65 << 15, -1, 0, 1, 50 << 15, (1 << 28) - 1,
                                          1 << 28, 1 << 30, INT32_MAX - 1, INT32_MAX};
const std::vector<uint32_t> kEdgeFactors = {0u,          1u,          0x7FFFFFFFu, 0x80000000u,
                                            0x80000001u, 0xF0000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};

// Each field independently: an edge value (1 in 4), anything, or a typical
// value; `known` keeps decays >= 1/2 and gains < 1/2.
Neurons edge_neurons(std::mt19937& gen, bool known) {
  Neurons x;
  std::fill(std::begin(x.p->k_exc), std::end(x.p->k_exc), uint32_t{kUntouched});
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<uint32_t> fract(0, UINT32_MAX);
  std::uniform_int_distribution<int32_t> mv(-80 << 15, -40 << 15);
  std::uniform_int_distribution<int> pick(0, 3);
  std::uniform_int_distribution<int> refract(0, 3);
  auto value = [&](int32_t typical) {
    switch (pick(gen)) {
      case 0: return kEdgeValues[std::uniform_int_distribution<size_t>(0, kEdgeValues.size() - 1)(gen)];
      case 1: return any(gen);
      default: return typical;
    }
  };
  auto factor = [&](uint32_t typical) {
    switch (pick(gen)) {
      case 0: return kEdgeFactors[std::uniform_int_distribution<size_t>(0, kEdgeFactors.size() - 1)(gen)];
      case 1: return fract(gen);
      default: return typical;
    }
  };
  for (uint32_t i = 0; i < kMaxNeuronsPerCore; ++i) {
    x.p->k_exc[i] = factor(fract(gen) >> 5);
    x.p->k_inh[i] = factor(fract(gen) >> 5);
    x.p->decay_v[i] = factor(0xFF000000u | fract(gen) >> 8);
    x.p->decay_exc[i] = factor(0xF0000000u | fract(gen) >> 4);
    x.p->decay_inh[i] = factor(0xF0000000u | fract(gen) >> 4);
    if (known) {
      x.p->decay_v[i] |= 0x80000000u;
      x.p->decay_exc[i] |= 0x80000000u;
      x.p->decay_inh[i] |= 0x80000000u;
      x.p->k_exc[i] &= 0x7FFFFFFFu;
      x.p->k_inh[i] &= 0x7FFFFFFFu;
    }
    x.p->base[i] = value(mv(gen));
    x.p->v_reset[i] = value(mv(gen));
    x.p->refract_ticks[i] = refract(gen);
    x.s->exc[i] = value(any(gen) >> 10);
    x.s->inh[i] = value(any(gen) >> 10);
    x.s->v[i] = value(mv(gen));
    x.s->refract[i] = refract(gen);
    // Some thresholds exactly at V (fires if V holds: refractory, or a
    // decay of 1 - 2^-32 that keeps alpha - V's product), some one above.
    const int k = pick(gen);
    x.p->v_thresh[i] = k == 0 ? x.s->v[i] : k == 1 ? static_cast<int32_t>(uint32_t(x.s->v[i]) + 1u) : value(mv(gen));
  }
  return x;
}

// Ring-buffer sums: mostly small weights, some blocks with sums at and
// around the scales' limits and UINT32_MAX (saturated cells).
std::vector<uint32_t> sums(std::mt19937& gen, uint32_t n, const RingInputScale& k, bool wild_block) {
  std::uniform_int_distribution<uint32_t> weight(0, 0xFFFF);
  std::uniform_int_distribution<uint32_t> any(0, UINT32_MAX);
  std::uniform_int_distribution<int> pick(0, 7);
  std::vector<uint32_t> in(kMaxNeuronsPerCore, uint32_t{kUntouched});
  for (uint32_t i = 0; i < n; ++i) {
    if (!wild_block) {
      in[i] = weight(gen) >> (i % 3 * 5);
      continue;
    }
    const uint32_t edges[] = {0u, k.limit - 1, k.limit, k.limit + 1, UINT32_MAX, UINT32_MAX - 1, any(gen), 1u};
    in[i] = edges[pick(gen)];
  }
  return in;
}

// Every slot, so that a write past n shows.
void expect_same_state(const LifStateSoA& a, const LifStateSoA& b) {
  for (uint32_t i = 0; i < kMaxNeuronsPerCore; ++i) {
    ASSERT_EQ(a.exc[i], b.exc[i]) << "neuron " << i;
    ASSERT_EQ(a.inh[i], b.inh[i]) << "neuron " << i;
    ASSERT_EQ(a.v[i], b.v[i]) << "neuron " << i;
    ASSERT_EQ(a.refract[i], b.refract[i]) << "neuron " << i;
  }
}

// A vector loop under test: lif_update_avx2 or lif_update_avx512.
using Batch = uint32_t (*)(const LifParamsSoA&, LifStateSoA&, uint32_t, uint32_t*, uint32_t*, const RingInputScale&,
                           const RingInputScale&, bool, uint16_t*, uint32_t&);

struct Case {
  uint32_t n;
  int32_t shift_exc, shift_inh;
  bool known;
};

// Runs `batch` and the portable loop for `ticks` ticks from the same
// neurons; returns the number of spikes compared.
uint32_t compare(Batch batch, const Neurons& x, const Case& c, std::mt19937& gen, int ticks) {
  Neurons a, b;
  *a.p = *x.p;
  *a.s = *x.s;
  *b.s = *x.s;
  for (uint32_t i = c.n; i < kMaxNeuronsPerCore; ++i) {
    a.s->exc[i] = a.s->inh[i] = a.s->v[i] = a.s->refract[i] = kUntouched;
  }
  *b.s = *a.s;
  if (c.known) {
    EXPECT_TRUE(LifCurrExpBatch::known_ranges(*a.p, c.n));
  }
  const RingInputScale se = RingInputScale::from_weight_shift(c.shift_exc);
  const RingInputScale si = RingInputScale::from_weight_shift(c.shift_inh);
  uint32_t spikes = 0;
  for (int tick = 0; tick < ticks; ++tick) {
    SCOPED_TRACE(testing::Message() << "n " << c.n << " shifts " << c.shift_exc << "/" << c.shift_inh << " known "
                                    << c.known << " tick " << tick);
    // Sums at the limits on both sides (ticks 3, 7, 11), or on one side only
    // (1 and 9 excitatory, 5 inhibitory), so that each side alone must take
    // the loops off their shift-only path.
    const bool wild_exc = tick % 4 == 3 || tick % 8 == 1, wild_inh = tick % 4 == 3 || tick % 8 == 5;
    std::vector<uint32_t> exc_a = sums(gen, c.n, se, wild_exc), inh_a = sums(gen, c.n, si, wild_inh);
    std::vector<uint32_t> exc_b = exc_a, inh_b = inh_a;
    uint16_t fired_a[kMaxNeuronsPerCore] = {}, fired_b[kMaxNeuronsPerCore] = {};
    uint32_t sat_a = 7, sat_b = 7;  // both add to what is there
    const uint32_t n_a = batch(*a.p, *a.s, c.n, exc_a.data(), inh_a.data(), se, si, c.known, fired_a, sat_a);
    const uint32_t n_b = LifCurrExpBatch::update_portable(*a.p, *b.s, c.n, exc_b.data(), inh_b.data(), se, si,
                                                          c.known, fired_b, sat_b);
    EXPECT_EQ(std::vector<uint16_t>(fired_a, fired_a + n_a), std::vector<uint16_t>(fired_b, fired_b + n_b));
    EXPECT_EQ(sat_a, sat_b);
    EXPECT_EQ(exc_a, exc_b);  // cleared in [0, n), untouched after
    EXPECT_EQ(inh_a, inh_b);
    expect_same_state(*a.s, *b.s);
    if (testing::Test::HasFailure()) return spikes;
    spikes += n_a;
  }
  return spikes;
}

struct VectorLoop {
  const char* name;
  Batch batch;
  bool (*available)();
  const char* missing;  // the skip message
};

// Names the loop in failure messages (gtest would print its bytes).
void PrintTo(const VectorLoop& loop, std::ostream* os) { *os << loop.name; }

class LifVector : public testing::TestWithParam<VectorLoop> {
 protected:
  void SetUp() override {
    if (!GetParam().available()) GTEST_SKIP() << GetParam().missing;
  }
  uint32_t compare(const Neurons& x, const Case& c, std::mt19937& gen, int ticks) {
    return fw::compare(GetParam().batch, x, c, gen, ticks);
  }
};

INSTANTIATE_TEST_SUITE_P(
    Loops, LifVector,
    testing::Values(VectorLoop{"Avx2", lif_update_avx2, lif_avx2_available, "this CPU has no AVX2"},
                    VectorLoop{"Avx512", lif_update_avx512, lif_avx512_available,
                               "this CPU (or its OS) has no AVX-512 F and DQ"}),
    [](const testing::TestParamInfo<VectorLoop>& loop) { return std::string(loop.param.name); });

TEST_P(LifVector, EqualsPortableLoopOnEdgesAndSizes) {
  std::mt19937 gen(11);
  uint32_t spikes = 0;
  for (bool known : {false, true}) {
    const Neurons x = edge_neurons(gen, known);
    for (uint32_t n : {1u, 2u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 32u, 33u, 100u, 108u, 255u, kMaxNeuronsPerCore}) {
      spikes += compare(x, {n, 6, 6, known}, gen, 12);
      spikes += compare(x, {n, -2, 3, known}, gen, 12);
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(spikes, 1000u);  // the spike masks and resets were compared
}

TEST_P(LifVector, EqualsPortableLoopForEveryWeightShift) {
  std::mt19937 gen(12);
  const Neurons x = edge_neurons(gen, false);
  for (int32_t shift = -31; shift <= 31; ++shift) {
    compare(x, {37, shift, -shift, false}, gen, 8);
    compare(x, {37, shift, shift, false}, gen, 8);
    if (HasFailure()) return;
  }
}

// One parameter set for every neuron (LifParamsSoA::uniform, as a
// homogeneous population's slice loads): the AVX-512 loop keeps it in
// registers. Typical and edge parameter sets (including a base at and
// beyond the plain-arithmetic bound), states of every size; the AVX2 loop
// uses the hint as well.
TEST_P(LifVector, EqualsPortableLoopWithUniformParameters) {
  std::mt19937 gen(14);
  uint32_t spikes = 0;
  const int32_t bases[] = {-49 << 15, (1 << 28) - 1, 1 << 28, -(1 << 28), INT32_MIN, INT32_MAX};
  for (bool known : {false, true})
    for (int k = 0; k < 12; ++k) {
      Neurons x = edge_neurons(gen, known);
      LifParamsSoA& p = *x.p;
      if (k < 6) p.base[0] = bases[k];
      for (uint32_t i = 1; i < kMaxNeuronsPerCore; ++i) {
        p.k_exc[i] = p.k_exc[0];
        p.k_inh[i] = p.k_inh[0];
        p.base[i] = p.base[0];
        p.decay_v[i] = p.decay_v[0];
        p.decay_exc[i] = p.decay_exc[0];
        p.decay_inh[i] = p.decay_inh[0];
        p.v_thresh[i] = p.v_thresh[0];
        p.v_reset[i] = p.v_reset[0];
        p.refract_ticks[i] = p.refract_ticks[0];
      }
      p.uniform = true;
      for (uint32_t n : {1u, 16u, 17u, 100u, kMaxNeuronsPerCore}) {
        spikes += compare(x, {n, 6, 6, known}, gen, 10);
        spikes += compare(x, {n, -2, 3, known}, gen, 10);
        if (HasFailure()) return;
      }
    }
  EXPECT_GT(spikes, 100u);
}

// Typical neurons (CUBA-like states and inputs, all far inside the plain
// bound) next to states just inside and outside it, so that both of the
// AVX-512 loop's arithmetic paths run within one call and within one block.
TEST_P(LifVector, EqualsPortableLoopAroundThePlainArithmeticBound) {
  std::mt19937 gen(15);
  for (bool known : {false, true}) {
    Neurons x = edge_neurons(gen, known);
    const int32_t near[] = {(1 << 28) - 1, 1 << 28, -(1 << 28) + 1, -(1 << 28), (1 << 28) - 2, (1 << 27)};
    for (uint32_t i = 0; i < kMaxNeuronsPerCore; ++i) {
      x.p->base[i] = -49 << 15;
      x.s->exc[i] = static_cast<int32_t>(gen() % (1u << 20));
      x.s->inh[i] = static_cast<int32_t>(gen() % (1u << 20));
      x.s->v[i] = -55 << 15;
      if (i % 37 == 5) x.s->exc[i] = near[i % 6];
      if (i % 41 == 7) x.s->inh[i] = near[(i + 1) % 6];
      if (i % 43 == 9) x.s->v[i] = near[(i + 2) % 6];
      if (i % 47 == 11) x.p->base[i] = near[(i + 3) % 6];
    }
    for (uint32_t n : {16u, 100u, kMaxNeuronsPerCore}) {
      compare(x, {n, 6, 6, known}, gen, 10);
      compare(x, {n, 12, 12, known}, gen, 10);  // large inputs: sums near 2^28 and above
      if (HasFailure()) return;
    }
  }
}

// Values of 2^26-2^30 in magnitude with factors near 1 and large inputs: in
// these lanes only saturation gives the portable loop's bits (alpha and
// alpha - V overflow), so a plain-arithmetic bound set too high fails here.
TEST_P(LifVector, EqualsPortableLoopWhereTheSumsOverflow) {
  std::mt19937 gen(16);
  std::uniform_int_distribution<int32_t> magnitude(1 << 26, 1 << 30);
  std::uniform_int_distribution<int> sign(0, 1);
  auto big = [&] { return sign(gen) ? magnitude(gen) : -magnitude(gen); };
  const uint32_t near_one[] = {0xFFFFFFFFu, 0xF0000000u, 0xC0000000u, 0x7FFFFFFFu};
  for (bool uniform : {false, true})
    for (bool known : {false, true}) {
      Neurons x = edge_neurons(gen, known);
      for (uint32_t i = 0; i < kMaxNeuronsPerCore; ++i) {
        const uint32_t j = uniform ? 0 : i;
        if (!uniform || i == 0) {
          x.p->base[i] = big();
          x.p->k_exc[i] = near_one[gen() % 4] & (known ? 0x7FFFFFFFu : ~0u);
          x.p->k_inh[i] = near_one[gen() % 4] & (known ? 0x7FFFFFFFu : ~0u);
          x.p->decay_v[i] = near_one[gen() % 4] | (known ? 0x80000000u : 0u);
        }
        x.p->base[i] = x.p->base[j];
        x.p->k_exc[i] = x.p->k_exc[j];
        x.p->k_inh[i] = x.p->k_inh[j];
        x.p->decay_v[i] = x.p->decay_v[j];
        x.p->decay_exc[i] = x.p->decay_exc[j];
        x.p->decay_inh[i] = x.p->decay_inh[j];
        x.p->v_thresh[i] = INT32_MAX;  // no resets: the states keep their size
        x.p->v_reset[i] = x.p->v_reset[j];
        x.p->refract_ticks[i] = x.p->refract_ticks[j];
        x.s->exc[i] = big();
        x.s->inh[i] = big();
        x.s->v[i] = big();
        x.s->refract[i] = 0;
      }
      x.p->uniform = uniform;
      for (uint32_t n : {16u, 100u, kMaxNeuronsPerCore}) {
        compare(x, {n, 14, 14, known}, gen, 6);
        if (HasFailure()) return;
      }
    }
}

// Decays and gains of every size with states of every size, both forms:
// each product's rounding (ties included, f = 2^31) and the a 2^32 term.
TEST_P(LifVector, EqualsPortableLoopOnEveryFactorAndState) {
  std::mt19937 gen(13);
  for (bool known : {false, true}) {
    Neurons x = edge_neurons(gen, known);
    uint32_t i = 0;
    for (int32_t a : kEdgeValues)
      for (uint32_t f : kEdgeFactors) {
        x.s->exc[i] = a;
        x.s->inh[i] = a ^ 1;
        x.s->v[i] = static_cast<int32_t>(0u - static_cast<uint32_t>(a));  // INT32_MIN stays itself
        x.s->refract[i] = 0;
        const uint32_t decay = known ? (f | 0x80000000u) : f, gain = known ? (f & 0x7FFFFFFFu) : f;
        x.p->decay_exc[i] = x.p->decay_inh[i] = x.p->decay_v[i] = decay;
        x.p->k_exc[i] = x.p->k_inh[i] = gain;
        ++i;
      }
    ASSERT_LE(i, kMaxNeuronsPerCore);
    compare(x, {i, 0, 0, known}, gen, 6);
    compare(x, {i, 31, -31, known}, gen, 6);
  }
}

}  // namespace
}  // namespace spindle::fw
#endif
