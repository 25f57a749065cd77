// Fixed point of dopamine-modulated STDP (Izhikevich 2007): exact decay over
// any number of ticks, and the exact integral of dw/dt = c d / 1 ms between
// two events, in integers only, so every backend gives the same bits.
//
//   c   eligibility trace, s20.11 weight units (int32), |c| <= c_max
//   d   dopamine level, s8.23 (|d| < 256): a receptor's s16.15 input << 8,
//       saturated, so that the decay's rounding (2^-24) stays far below
//       the amounts (a reward of 1/128 is 2^16 units)
//   w   weight state, u16.11 weight units
//   f   decay factor, u1.31 (2^31 = 1.0)
//   K   integral factor, u16.16 ms-equivalents
//
// Between events c(s) = c0 e^{-s/tau_c}, d(s) = d0 e^{-s/tau_d}, so
//   w(s) = w0 + c0 d0 tau (1 - e^{-s/tau}) / 1 ms,  tau = tau_c tau_d / (tau_c + tau_d)
// and e^{-s/tau} = e^{-s/tau_c} e^{-s/tau_d}: K = G (1 - f_c f_d) with
// G = tau / 1 ms (the image's integral_scale). Every step rounds to nearest
// (ties away from zero, symmetric in sign).
#pragma once

#include <cstdint>

#include "fixed/fixed_point.h"

namespace spindle::fw::stdp {

inline constexpr uint32_t kDopamineFracBits = 23;
inline constexpr int kDopamineInputShift = 23 - 15;  // from a receptor's s16.15 input
// |d| stays below this (s8.23 in an int32); the host refuses a dopamine
// weight at or above it, which would saturate d with one spike.
inline constexpr int32_t kDopamineLevelLimit = int32_t{1} << (31 - kDopamineFracBits);
inline constexpr uint32_t kDecayFracBits = 31;
inline constexpr uint32_t kDecayOne = 1u << kDecayFracBits;
inline constexpr uint32_t kDecayPowers = 32;

// a x b for two u1.31 factors (each <= 2^31), u1.31.
constexpr uint32_t mul_decay(uint32_t a, uint32_t b) {
  return static_cast<uint32_t>((uint64_t{a} * b + (uint64_t{1} << 30)) >> kDecayFracBits);
}

// e^{-dt / tau}: powers[b] = round(2^31 e^{-2^b / tau}) for b = 0..31, and
// the decay over dt is the product of the entries of dt's set bits (at most
// 32 rounded products: the error is below 2^-26). Stops once it is 0.
constexpr uint32_t decay_over(const uint32_t* powers, uint32_t dt) {
  uint32_t f = kDecayOne;
  for (uint32_t b = 0; dt != 0 && f != 0; ++b, dt >>= 1)
    if (dt & 1u) f = mul_decay(f, powers[b]);
  return f;
}

// x f rounded to nearest, ties away from zero (so -x decays to -(x f)).
constexpr int32_t decay_signed(int32_t x, uint32_t f) {
  const uint64_t m = x < 0 ? uint64_t{0} - static_cast<uint64_t>(static_cast<int64_t>(x)) : static_cast<uint64_t>(x);
  const auto r = static_cast<int64_t>((m * f + (uint64_t{1} << 30)) >> kDecayFracBits);
  return static_cast<int32_t>(x < 0 ? -r : r);
}

// K = G (1 - f_c f_d), u16.16, for the integral scale G (u16.16).
constexpr uint32_t integral_factor(uint32_t g, uint32_t f_c, uint32_t f_d) {
  const uint32_t one_minus = kDecayOne - mul_decay(f_c, f_d);
  return static_cast<uint32_t>((uint64_t{g} * one_minus + (uint64_t{1} << 30)) >> kDecayFracBits);
}

// c d K, s.11 weight units: p = round(c (s20.11) x d (s8.23) / 2^16) (7
// fraction bits kept past s.11), then round(p K (u16.16) / 2^23).
// |c d| < 2^58, so p < 2^42, taken as hi 2^32 + lo with hi < 2^10:
// (hi K) 2^9 + round(lo K / 2^23) stays below 2^52. The first rounding is
// worth K / 2^8 s.11 units at most (< 2^-11 weight units per ms of K).
inline constexpr uint32_t kProductGuardBits = 7;
constexpr int64_t weight_change(int32_t c, int32_t d, uint32_t k) {
  constexpr uint32_t kFirst = kDopamineFracBits - kProductGuardBits;  // 16
  constexpr uint32_t kSecond = 16 + kProductGuardBits;                // 23
  const int64_t cd = int64_t{c} * d;
  const uint64_t m = cd < 0 ? uint64_t{0} - static_cast<uint64_t>(cd) : static_cast<uint64_t>(cd);
  const uint64_t p = (m + (uint64_t{1} << (kFirst - 1))) >> kFirst;
  const uint64_t hi = p >> 32, lo = p & 0xFFFFFFFFu;
  const uint64_t r = ((hi * k) << (32 - kSecond)) + ((lo * k + (uint64_t{1} << (kSecond - 1))) >> kSecond);
  return cd < 0 ? -static_cast<int64_t>(r) : static_cast<int64_t>(r);
}

// a + b, saturated to the int32 range (dopamine levels).
constexpr int32_t add_sat32(int32_t a, int32_t b) { return saturate_i32(int64_t{a} + b); }

}  // namespace spindle::fw::stdp
