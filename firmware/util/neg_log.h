// -ln(u) of a u0.32 uniform, in integer arithmetic: the exponential variate
// the Poisson sources draw their inter-event intervals from (source/poisson.h).
//
// u = (x | 1) / 2^32: the midpoint of each pair of 32-bit draws, so u is never
// 0 and -ln(u) <= 32 ln 2 = 22.18. With u = 2^-k x m, m in [1, 2):
//   -ln(u) = k ln 2 - ln(m),
// ln(m) from a 257-entry table of ln(1 + i/256) in u0.32 with linear
// interpolation (error below (1/256)^2 / 8 = 1.9e-6, always on the same
// side: the chord lies under ln, so -ln(u) is at most 1.9e-6 too large).
// The table is computed at compile time with integers only (the atanh series
// in 55-bit fixed point), so it is the same bits on every platform and no
// floating point reaches the firmware.
#pragma once

#include <array>
#include <cstdint>

namespace spindle::fw {

namespace neg_log_detail {

// (a x b) >> frac for 64-bit a, b without a 128-bit type (32-bit targets have none).
constexpr uint64_t mul_shift(uint64_t a, uint64_t b, int frac) {
  const uint64_t al = a & 0xFFFFFFFFu, ah = a >> 32, bl = b & 0xFFFFFFFFu, bh = b >> 32;
  const uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
  const uint64_t lo = (ll & 0xFFFFFFFFu) | (mid << 32);
  const uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  return (hi << (64 - frac)) | (lo >> frac);
}

inline constexpr int kSeriesBits = 55;  // fixed point of the series: ln(2) < 1 fits with headroom

// ln(1 + i/256) in 55-bit fixed point: 2 atanh(z), z = i / (512 + i) <= 1/3.
constexpr uint64_t ln_entry_q55(uint32_t i) {
  const uint64_t z = (uint64_t{i} << kSeriesBits) / (512u + i);
  const uint64_t z2 = mul_shift(z, z, kSeriesBits);
  uint64_t term = z, sum = 0;
  for (uint64_t k = 1; term != 0; k += 2) {
    sum += term / k;
    term = mul_shift(term, z2, kSeriesBits);
  }
  return 2 * sum;
}

constexpr uint32_t round_shift(uint64_t v, int bits) {
  return static_cast<uint32_t>((v + (uint64_t{1} << (bits - 1))) >> bits);
}

}  // namespace neg_log_detail

inline constexpr uint32_t kLnTableBits = 8;  // 256 intervals
inline constexpr uint32_t kLnTableSize = (1u << kLnTableBits) + 1;
inline constexpr int kNegLogFracBits = 27;   // the result is u5.27

// ln(1 + i / 256), u0.32, i = 0..256.
inline constexpr std::array<uint32_t, kLnTableSize> kLnTable = [] {
  std::array<uint32_t, kLnTableSize> t{};
  for (uint32_t i = 0; i < kLnTableSize; ++i)
    t[i] = neg_log_detail::round_shift(neg_log_detail::ln_entry_q55(i), neg_log_detail::kSeriesBits - 32);
  return t;
}();


// Index of the highest set bit of v != 0.
constexpr uint32_t top_bit(uint32_t v) {
#if defined(__GNUC__)
  return 31u - static_cast<uint32_t>(__builtin_clz(v));
#else
  uint32_t n = 0;
  while (v >>= 1) ++n;
  return n;
#endif
}

// -ln((x | 1) / 2^32) in u5.27.
constexpr uint32_t neg_log_uniform(uint32_t x) {
  const uint32_t y = x | 1u;
  const uint32_t n = top_bit(y);                   // y = 2^n x m, m in [1, 2)
  const uint32_t f = (y << (31 - n)) << 1;         // m - 1 in u0.32 (the leading one shifted out)
  const uint32_t i = f >> (32 - kLnTableBits);
  const uint32_t frac = f & ((1u << (32 - kLnTableBits)) - 1);
  const uint32_t lo = kLnTable[i], step = kLnTable[i + 1] - lo;
  const uint32_t ln_m = lo + static_cast<uint32_t>((uint64_t{step} * frac) >> (32 - kLnTableBits));  // u0.32
  // (32 - n) ln 2 - ln(m) in u5.32 (ln 2 = the table's last entry; ln(m) is
  // below it), rounded once to u5.27.
  const uint64_t e = uint64_t{32 - n} * kLnTable[kLnTableSize - 1] - ln_m;
  return neg_log_detail::round_shift(e, 32 - kNegLogFracBits);
}

}  // namespace spindle::fw
