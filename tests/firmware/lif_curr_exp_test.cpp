// The IF_curr_exp batch (firmware/neuron/lif_curr_exp.h): its ring-input
// conversion equals scale_pow2, its vectorised loop and the record loop the
// Cortex-M4 runs (lif_curr_exp_records.h, here compiled for the host) equal
// the plain per-neuron definition bit for bit, and loading folds and rejects
// the parameters as documented, the same for both layouts.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "fixed/fixed_point.h"
#include "neuron/lif_curr_exp.h"
#include "neuron/lif_curr_exp_records.h"

namespace spindle::fw {
namespace {

TEST(RingInputScale, EqualsScalePow2ForEveryShift) {
  std::mt19937 gen(3);
  std::uniform_int_distribution<uint32_t> any(0, UINT32_MAX);
  for (int32_t shift = -31; shift <= 31; ++shift) {
    const RingInputScale s = RingInputScale::from_weight_shift(shift);
    std::vector<uint32_t> sums = {0u, 1u, 2u, 3u, 0x7FFFu, 0x8000u, 0xFFFFu, 0x10000u, 0x7FFFFFFFu, 0x80000000u,
                                  0x80000001u, 0xFFFFFFFEu, 0xFFFFFFFFu};
    for (uint32_t d = 0; d < 3; ++d) {
      sums.push_back(s.limit - d);
      sums.push_back(s.limit + d);
    }
    for (int i = 0; i < 2000; ++i) sums.push_back(any(gen));
    for (uint32_t sum : sums)
      ASSERT_EQ(s.apply(sum), scale_pow2(int64_t{sum}, shift).raw) << "sum " << sum << " shift " << shift;
  }
}

struct Neurons {
  std::unique_ptr<LifParamsSoA> p = std::make_unique<LifParamsSoA>();
  std::unique_ptr<LifStateSoA> s = std::make_unique<LifStateSoA>();
};

// Random neurons over the whole range, including decays below 1/2, gains
// above 1/2, states near saturation and refractory counts.
Neurons random_neurons(std::mt19937& gen, uint32_t n) {
  Neurons x;
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<uint32_t> fract(0, UINT32_MAX);
  std::uniform_int_distribution<int32_t> mv(-80 << 15, -40 << 15);
  std::uniform_int_distribution<int32_t> small(0, 3);
  for (uint32_t i = 0; i < n; ++i) {
    const bool wild = i % 5 == 0;
    x.p->k_exc[i] = fract(gen) >> (wild ? 0 : 3);
    x.p->k_inh[i] = fract(gen) >> (wild ? 0 : 3);
    x.p->base[i] = wild ? any(gen) : mv(gen);
    x.p->decay_v[i] = wild ? fract(gen) : 0xF0000000u | fract(gen) >> 4;
    x.p->decay_exc[i] = wild ? fract(gen) : 0xE0000000u | fract(gen) >> 3;
    x.p->decay_inh[i] = wild ? fract(gen) : 0xE0000000u | fract(gen) >> 3;
    x.p->v_thresh[i] = wild ? any(gen) : mv(gen);
    x.p->v_reset[i] = mv(gen);
    x.p->refract_ticks[i] = small(gen);
    x.s->exc[i] = wild ? any(gen) : any(gen) >> 8;
    x.s->inh[i] = wild ? any(gen) : any(gen) >> 8;
    x.s->v[i] = wild ? any(gen) : mv(gen);
    x.s->refract[i] = small(gen);
  }
  return x;
}

// The same neurons one record each.
std::unique_ptr<LifRecords> to_records(const Neurons& x, uint32_t n) {
  auto r = std::make_unique<LifRecords>();
  for (uint32_t i = 0; i < n; ++i) {
    const LifParamsSoA& p = *x.p;
    r->n[i] = LifRecord{x.s->exc[i], x.s->inh[i], x.s->v[i], x.s->refract[i],
                        LifFolded{p.k_exc[i], p.k_inh[i], p.base[i], p.decay_v[i], p.decay_exc[i], p.decay_inh[i],
                                  p.v_thresh[i], p.v_reset[i], p.refract_ticks[i]}};
  }
  return r;
}

void expect_same_state(const LifRecords& a, const LifStateSoA& b, uint32_t n, int tick) {
  for (uint32_t i = 0; i < n; ++i) {
    ASSERT_EQ(a.n[i].exc, b.exc[i]) << "record " << i << " tick " << tick;
    ASSERT_EQ(a.n[i].inh, b.inh[i]) << "record " << i << " tick " << tick;
    ASSERT_EQ(a.n[i].v, b.v[i]) << "record " << i << " tick " << tick;
    ASSERT_EQ(a.n[i].refract, b.refract[i]) << "record " << i << " tick " << tick;
  }
}

void expect_same_state(const LifStateSoA& a, const LifStateSoA& b, uint32_t n, int tick) {
  for (uint32_t i = 0; i < n; ++i) {
    ASSERT_EQ(a.exc[i], b.exc[i]) << "neuron " << i << " tick " << tick;
    ASSERT_EQ(a.inh[i], b.inh[i]) << "neuron " << i << " tick " << tick;
    ASSERT_EQ(a.v[i], b.v[i]) << "neuron " << i << " tick " << tick;
    ASSERT_EQ(a.refract[i], b.refract[i]) << "neuron " << i << " tick " << tick;
  }
}

// Adds the spikes it compared to `fired`.
void batch_equals_definition(const Neurons& x, uint32_t n, int32_t shift_exc, int32_t shift_inh, std::mt19937& gen,
                             uint32_t& total_fired) {
  Neurons ref;
  *ref.p = *x.p;
  *ref.s = *x.s;
  const RingInputScale se = RingInputScale::from_weight_shift(shift_exc);
  const RingInputScale si = RingInputScale::from_weight_shift(shift_inh);
  std::uniform_int_distribution<uint32_t> weight(0, 0x3FFFF);
  std::uniform_int_distribution<uint32_t> any(0, UINT32_MAX);
  const bool known = LifCurrExpBatch::known_ranges(*x.p, n);
  const std::unique_ptr<LifRecords> records = to_records(x, n);
  ASSERT_EQ(LifCurrExpRecords::known_ranges(*records, n), known);
  for (int tick = 0; tick < 40; ++tick) {
    std::vector<uint32_t> in_exc(n), in_inh(n);
    uint32_t want_saturated = 0;
    for (uint32_t i = 0; i < n; ++i) {
      in_exc[i] = i % 17 == 3 ? UINT32_MAX : i % 13 == 5 ? any(gen) : weight(gen);
      in_inh[i] = i % 19 == 4 ? UINT32_MAX : weight(gen);
      want_saturated += (in_exc[i] == UINT32_MAX) + (in_inh[i] == UINT32_MAX);
    }
    std::vector<uint32_t> rec_exc = in_exc, rec_inh = in_inh;
    std::vector<uint16_t> want_fired;
    for (uint32_t i = 0; i < n; ++i)
      if (LifCurrExpBatch::step_one(*ref.p, *ref.s, i, scale_pow2(in_exc[i], shift_exc),
                                    scale_pow2(in_inh[i], shift_inh)))
        want_fired.push_back(static_cast<uint16_t>(i));
    uint16_t fired[kMaxNeuronsPerCore] = {};
    uint32_t saturated = 0;
    const uint32_t n_fired = LifCurrExpBatch::update(*x.p, *x.s, n, in_exc.data(), in_inh.data(), se, si, known,
                                                     fired, saturated);
    ASSERT_EQ(std::vector<uint16_t>(fired, fired + n_fired), want_fired) << "tick " << tick;
    EXPECT_EQ(saturated, want_saturated);
    for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(in_exc[i] | in_inh[i], 0u) << "inputs cleared";
    expect_same_state(*x.s, *ref.s, n, tick);
    total_fired += n_fired;

    uint16_t rec_fired[kMaxNeuronsPerCore] = {};
    uint32_t rec_saturated = 0;
    const uint32_t n_rec_fired = LifCurrExpRecords::update(*records, n, rec_exc.data(), rec_inh.data(), se, si, known,
                                                           rec_fired, rec_saturated);
    ASSERT_EQ(std::vector<uint16_t>(rec_fired, rec_fired + n_rec_fired), want_fired) << "records, tick " << tick;
    EXPECT_EQ(rec_saturated, want_saturated);
    for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(rec_exc[i] | rec_inh[i], 0u) << "record inputs cleared";
    expect_same_state(*records, *ref.s, n, tick);
  }
}

TEST(LifCurrExpBatch, EqualsPerNeuronDefinition) {
  std::mt19937 gen(5);
  // Odd sizes exercise the vector loop's remainder; shifts of both signs.
  uint32_t fired = 0;
  for (uint32_t n : {1u, 7u, 64u, 201u, kMaxNeuronsPerCore}) {
    Neurons x = random_neurons(gen, n);
    batch_equals_definition(x, n, 5, -3, gen, fired);
    batch_equals_definition(x, n, -1, 31, gen, fired);
  }
  EXPECT_GT(fired, 100u);  // the comparison covered spikes and resets
}

TEST(LifCurrExpBatch, EqualsDefinitionWithKnownRanges) {
  std::mt19937 gen(9);
  const uint32_t n = 100;
  Neurons x = random_neurons(gen, n);
  for (uint32_t i = 0; i < n; ++i) {  // decays >= 1/2, gains < 1/2
    x.p->decay_v[i] |= 0x80000000u;
    x.p->decay_exc[i] |= 0x80000000u;
    x.p->decay_inh[i] |= 0x80000000u;
    x.p->k_exc[i] &= 0x7FFFFFFFu;
    x.p->k_inh[i] &= 0x7FFFFFFFu;
  }
  ASSERT_TRUE(LifCurrExpBatch::known_ranges(*x.p, n));
  uint32_t fired = 0;
  batch_equals_definition(x, n, 6, 6, gen, fired);
  EXPECT_GT(fired, 10u);
  x.p->decay_inh[n - 1] = 0x7FFFFFFFu;
  EXPECT_FALSE(LifCurrExpBatch::known_ranges(*x.p, n));
}

IfCurrExp::Params block(int32_t r_raw, uint32_t exc_init, uint32_t inh_init) {
  IfCurrExp::Params q{};
  q.synapse = {UFract32{0xF0000000u}, UFract32{exc_init}, UFract32{0xE0000000u}, UFract32{inh_init}};
  q.membrane = {Accum::from_int(-65), Accum::from_int(-70), Accum{r_raw}, UFract32{0xFF000000u},
                Accum::from_raw(1 << 13), 20};
  q.threshold = {Accum::from_int(-50)};
  return q;
}

TEST(LifCurrExpBatch, LoadFoldsGainsAndBase) {
  Neurons x;
  IfCurrExp::State st{};
  st.membrane.v = Accum::from_int(-60);
  st.synapse.exc = Accum{12345};
  // R = 20 MOhm, init_E = 0.75: k = 20 x 0.75 / 2^8 = 0.05859375 (exact in u0.32).
  const IfCurrExp::Params q = block(20 << 15, 0xC0000000u, 0x80000000u);
  ASSERT_EQ(LifCurrExpBatch::load(&q, &st, 1, *x.p, *x.s), 1u);
  EXPECT_EQ(x.p->k_exc[0], static_cast<uint32_t>(0.05859375 * 4294967296.0));
  EXPECT_EQ(x.p->k_inh[0], static_cast<uint32_t>(20 * 0.5 / 256 * 4294967296.0));
  // base = v_rest + R i_offset = -65 + 20 x 0.25 mV.
  EXPECT_EQ(x.p->base[0], Accum::from_int(-60).raw);
  EXPECT_EQ(x.p->refract_ticks[0], 20);
  EXPECT_EQ(x.s->v[0], Accum::from_int(-60).raw);
  EXPECT_EQ(x.s->exc[0], 12345);
}

// `uniform` says every folded parameter equals neuron 0's; the state may differ.
TEST(LifCurrExpBatch, LoadMarksUniformParameters) {
  Neurons x;
  std::vector<IfCurrExp::State> st(5);
  for (uint32_t i = 0; i < st.size(); ++i) st[i].membrane.v = Accum::from_int(-60 + int32_t(i));
  std::vector<IfCurrExp::Params> q(5, block(20 << 15, 0xC0000000u, 0x80000000u));
  ASSERT_EQ(LifCurrExpBatch::load(q.data(), st.data(), 5, *x.p, *x.s), 5u);
  EXPECT_TRUE(x.p->uniform);
  q[4].membrane.v_reset = Accum::from_int(-61);
  ASSERT_EQ(LifCurrExpBatch::load(q.data(), st.data(), 5, *x.p, *x.s), 5u);
  EXPECT_FALSE(x.p->uniform);
  ASSERT_EQ(LifCurrExpBatch::load(q.data(), st.data(), 4, *x.p, *x.s), 4u);  // the odd one left out
  EXPECT_TRUE(x.p->uniform);
  q[2].synapse.inh_decay = UFract32{0x80000001u};
  ASSERT_EQ(LifCurrExpBatch::load(q.data(), st.data(), 4, *x.p, *x.s), 4u);
  EXPECT_FALSE(x.p->uniform);
  ASSERT_EQ(LifCurrExpBatch::load(q.data(), st.data(), 0, *x.p, *x.s), 0u);
  EXPECT_FALSE(x.p->uniform);
}

TEST(LifCurrExpRecords, LoadEqualsArrays) {
  std::mt19937 gen(11);
  std::uniform_int_distribution<int32_t> r_raw(0, 200 << 15), mv(-80 << 15, -40 << 15);
  std::uniform_int_distribution<uint32_t> fract(0, UINT32_MAX);
  const uint32_t n = 37;
  std::vector<IfCurrExp::Params> q;
  std::vector<IfCurrExp::State> st(n);
  for (uint32_t i = 0; i < n; ++i) {
    q.push_back(block(r_raw(gen), fract(gen), fract(gen)));
    q.back().membrane.i_offset = Accum{mv(gen) >> 6};
    st[i].synapse = {Accum{mv(gen)}, Accum{mv(gen) >> 3}};
    st[i].membrane = {Accum{mv(gen)}, int32_t(i % 4)};
  }
  Neurons x;
  auto records = std::make_unique<LifRecords>();
  ASSERT_EQ(LifCurrExpBatch::load(q.data(), st.data(), n, *x.p, *x.s), n);
  ASSERT_EQ(LifCurrExpRecords::load(q.data(), st.data(), n, *records), n);
  const std::unique_ptr<LifRecords> want = to_records(x, n);
  for (uint32_t i = 0; i < n; ++i) {
    const LifRecord &a = records->n[i], &b = want->n[i];
    EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0) << "record " << i;
    EXPECT_EQ(LifCurrExpRecords::voltage(*records, i).raw, x.s->v[i]);
    EXPECT_EQ(LifCurrExpRecords::gsyn_exc(*records, i).raw, LifCurrExpBatch::gsyn_exc(*x.s, i).raw);
    EXPECT_EQ(LifCurrExpRecords::gsyn_inh(*records, i).raw, LifCurrExpBatch::gsyn_inh(*x.s, i).raw);
  }
  q[20] = block(257 << 15, 0x1u, 0xFFFFFFFFu);  // R init_I >= 256 MOhm
  EXPECT_EQ(LifCurrExpRecords::load(q.data(), st.data(), n, *records), 20u);
}

TEST(LifCurrExpBatch, LoadRejectsGainsOfOneOrMore) {
  Neurons x;
  std::vector<IfCurrExp::State> st(3);
  // k = R init / 2^8 must be below 1: R init = 255 (1 - 2^-32) MOhm fits,
  // 257 (1 - 2^-32) and a negative R do not.
  std::vector<IfCurrExp::Params> q = {block(255 << 15, 0xFFFFFFFFu, 0x10000000u),
                                      block(257 << 15, 0x1u, 0xFFFFFFFFu), block(-1, 0x1u, 0x1u)};
  EXPECT_EQ(LifCurrExpBatch::load(q.data(), st.data(), 3, *x.p, *x.s), 1u);
  EXPECT_EQ(LifCurrExpBatch::load(q.data() + 2, st.data(), 1, *x.p, *x.s), 0u);
  q[1] = block(256 << 15, 0xFFFFFF00u, 0x1u);  // 256 (1 - 2^-24) MOhm: k = 1 - 2^-24, fits
  EXPECT_EQ(LifCurrExpBatch::load(q.data(), st.data(), 2, *x.p, *x.s), 2u);
}

}  // namespace
}  // namespace spindle::fw
