// Fixed-point arithmetic for the cores. Integer only, so that the native
// build, QEMU and a board compute the same bits.
//
// Formats (value = raw / 2^frac_bits):
//   Accum    s16.15 in int32   membrane state, currents, conductances
//   UFract32 u0.32  in uint32  decay factors and probabilities in [0, 1)
//   SFract31 s0.31  in int32   signed factors in [-1, 1)
//   SFract15 s0.15  in int16   compact signed factors (tables)
//
// Rounding: every narrowing step rounds to nearest, ties away from zero, so
// that negating an operand negates the result exactly. Additions and
// narrowing saturate at the format's limits instead of wrapping.
// Conversions from double live only on the host (host/quantize/).
#pragma once

#include <compare>
#include <cstdint>
#include <type_traits>

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif

namespace spindle::fw {

// Rounds v / 2^shift to nearest, ties away from zero. shift in [1, 62].
// Without negating: for v < 0, -floor((|v| + half) / 2^s) equals
// floor((v + half - 1) / 2^s) (as 2^s - half = half), an arithmetic shift;
// v + half - 1 cannot overflow for negative v. For v >= 0, v + half can pass
// 2^63 - 1, so it is summed and shifted unsigned (<= 2^63 + 2^61: no wrap).
// Same results as rounding the magnitude, in fewer instructions on Cortex-M4.
constexpr int64_t round_shift(int64_t v, int shift) {
  const uint64_t half = uint64_t{1} << (shift - 1);
  if (v >= 0) return static_cast<int64_t>((static_cast<uint64_t>(v) + half) >> shift);
  return (v + static_cast<int64_t>(half - 1)) >> shift;
}

constexpr int32_t saturate_i32(int64_t v) {
  if (v > INT32_MAX) return INT32_MAX;
  if (v < INT32_MIN) return INT32_MIN;
  return static_cast<int32_t>(v);
}

constexpr uint32_t saturating_add_u32(uint32_t a, uint32_t b) {
  const uint32_t s = a + b;
  return s < a ? UINT32_MAX : s;
}

struct Accum {
  static constexpr int kFracBits = 15;
  int32_t raw = 0;

  static constexpr Accum from_raw(int32_t r) { return Accum{r}; }
  static constexpr Accum from_int(int32_t i) { return Accum{saturate_i32(int64_t{i} << kFracBits)}; }
  static constexpr Accum max() { return Accum{INT32_MAX}; }
  static constexpr Accum min() { return Accum{INT32_MIN}; }
  static constexpr Accum zero() { return Accum{0}; }
  static constexpr Accum one() { return Accum{1 << kFracBits}; }

  friend constexpr bool operator==(Accum a, Accum b) { return a.raw == b.raw; }
  friend constexpr auto operator<=>(Accum a, Accum b) { return a.raw <=> b.raw; }
};

struct UFract32 {
  static constexpr int kFracBits = 32;
  uint32_t raw = 0;
  static constexpr UFract32 from_raw(uint32_t r) { return UFract32{r}; }
  friend constexpr bool operator==(UFract32 a, UFract32 b) { return a.raw == b.raw; }
};

struct SFract31 {
  static constexpr int kFracBits = 31;
  int32_t raw = 0;
  static constexpr SFract31 from_raw(int32_t r) { return SFract31{r}; }
  friend constexpr bool operator==(SFract31 a, SFract31 b) { return a.raw == b.raw; }
};

struct SFract15 {
  static constexpr int kFracBits = 15;
  int16_t raw = 0;
  static constexpr SFract15 from_raw(int16_t r) { return SFract15{r}; }
  friend constexpr bool operator==(SFract15 a, SFract15 b) { return a.raw == b.raw; }
};

// s16.47 in two 32-bit words, low word first: for slow accumulators whose
// per-tick steps are far below Accum's 2^-15 (the homeostatic threshold's
// drift, neuron/parts/threshold_adaptive.h). Two words rather than an
// int64_t, so that parameter and state blocks keep 4-byte alignment and the
// same layout on every build.
struct Accum47 {
  static constexpr int kFracBits = 47;
  uint32_t lo = 0;
  int32_t hi = 0;

  constexpr int64_t value() const {
    return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(hi)) << 32) | lo);
  }
  static constexpr Accum47 of(int64_t v) {
    return Accum47{static_cast<uint32_t>(static_cast<uint64_t>(v)), static_cast<int32_t>(v >> 32)};
  }
  friend constexpr bool operator==(Accum47 a, Accum47 b) { return a.lo == b.lo && a.hi == b.hi; }
};

