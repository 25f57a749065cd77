// The IF_curr_exp update's arithmetic steps, shared by its two layouts
// (lif_curr_exp.cpp, lif_curr_exp_records.cpp) so that both compute the same
// bits with the same instructions.
#pragma once

#include <cstdint>

#include "fixed/fixed_point.h"

namespace spindle::fw::lif {

// Saturating s16.15 add / subtract. On Cortex-M4 one QADD / QSUB; on the
// host a branch-free 32-bit form (the overflow test on the sign bits) that
// vectorises, equal to saturate_i32 of the 64-bit sum.
inline int32_t qadd(int32_t a, int32_t b) {
#if defined(__ARM_FEATURE_DSP)
  return add_sat(Accum{a}, Accum{b}).raw;
#else
  const uint32_t sum = uint32_t(a) + uint32_t(b);
  const int32_t overflow = int32_t((uint32_t(a) ^ sum) & (uint32_t(b) ^ sum)) >> 31;
  const int32_t limit = (a >> 31) ^ INT32_MAX;
  return overflow ? limit : int32_t(sum);
#endif
}
inline int32_t qsub(int32_t a, int32_t b) {
#if defined(__ARM_FEATURE_DSP)
  return sub_sat(Accum{a}, Accum{b}).raw;
#else
  const uint32_t diff = uint32_t(a) - uint32_t(b);
  const int32_t overflow = int32_t((uint32_t(a) ^ uint32_t(b)) & (uint32_t(a) ^ diff)) >> 31;
  const int32_t limit = (a >> 31) ^ INT32_MAX;
  return overflow ? limit : int32_t(diff);
#endif
}

// Which form of mul_rhu each factor takes. kKnownRanges: the core checked at
// load time that every decay is >= 1/2 and every k < 1/2, so each product is
// one SMMLAR / SMMULR; otherwise the branch-free split form. Same results.
template <bool kKnownRanges>
struct Mul {
  static int32_t decay(int32_t a, uint32_t f) {
    if constexpr (kKnownRanges) return mul_rhu_upper(Accum{a}, UFract32{f}).raw;
    else return mul_rhu_split(Accum{a}, UFract32{f}).raw;
  }
  static int32_t gain(int32_t a, uint32_t f) {
    if constexpr (kKnownRanges) return mul_rhu_lower(Accum{a}, UFract32{f}).raw;
    else return mul_rhu_split(Accum{a}, UFract32{f}).raw;
  }
};

}  // namespace spindle::fw::lif
