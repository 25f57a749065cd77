// Fixed-point arithmetic (firmware/fixed/fixed_point.h) against exact
// references computed in 128-bit integers, and the host's double -> fixed
// conversion (host/quantize/quantize.h).
//
// The reference rounds the exact product p / 2^s with a formulation different
// from the firmware's: floor division, then the remainder decides (above half
// rounds up, exactly half rounds away from zero). A long double cross-check
// (64-bit mantissa holds every product exactly) guards the reference itself.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "fixed/fixed_point.h"
#include "quantize/quantize.h"

namespace spindle::fw {
namespace {

using i128 = __int128;

// Exact p / 2^s rounded to nearest, ties away from zero.
i128 ref_round(i128 p, int s) {
  const i128 one = i128{1} << s;
  const i128 q = p >> s;           // floor (arithmetic shift)
  const i128 rem = p - q * one;    // in [0, 2^s)
  if (2 * rem > one) return q + 1;
  if (2 * rem == one) return p > 0 ? q + 1 : q;  // a tie: away from zero
  return q;
}

int32_t ref_sat(i128 v) {
  if (v > INT32_MAX) return INT32_MAX;
  if (v < INT32_MIN) return INT32_MIN;
  return static_cast<int32_t>(v);
}

int32_t ref_mul_accum(int32_t a, int32_t b) { return ref_sat(ref_round(i128{a} * b, 15)); }
int32_t ref_mul_ufract(int32_t a, uint32_t f) { return ref_sat(ref_round(i128{a} * f, 32)); }
int32_t ref_mul_sfract31(int32_t a, int32_t f) { return ref_sat(ref_round(i128{a} * f, 31)); }
int32_t ref_mul_sfract15(int32_t a, int16_t f) { return ref_sat(ref_round(i128{a} * f, 15)); }
uint32_t ref_mul_uu(uint32_t a, uint32_t b) {
  const i128 r = ref_round(i128{a} * b, 32);
  return r > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(r);
}
int32_t ref_scale_pow2(int64_t raw, int shift) {
  if (shift >= 0) return ref_sat(i128{raw} * (i128{1} << shift));
  return ref_sat(ref_round(i128{raw}, -shift));
}

// Independent check of the reference: long double holds every 64-bit
// product exactly and roundl rounds half away from zero.
int32_t ldouble_mul_accum(int32_t a, int32_t b) {
  const long double exact = std::ldexp(static_cast<long double>(int64_t{a} * b), -15);
  const long double r = std::roundl(exact);
  if (r > INT32_MAX) return INT32_MAX;
  if (r < INT32_MIN) return INT32_MIN;
  return static_cast<int32_t>(r);
}

// Values every binary operation is tried on: limits, one ulp around them,
// around zero and around one, and halves (which make ties).
std::vector<int32_t> accum_edges() {
  std::vector<int32_t> v = {INT32_MIN, INT32_MIN + 1, INT32_MIN + 2, -1, 0, 1, 2, 3,
                            INT32_MAX, INT32_MAX - 1, INT32_MAX - 2,
                            1 << 15, (1 << 15) - 1, (1 << 15) + 1, -(1 << 15), -(1 << 15) - 1, -(1 << 15) + 1,
                            1 << 14, -(1 << 14), 3 << 14, -(3 << 14), (1 << 14) + 1, -(1 << 14) - 1,
                            1 << 16, -(1 << 16), 1 << 30, -(1 << 30), (1 << 30) - 1, 46341 << 8, -(46341 << 8),
                            181 << 15, -(181 << 15), 182 << 15, 0x12345678, -0x12345678};
  return v;
}

TEST(AccumRef, ReferenceAgreesWithLongDouble) {
  for (int32_t a : accum_edges())
    for (int32_t b : accum_edges()) ASSERT_EQ(ref_mul_accum(a, b), ldouble_mul_accum(a, b)) << a << " x " << b;
}

TEST(Accum, Constants) {
  EXPECT_EQ(Accum::max().raw, INT32_MAX);
  EXPECT_EQ(Accum::min().raw, INT32_MIN);
  EXPECT_EQ(Accum::zero().raw, 0);
  EXPECT_EQ(Accum::one().raw, 32768);
  EXPECT_EQ(Accum::from_int(1), Accum::one());
  EXPECT_EQ(Accum::from_int(-1).raw, -32768);
  EXPECT_EQ(Accum::from_int(65535).raw, 65535 * 32768);
  EXPECT_EQ(Accum::from_int(-65536), Accum::min());  // exactly representable
  EXPECT_EQ(Accum::from_int(65536), Accum::max());   // saturates
  EXPECT_EQ(Accum::from_int(-65537), Accum::min());
  EXPECT_EQ(Accum::from_int(INT32_MAX), Accum::max());
  EXPECT_EQ(Accum::from_int(INT32_MIN), Accum::min());
  EXPECT_LT(Accum::min(), Accum::from_raw(-1));
  EXPECT_LT(Accum::from_raw(-1), Accum::zero());
  EXPECT_LT(Accum::zero(), Accum::from_raw(1));
}

TEST(Accum, AddSubNegSaturateAtEveryEdge) {
  for (int32_t a : accum_edges()) {
    for (int32_t b : accum_edges()) {
      EXPECT_EQ(add_sat(Accum{a}, Accum{b}).raw, ref_sat(i128{a} + b)) << a << " + " << b;
      EXPECT_EQ(sub_sat(Accum{a}, Accum{b}).raw, ref_sat(i128{a} - b)) << a << " - " << b;
    }
    EXPECT_EQ(neg_sat(Accum{a}).raw, ref_sat(-i128{a})) << "-" << a;
  }
  EXPECT_EQ(add_sat(Accum::max(), Accum::from_raw(1)), Accum::max());
  EXPECT_EQ(add_sat(Accum::min(), Accum::from_raw(-1)), Accum::min());
  EXPECT_EQ(add_sat(Accum::max(), Accum::min()).raw, -1);
  EXPECT_EQ(sub_sat(Accum::min(), Accum::from_raw(1)), Accum::min());
  EXPECT_EQ(sub_sat(Accum::zero(), Accum::min()), Accum::max());
  EXPECT_EQ(sub_sat(Accum::from_raw(-1), Accum::min()), Accum::max());
  EXPECT_EQ(sub_sat(Accum::from_raw(-2), Accum::min()).raw, INT32_MAX - 1);
  EXPECT_EQ(neg_sat(Accum::min()), Accum::max());
  EXPECT_EQ(neg_sat(Accum::max()).raw, INT32_MIN + 1);
  EXPECT_EQ(neg_sat(Accum::zero()), Accum::zero());
}

TEST(Accum, MulEdges) {
  for (int32_t a : accum_edges())
    for (int32_t b : accum_edges()) {
      EXPECT_EQ(mul(Accum{a}, Accum{b}).raw, ref_mul_accum(a, b)) << a << " x " << b;
      EXPECT_EQ(mul(Accum{a}, Accum{b}), mul(Accum{b}, Accum{a}));
    }
  const Accum minus_one = Accum::from_int(-1);
  EXPECT_EQ(mul(Accum::min(), minus_one), Accum::max());  // +65536 does not fit
  EXPECT_EQ(mul(Accum::max(), minus_one).raw, INT32_MIN + 1);
  EXPECT_EQ(mul(Accum::min(), Accum::from_raw(-1)).raw, 1 << 16);  // -65536 x -2^-15 = 2
  EXPECT_EQ(mul(Accum::max(), Accum::max()), Accum::max());
  EXPECT_EQ(mul(Accum::min(), Accum::min()), Accum::max());
  EXPECT_EQ(mul(Accum::min(), Accum::max()), Accum::min());
  EXPECT_EQ(mul(Accum::max(), Accum::one()), Accum::max());
  EXPECT_EQ(mul(Accum::min(), Accum::one()), Accum::min());
  EXPECT_EQ(mul(Accum::from_raw(1), Accum::from_raw(1)), Accum::zero());  // 2^-30 rounds to 0
  EXPECT_EQ(mul(Accum::from_int(181), Accum::from_int(181)).raw, 32761 << 15);
  EXPECT_EQ(mul(Accum::from_int(182), Accum::from_int(182)).raw, 33124 << 15);  // fits in s16.15
  EXPECT_EQ(mul(Accum::from_int(256), Accum::from_int(256)), Accum::max());     // 65536 does not
}

TEST(Accum, MulRoundsTiesAwayFromZero) {
  const Accum half = Accum::from_raw(1 << 14);  // 0.5
  // 1 ulp x 0.5 = 0.5 ulp: a tie.
  EXPECT_EQ(mul(Accum::from_raw(1), half).raw, 1);
  EXPECT_EQ(mul(Accum::from_raw(-1), half).raw, -1);
  EXPECT_EQ(mul(Accum::from_raw(3), half).raw, 2);    // 1.5 -> 2
  EXPECT_EQ(mul(Accum::from_raw(-3), half).raw, -2);  // -1.5 -> -2
  EXPECT_EQ(mul(Accum::from_raw(5), half).raw, 3);    // 2.5 -> 3 (not to even)
  EXPECT_EQ(mul(Accum::from_raw(-5), half).raw, -3);
  // Just below and above a tie.
  EXPECT_EQ(mul(Accum::from_raw(1), Accum::from_raw((1 << 14) - 1)).raw, 0);
  EXPECT_EQ(mul(Accum::from_raw(-1), Accum::from_raw((1 << 14) - 1)).raw, 0);
  EXPECT_EQ(mul(Accum::from_raw(1), Accum::from_raw((1 << 14) + 1)).raw, 1);
  EXPECT_EQ(mul(Accum::from_raw(-1), Accum::from_raw((1 << 14) + 1)).raw, -1);
  // Negating an operand negates the result exactly (symmetric rounding).
  for (int32_t a : accum_edges()) {
    for (int32_t b : accum_edges()) {
      const int32_t want = ref_mul_accum(a, b);
      if (a == INT32_MIN || want == INT32_MIN || want == INT32_MAX) continue;  // saturation is not symmetric
      EXPECT_EQ(mul(Accum{-a}, Accum{b}).raw, -mul(Accum{a}, Accum{b}).raw) << a << " x " << b;
    }
  }
}

TEST(Accum, MulRandomSweepAgainstExactReference) {
  // 1e6 products, fixed seed: a third full range, a third small, a third
  // built so that the product ends in exactly half an ulp.
  std::mt19937_64 gen(0x5EED0F1Dull);
  std::uniform_int_distribution<int32_t> full(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> small(-(1 << 17), 1 << 17);
  std::uniform_int_distribution<int32_t> odd_half(-(1 << 16), (1 << 16) - 1);
  uint64_t ties = 0, saturated = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    int32_t a, b;
    switch (i % 3) {
      case 0: a = full(gen); b = full(gen); break;
      case 1: a = small(gen); b = full(gen) >> (i % 31); break;
      default: a = full(gen) >> (i % 17); b = (2 * odd_half(gen) + 1) * (1 << 14); break;
    }
    const i128 p = i128{a} * b;
    if ((p & 0x7FFF) == 0x4000) ++ties;
    const int32_t want = ref_mul_accum(a, b);
    if (want == INT32_MAX || want == INT32_MIN) ++saturated;
    const int32_t got = mul(Accum{a}, Accum{b}).raw;
    ASSERT_EQ(got, want) << "case " << i << ": " << a << " x " << b;
  }
  // The sweep really covered ties and saturation.
  EXPECT_GT(ties, 100'000u);
  EXPECT_GT(saturated, 100'000u);
}

std::vector<uint32_t> ufract_edges() {
  return {0u, 1u, 2u, 0x7FFFFFFFu, 0x80000000u, 0x80000001u, 0xC0000000u, 0x40000000u, 0xFFFFFFFEu, 0xFFFFFFFFu,
          0x12345678u, 0xDEADBEEFu};
}

TEST(Accum, MulByUFract32) {
  for (int32_t a : accum_edges())
    for (uint32_t f : ufract_edges())
      EXPECT_EQ(mul(Accum{a}, UFract32{f}).raw, ref_mul_ufract(a, f)) << a << " x " << f;
  for (int32_t a : accum_edges()) {
    EXPECT_EQ(mul(Accum{a}, UFract32{0}).raw, 0);
    // x (1 - 2^-32): |result| <= |a|, never saturates, rounds back to a.
    EXPECT_EQ(mul(Accum{a}, UFract32{0xFFFFFFFFu}).raw, a) << a;
  }
  EXPECT_EQ(mul(Accum::min(), UFract32{0xFFFFFFFFu}), Accum::min());
  EXPECT_EQ(mul(Accum::max(), UFract32{0xFFFFFFFFu}), Accum::max());
  // Ties: 1 ulp x 0.5, -1 ulp x 0.5.
  EXPECT_EQ(mul(Accum::from_raw(1), UFract32{0x80000000u}).raw, 1);
  EXPECT_EQ(mul(Accum::from_raw(-1), UFract32{0x80000000u}).raw, -1);
  EXPECT_EQ(mul(Accum::from_raw(3), UFract32{0x80000000u}).raw, 2);
  EXPECT_EQ(mul(Accum::from_raw(-3), UFract32{0x80000000u}).raw, -2);
  EXPECT_EQ(mul(Accum::from_raw(1), UFract32{0x7FFFFFFFu}).raw, 0);
  EXPECT_EQ(mul(Accum::from_raw(-1), UFract32{0x7FFFFFFFu}).raw, 0);

  std::mt19937_64 gen(7);
  std::uniform_int_distribution<int32_t> a_dist(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<uint32_t> f_dist(0, UINT32_MAX);
  for (int i = 0; i < 200'000; ++i) {
    const int32_t a = a_dist(gen);
    const uint32_t f = i % 4 == 0 ? UINT32_MAX - (f_dist(gen) & 0xFF) : f_dist(gen);
    ASSERT_EQ(mul(Accum{a}, UFract32{f}).raw, ref_mul_ufract(a, f)) << a << " x " << f;
  }
}

// floor((a f + 2^31) / 2^32) in 128 bits: the definition of mul_rhu.
int32_t ref_mul_rhu(int32_t a, uint32_t f) { return static_cast<int32_t>((i128{a} * f + (i128{1} << 31)) >> 32); }

// mul_rhu (round half up, SMMULR's rounding) against its definition, and
// the three forms the IF_curr_exp batch computes it with (the signed split
// that SMMULR / SMMLAR execute on Cortex-M4) against mul_rhu, on edges and
// a random sweep. Each form only where its precondition on f holds.
TEST(Accum, MulRoundHalfUpAndItsInstructionForms) {
  auto check = [](int32_t a, uint32_t f) {
    const int32_t want = ref_mul_rhu(a, f);
    ASSERT_EQ(mul_rhu(Accum{a}, UFract32{f}).raw, want) << a << " x " << f;
    ASSERT_EQ(mul_rhu_split(Accum{a}, UFract32{f}).raw, want) << a << " x " << f;
    if (f >= 0x80000000u) {
      ASSERT_EQ(mul_rhu_upper(Accum{a}, UFract32{f}).raw, want) << a << " x " << f;
    } else {
      ASSERT_EQ(mul_rhu_lower(Accum{a}, UFract32{f}).raw, want) << a << " x " << f;
    }
  };
  for (int32_t a : accum_edges())
    for (uint32_t f : ufract_edges()) check(a, f);
  // Ties round up, so unlike mul() a negative tie moves towards zero.
  EXPECT_EQ(mul_rhu(Accum::from_raw(1), UFract32{0x80000000u}).raw, 1);
  EXPECT_EQ(mul_rhu(Accum::from_raw(-1), UFract32{0x80000000u}).raw, 0);
  EXPECT_EQ(mul_rhu(Accum::from_raw(-3), UFract32{0x80000000u}).raw, -1);
  EXPECT_EQ(mul_rhu(Accum::from_raw(3), UFract32{0x80000000u}).raw, 2);
  // Never grows: the extremes times (1 - 2^-32).
  EXPECT_EQ(mul_rhu(Accum::min(), UFract32{0xFFFFFFFFu}).raw, INT32_MIN + 1);
  EXPECT_EQ(mul_rhu(Accum::max(), UFract32{0xFFFFFFFFu}).raw, INT32_MAX);
  // Off a tie it agrees with mul() (round to nearest either way).
  std::mt19937_64 gen(11);
  std::uniform_int_distribution<int32_t> a_dist(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<uint32_t> f_dist(0, UINT32_MAX);
  uint32_t ties = 0;
  for (int i = 0; i < 200'000; ++i) {
    const int32_t a = i % 8 == 0 ? -(a_dist(gen) & 0xFFFF) : a_dist(gen);
    const uint32_t f = i % 8 == 0 ? 0x80000000u : f_dist(gen);
    check(a, f);
    const bool tie = ((i128{a} * f) & 0xFFFFFFFF) == 0x80000000;
    ties += tie;
    if (!tie) {
      ASSERT_EQ(mul_rhu(Accum{a}, UFract32{f}).raw, mul(Accum{a}, UFract32{f}).raw) << a << " x " << f;
    }
  }
  EXPECT_GT(ties, 1000u);  // the sweep reached ties
}

TEST(Accum, MulBySFract31) {
  std::vector<int32_t> fs = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX, INT32_MAX - 1, 1 << 30, -(1 << 30)};
  for (int32_t a : accum_edges())
    for (int32_t f : fs) EXPECT_EQ(mul(Accum{a}, SFract31{f}).raw, ref_mul_sfract31(a, f)) << a << " x " << f;
  // -1 x min is the only product that overflows.
  EXPECT_EQ(mul(Accum::min(), SFract31{INT32_MIN}), Accum::max());
  EXPECT_EQ(mul(Accum::max(), SFract31{INT32_MIN}).raw, INT32_MIN + 1);
  EXPECT_EQ(mul(Accum::from_raw(1), SFract31{1 << 30}).raw, 1);    // 0.5 ulp -> 1
  EXPECT_EQ(mul(Accum::from_raw(-1), SFract31{1 << 30}).raw, -1);  // -0.5 ulp -> -1
  EXPECT_EQ(mul(Accum::from_raw(1), SFract31{-(1 << 30)}).raw, -1);

  std::mt19937_64 gen(31);
  std::uniform_int_distribution<int32_t> d(INT32_MIN, INT32_MAX);
  for (int i = 0; i < 200'000; ++i) {
    const int32_t a = d(gen), f = d(gen);
    ASSERT_EQ(mul(Accum{a}, SFract31{f}).raw, ref_mul_sfract31(a, f)) << a << " x " << f;
  }
}

TEST(Accum, MulBySFract15Exhaustive) {
  // Every s0.15 factor against every edge value.
  for (int32_t a : accum_edges())
    for (int32_t f = INT16_MIN; f <= INT16_MAX; ++f) {
      const auto f16 = static_cast<int16_t>(f);
      ASSERT_EQ(mul(Accum{a}, SFract15{f16}).raw, ref_mul_sfract15(a, f16)) << a << " x " << f;
    }
  EXPECT_EQ(mul(Accum::min(), SFract15{INT16_MIN}), Accum::max());
  EXPECT_EQ(mul(Accum::from_raw(1), SFract15{1 << 14}).raw, 1);
  EXPECT_EQ(mul(Accum::from_raw(-1), SFract15{1 << 14}).raw, -1);
  EXPECT_EQ(mul(Accum::from_raw(1), SFract15{-(1 << 14)}).raw, -1);
}

TEST(UFract32, MulRoundsAndStaysInRange) {
  for (uint32_t a : ufract_edges())
    for (uint32_t b : ufract_edges())
      EXPECT_EQ(mul(UFract32{a}, UFract32{b}).raw, ref_mul_uu(a, b)) << a << " x " << b;
  EXPECT_EQ(mul(UFract32{0xFFFFFFFFu}, UFract32{0xFFFFFFFFu}).raw, 0xFFFFFFFEu);
  EXPECT_EQ(mul(UFract32{1}, UFract32{0x80000000u}).raw, 1u);  // 0.5 ulp rounds up
  EXPECT_EQ(mul(UFract32{1}, UFract32{0x7FFFFFFFu}).raw, 0u);
  std::mt19937_64 gen(32);
  std::uniform_int_distribution<uint32_t> d(0, UINT32_MAX);
  for (int i = 0; i < 200'000; ++i) {
    const uint32_t a = d(gen), b = d(gen);
    ASSERT_EQ(mul(UFract32{a}, UFract32{b}).raw, ref_mul_uu(a, b)) << a << " x " << b;
  }
}

TEST(ScalePow2, PositiveShiftsSaturate) {
  const std::vector<int64_t> raws = {0, 1, -1, 2, -2, 65535, -65536, INT32_MAX, INT32_MIN,
                                     int64_t{INT32_MAX} + 1, int64_t{INT32_MIN} - 1, UINT32_MAX,
                                     int64_t{1} << 40, -(int64_t{1} << 40), INT64_MAX, INT64_MIN};
  for (int shift = 0; shift <= 40; ++shift)
    for (int64_t raw : raws)
      EXPECT_EQ(scale_pow2(raw, shift).raw, ref_scale_pow2(raw, shift)) << raw << " << " << shift;
  // Boundaries: exactly representable vs one more.
  for (int shift = 0; shift <= 31; ++shift) {
    const int64_t hi = int64_t{INT32_MAX} >> shift, lo = -(int64_t{1} << (31 - shift));
    EXPECT_EQ(scale_pow2(hi, shift).raw, hi << shift);
    EXPECT_EQ(scale_pow2(hi + 1, shift), Accum::max());
    EXPECT_EQ(scale_pow2(lo, shift).raw, static_cast<int32_t>(lo * (int64_t{1} << shift)));
    EXPECT_EQ(scale_pow2(lo - 1, shift), Accum::min());
  }
  EXPECT_EQ(scale_pow2(1, 31), Accum::max());
  EXPECT_EQ(scale_pow2(-1, 31), Accum::min());
  EXPECT_EQ(scale_pow2(-1, 50), Accum::min());
  EXPECT_EQ(scale_pow2(0, 50), Accum::zero());
}

TEST(ScalePow2, NegativeShiftsRound) {
  const std::vector<int64_t> raws = {0, 1, -1, 2, -2, 3, -3, 65535, -65536, INT32_MAX, INT32_MIN,
                                     UINT32_MAX, int64_t{1} << 40, -(int64_t{1} << 40), (int64_t{1} << 62) - 1,
                                     INT64_MAX, INT64_MIN, INT64_MIN + 1};
  for (int shift = -62; shift <= -1; ++shift)
    for (int64_t raw : raws)
      EXPECT_EQ(scale_pow2(raw, shift).raw, ref_scale_pow2(raw, shift)) << raw << " >> " << -shift;
  EXPECT_EQ(scale_pow2(1, -1).raw, 1);    // 0.5 -> 1
  EXPECT_EQ(scale_pow2(-1, -1).raw, -1);  // -0.5 -> -1
  EXPECT_EQ(scale_pow2(3, -1).raw, 2);
  EXPECT_EQ(scale_pow2(-3, -1).raw, -2);
  EXPECT_EQ(scale_pow2(UINT32_MAX, -1).raw, INT32_MAX);         // 2147483647.5 -> 2^31: saturates
  EXPECT_EQ(scale_pow2(UINT32_MAX - 1, -1).raw, INT32_MAX);     // exactly 2^31 - 1
  EXPECT_EQ(scale_pow2(UINT32_MAX, -2).raw, 1 << 30);           // 1073741823.75 -> 2^30
  EXPECT_EQ(scale_pow2(int64_t{1} << 40, -8), Accum::max());
  std::mt19937_64 gen(2);
  std::uniform_int_distribution<uint32_t> d(0, UINT32_MAX);  // ring-buffer sums
  for (int i = 0; i < 100'000; ++i) {
    const int64_t raw = d(gen);
    const int shift = static_cast<int>(i % 63) - 31;  // the range Core::load accepts
    ASSERT_EQ(scale_pow2(raw, shift).raw, ref_scale_pow2(raw, shift)) << raw << " shift " << shift;
  }
}

// --- host quantization ------------------------------------------------------

using host::QuantizationReport;

// |quantized - value| computed exactly in long double.
long double exact_error(double quantized, double value) {
  return std::fabs(static_cast<long double>(quantized) - static_cast<long double>(value));
}

TEST(Quantize, RoundTripOfRepresentableValues) {
  std::mt19937_64 gen(11);
  std::vector<int32_t> raws = accum_edges();
  std::uniform_int_distribution<int32_t> d(INT32_MIN, INT32_MAX);
  for (int i = 0; i < 100'000; ++i) raws.push_back(d(gen));
  for (int32_t raw : raws) {
    QuantizationReport r;
    EXPECT_EQ(host::to_accum(host::to_double(Accum{raw}), "x", &r).raw, raw);
    ASSERT_EQ(r.entries.size(), 1u);
    EXPECT_FALSE(r.entries[0].clamped);
    EXPECT_EQ(r.entries[0].abs_error(), 0.0);
    EXPECT_EQ(host::to_sfract31(host::to_double(SFract31{raw})).raw, raw);
    const uint32_t u = static_cast<uint32_t>(raw);
    EXPECT_EQ(host::to_ufract32(host::to_double(UFract32{u})).raw, u);
  }
  for (int32_t f = INT16_MIN; f <= INT16_MAX; ++f) {
    const auto f16 = static_cast<int16_t>(f);
    ASSERT_EQ(host::to_sfract15(host::to_double(SFract15{f16})).raw, f16);
  }
}

TEST(Quantize, RoundsToNearestTiesAwayFromZero) {
  const double ulp = std::ldexp(1.0, -15);
  EXPECT_EQ(host::to_accum(0.5 * ulp).raw, 1);
  EXPECT_EQ(host::to_accum(-0.5 * ulp).raw, -1);
  EXPECT_EQ(host::to_accum(1.5 * ulp).raw, 2);
  EXPECT_EQ(host::to_accum(-1.5 * ulp).raw, -2);
  EXPECT_EQ(host::to_accum(2.5 * ulp).raw, 3);
  EXPECT_EQ(host::to_accum(-2.5 * ulp).raw, -3);
  EXPECT_EQ(host::to_accum(0.49 * ulp).raw, 0);
  EXPECT_EQ(host::to_accum(-0.49 * ulp).raw, 0);
  EXPECT_EQ(host::to_ufract32(std::ldexp(0.5, -32)).raw, 1u);
  EXPECT_EQ(host::to_ufract32(std::ldexp(2.5, -32)).raw, 3u);
  EXPECT_EQ(host::to_sfract31(std::ldexp(-0.5, -31)).raw, -1);
  EXPECT_EQ(host::to_sfract15(std::ldexp(-2.5, -15)).raw, -3);
}

TEST(Quantize, ClampsAndReportsIt) {
  struct Case {
    double v;
    int32_t raw;
    bool clamped;
  };
  const double ulp = std::ldexp(1.0, -15);
  const double max = std::ldexp(static_cast<double>(INT32_MAX), -15);
  const Case cases[] = {
      {65536.0, INT32_MAX, true},
      {-65536.0, INT32_MIN, false},  // exactly the minimum
      {-65536.0 - 0.6 * ulp, INT32_MIN, true},
      {-65536.0 - 0.4 * ulp, INT32_MIN, false},  // rounds to the minimum
      {max, INT32_MAX, false},
      {max + 0.4 * ulp, INT32_MAX, false},
      {max + 0.6 * ulp, INT32_MAX, true},
      {1e30, INT32_MAX, true},
      {-1e30, INT32_MIN, true},
      {std::numeric_limits<double>::infinity(), INT32_MAX, true},
      {-std::numeric_limits<double>::infinity(), INT32_MIN, true},
      {std::numeric_limits<double>::quiet_NaN(), 0, true},
  };
  for (const Case& c : cases) {
    QuantizationReport r;
    EXPECT_EQ(host::to_accum(c.v, "v", &r).raw, c.raw) << c.v;
    ASSERT_EQ(r.entries.size(), 1u);
    EXPECT_EQ(r.entries[0].clamped, c.clamped) << c.v;
    EXPECT_EQ(r.any_clamped(), c.clamped);
    EXPECT_EQ(r.entries[0].quantized, host::to_double(Accum{c.raw}));
    EXPECT_EQ(r.entries[0].what, "v");
  }
  QuantizationReport r;
  EXPECT_EQ(host::to_ufract32(1.0, "decay", &r).raw, UINT32_MAX);  // 1.0 is not in u0.32
  EXPECT_EQ(host::to_ufract32(-0.1, "decay", &r).raw, 0u);
  EXPECT_EQ(host::to_ufract32(1.0 - std::ldexp(0.9, -32), "decay", &r).raw, UINT32_MAX);
  EXPECT_EQ(host::to_sfract31(1.0, "f", &r).raw, INT32_MAX);
  EXPECT_EQ(host::to_sfract31(-1.0, "f", &r).raw, INT32_MIN);
  EXPECT_EQ(host::to_sfract15(1.0, "f", &r).raw, INT16_MAX);
  EXPECT_EQ(host::to_sfract15(-1.0, "f", &r).raw, INT16_MIN);
  EXPECT_EQ(host::to_sfract15(-2.0, "f", &r).raw, INT16_MIN);
  ASSERT_EQ(r.entries.size(), 8u);
  const bool expect_clamped[] = {true, true, false, true, false, true, false, true};
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(r.entries[i].clamped, expect_clamped[i]) << "entry " << i;
}

TEST(Quantize, ErrorAtMostHalfAnUlpInRange) {
  std::mt19937_64 gen(12);
  std::uniform_real_distribution<double> accum_range(-65536.0, 65535.99);
  std::uniform_real_distribution<double> unit(0.0, 1.0 - std::ldexp(1.0, -32));
  std::uniform_real_distribution<double> signed_unit(-1.0, 1.0 - std::ldexp(1.0, -15));
  QuantizationReport r;
  for (int i = 0; i < 100'000; ++i) {
    const double a = i % 2 ? accum_range(gen) : accum_range(gen) * 1e-4;
    const double u = unit(gen), s = signed_unit(gen);
    const Accum qa = host::to_accum(a, "a", &r);
    ASSERT_LE(exact_error(host::to_double(qa), a), std::ldexp(1.0L, -16)) << a;
    const UFract32 qu = host::to_ufract32(u, "u", &r);
    ASSERT_LE(exact_error(host::to_double(qu), u), std::ldexp(1.0L, -33)) << u;
    const SFract31 q31 = host::to_sfract31(s, "s31", &r);
    ASSERT_LE(exact_error(host::to_double(q31), s), std::ldexp(1.0L, -32)) << s;
    const SFract15 q15 = host::to_sfract15(s, "s15", &r);
    ASSERT_LE(exact_error(host::to_double(q15), s), std::ldexp(1.0L, -16)) << s;
  }
  EXPECT_FALSE(r.any_clamped());
  EXPECT_EQ(r.entries.size(), 400'000u);
  EXPECT_LE(r.max_abs_error(), std::ldexp(1.0, -16));
}

}  // namespace
}  // namespace spindle::fw