// a + b, saturated at int64's limits (Accum47 sums).
constexpr int64_t add_sat64(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

// --- Accum arithmetic ------------------------------------------------------

// On Cortex-M4 one QADD / QSUB instruction each (DSP extension), which
// saturate exactly as the 64-bit sum does; the neuron update has seven.
constexpr Accum add_sat(Accum a, Accum b) {
#if defined(__ARM_FEATURE_DSP)
  if (!std::is_constant_evaluated()) return Accum{__qadd(a.raw, b.raw)};
#endif
  return Accum{saturate_i32(int64_t{a.raw} + b.raw)};
}
constexpr Accum sub_sat(Accum a, Accum b) {
#if defined(__ARM_FEATURE_DSP)
  if (!std::is_constant_evaluated()) return Accum{__qsub(a.raw, b.raw)};
#endif
  return Accum{saturate_i32(int64_t{a.raw} - b.raw)};
}
constexpr Accum neg_sat(Accum a) { return Accum{saturate_i32(-int64_t{a.raw})}; }

// s16.15 x s16.15 -> s16.15, rounded, saturated.
constexpr Accum mul(Accum a, Accum b) {
  return Accum{saturate_i32(round_shift(int64_t{a.raw} * b.raw, Accum::kFracBits))};
}

// s16.15 x u0.32 -> s16.15, rounded. |result| <= |a|, so it never saturates.
constexpr Accum mul(Accum a, UFract32 f) {
  return Accum{static_cast<int32_t>(round_shift(int64_t{a.raw} * int64_t{f.raw}, UFract32::kFracBits))};
}

// s16.15 x u0.32 -> s16.15, rounded half up: floor((a f + 2^31) / 2^32).
// The rounding of Cortex-M4's SMMULR / SMMLAR, so the IF_curr_exp batch
// (neuron/lif_curr_exp.h) takes one instruction per product instead of a
// 64-bit round_shift; it differs from mul() only on exact ties with a < 0
// (rounded up here, away from zero there). |result| <= |a|: no saturation.
constexpr Accum mul_rhu(Accum a, UFract32 f) {
  return Accum{static_cast<int32_t>((int64_t{a.raw} * int64_t{f.raw} + (int64_t{1} << 31)) >> 32)};
}

// mul_rhu as a signed 32 x 32 product: with s = f - 2^32 x (f >= 2^31) (the
// bits of f read as int32), a f = a s + a 2^32 x (f >= 2^31), and the
// a 2^32 term passes through the floor unchanged. SMMULR(a, s) is
// floor((a s + 2^31) / 2^32); SMMLAR(a, s, a) adds a inside. Equal to
// mul_rhu for every input (tests/firmware/fixed_point_test.cpp); the
// portable form is a widening signed multiply, which x86 vectorises.
constexpr int32_t smmulr(int32_t a, int32_t s) {
#if defined(__ARM_FEATURE_DSP)
  if (!std::is_constant_evaluated()) {
    int32_t r;
    asm("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(s));
    return r;
  }
#endif
  return static_cast<int32_t>((int64_t{a} * s + (int64_t{1} << 31)) >> 32);
}
constexpr int32_t smmlar(int32_t a, int32_t s, int32_t acc) {
#if defined(__ARM_FEATURE_DSP)
  if (!std::is_constant_evaluated()) {
    int32_t r;
    asm("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(s), "r"(acc));
    return r;
  }
#endif
  // acc + floor(...) can leave int32 only if the true SMMLAR result does;
  // callers pass acc = a with |a s / 2^32| < |a| or acc = 0.
  return static_cast<int32_t>((int64_t{a} * s + (int64_t{acc} << 32) + (int64_t{1} << 31)) >> 32);
}
// mul_rhu for any f, branch-free: the a 2^32 term only when f's top bit is set.
constexpr Accum mul_rhu_split(Accum a, UFract32 f) {
  const auto s = static_cast<int32_t>(f.raw);
  return Accum{smmlar(a.raw, s, a.raw & (s >> 31))};
}
// mul_rhu when f >= 2^31 is known (decays exp(-dt/tau) with tau >= 1.45 dt).
constexpr Accum mul_rhu_upper(Accum a, UFract32 f) {
  return Accum{smmlar(a.raw, static_cast<int32_t>(f.raw), a.raw)};
}
// mul_rhu when f < 2^31 is known.
constexpr Accum mul_rhu_lower(Accum a, UFract32 f) { return Accum{smmulr(a.raw, static_cast<int32_t>(f.raw))}; }

// s16.15 x s0.31 -> s16.15, rounded, saturated (only -1 x min overflows).
constexpr Accum mul(Accum a, SFract31 f) {
  return Accum{saturate_i32(round_shift(int64_t{a.raw} * f.raw, SFract31::kFracBits))};
}

// s16.15 x s0.15 -> s16.15, rounded, saturated.
constexpr Accum mul(Accum a, SFract15 f) {
  return Accum{saturate_i32(round_shift(int64_t{a.raw} * f.raw, SFract15::kFracBits))};
}

// u0.32 x u0.32 -> u0.32, rounded (saturates only at 1 - 2^-32).
constexpr UFract32 mul(UFract32 a, UFract32 b) {
  const uint64_t p = uint64_t{a.raw} * b.raw;
  const uint64_t r = (p >> 32) + ((p >> 31) & 1u);
  return UFract32{r > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(r)};
}

// Multiply by 2^shift (shift may be negative: rounded right shift), saturated.
// Used to turn ring-buffer sums of 16-bit weights into s16.15 inputs.
constexpr Accum scale_pow2(int64_t raw, int shift) {
  if (shift >= 0) {
    if (shift > 31) shift = 31;  // any non-zero value saturates anyway
    const int64_t limit = int64_t{INT32_MAX} >> shift;
    if (raw > limit) return Accum::max();
    if (raw < -limit - 1) return Accum::min();
    return Accum{static_cast<int32_t>(raw * (int64_t{1} << shift))};
  }
  return Accum{saturate_i32(round_shift(raw, -shift))};
}

}  // namespace spindle::fw
