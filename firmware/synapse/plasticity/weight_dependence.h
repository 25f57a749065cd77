// Weight dependence of pair STDP: how a potentiation or depression term (a
// decayed trace, u4.11, from spike_pair_rule.h) changes a synapse's weight.
//
// Units: weights, w_min, w_max, A+ and A- are all integers in the row's 16-bit
// weight units (the unit the ring buffer adds; the host turns nA / uS into it
// with the receptor's weight scale). A+ and A- are absolute weight changes,
// as in current sPyNNaker: a single pair at dt = 0 changes an additive
// weight by A+ (or A-).
//
// Each term is applied and clamped on its own, in time order (NEST's
// stdp_synapse does the same); sPyNNaker's additive rule sums one pre spike's
// terms and clamps once, which differs only when a clamp is hit in between.
#pragma once

#include <cstdint>

#include "synapse/plasticity/stdp_fixed.h"

namespace spindle::fw::stdp {

// w <- clamp(w + round(A+ x / 2048), w_min, w_max) for potentiation term x,
// w <- clamp(w - round(A- x / 2048), w_min, w_max) for depression.
// A <= 65535 and x <= 65535 keep A x + 1024 below 2^32.
struct AdditiveWeightDependence {
  uint32_t w_min = 0;
  uint32_t w_max = 0xFFFF;
  uint32_t a_plus = 0;
  uint32_t a_minus = 0;

  static constexpr AdditiveWeightDependence make(uint16_t w_min, uint16_t w_max, uint16_t a_plus, uint16_t a_minus) {
    return {w_min, w_max, a_plus, a_minus};
  }

  constexpr uint32_t potentiate(uint32_t w, uint32_t x) const {
    const uint32_t dw = (a_plus * x + kTraceHalf) >> kTraceFracBits;
    const uint32_t v = w + dw;  // <= 2 x 65535: no wrap
    return v > w_max ? w_max : v;
  }
  constexpr uint32_t depress(uint32_t w, uint32_t x) const {
    const uint32_t dw = (a_minus * x + kTraceHalf) >> kTraceFracBits;
    const int32_t v = static_cast<int32_t>(w) - static_cast<int32_t>(dw);
    return v < static_cast<int32_t>(w_min) ? w_min : static_cast<uint32_t>(v);
  }
};

// Potentiation proportional to (w_max - w), depression to (w - w_min), scaled
// so that at the far end of the range a term equals the additive one:
//   w <- w + A+ x (w_max - w) / (w_max - w_min),
//   w <- w - A- x (w - w_min) / (w_max - w_min).
// Fixed point (all steps round to nearest, ties up):
//   scale = round(A 2^16 / (w_max - w_min))   u16.16, once, by make();
//           A is limited to the range, so scale <= 2^16
//   rate  = (scale x + 2^10) >> 11            u.16, scale x < 2^32
//   dw    = ((w_max - w) rate + 2^15) >> 16   (w - w_min for depression), 32x32->64 (UMULL)
// then clamped to [w_min, w_max] (a rate above 1.0, x > 2048 A / range, could pass it).
struct MultiplicativeWeightDependence {
  uint32_t w_min = 0;
  uint32_t w_max = 0xFFFF;
  uint32_t plus_scale = 0;   // A+ / (w_max - w_min), u16.16
  uint32_t minus_scale = 0;  // A- / (w_max - w_min), u16.16

  static constexpr uint32_t scale_of(uint32_t a, uint32_t range) {
    if (range == 0) return 0;  // w_min == w_max: nothing can change
    if (a > range) a = range;
    return ((a << 16) + range / 2) / range;
  }
  static constexpr MultiplicativeWeightDependence make(uint16_t w_min, uint16_t w_max, uint16_t a_plus,
                                                       uint16_t a_minus) {
    const uint32_t range = w_max > w_min ? uint32_t{w_max} - w_min : 0u;
    return {w_min, w_max, scale_of(a_plus, range), scale_of(a_minus, range)};
  }

  constexpr uint32_t potentiate(uint32_t w, uint32_t x) const {
    if (w >= w_max) return w_max;
    const uint32_t rate = (plus_scale * x + kTraceHalf) >> kTraceFracBits;
    const uint32_t dw = static_cast<uint32_t>((uint64_t{w_max - w} * rate + (1u << 15)) >> 16);
    const uint32_t room = w_max - w;
    return dw > room ? w_max : w + dw;
  }
  constexpr uint32_t depress(uint32_t w, uint32_t x) const {
    if (w <= w_min) return w_min;
    const uint32_t rate = (minus_scale * x + kTraceHalf) >> kTraceFracBits;
    const uint32_t dw = static_cast<uint32_t>((uint64_t{w - w_min} * rate + (1u << 15)) >> 16);
    const uint32_t room = w - w_min;
    return dw > room ? w_min : w - dw;
  }
};

}  // namespace spindle::fw::stdp
