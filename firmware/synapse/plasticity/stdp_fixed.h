// STDP fixed point: traces and window values are u4.11 in 16 bits ("STDP
// traces in 16-bit values with 11 fractional bits", as sPyNNaker), so 1.0 is
// 2048 and the largest trace is 65535 / 2048 ~ 32. Every narrowing step
// rounds to nearest (ties up: all operands are non-negative), every sum
// saturates at 65535, so the deferred kernel and its reference agree bit for
// bit on any machine.
#pragma once

#include <cstdint>

namespace spindle::fw::stdp {

inline constexpr uint32_t kTraceFracBits = 11;
inline constexpr uint32_t kTraceOne = 1u << kTraceFracBits;  // 1.0 in u4.11
inline constexpr uint32_t kTraceMax = 0xFFFF;                // saturation of trace sums
inline constexpr uint32_t kTraceHalf = kTraceOne >> 1;       // rounding constant of >> 11

// Exponential window table: entry i is round(2048 exp(-(i << time_shift) / tau)),
// tau in ticks. Resolution 2^time_shift ticks (dt is truncated to it), cut-off
// kStdpLutSize << time_shift ticks: beyond it the window is 0. The host picks
// the shift (stdp_lut_builder.h) so that the cut-off is past tau ln(4096), where
// the rounded value is 0 anyway: the cut-off then loses nothing.
inline constexpr uint32_t kStdpLutSize = 256;

struct ExpLut {
  uint16_t values[kStdpLutSize] = {};
  uint32_t time_shift = 0;

  // The window at dt ticks, u4.11; 0 beyond the table.
  constexpr uint32_t at(uint32_t dt) const {
    const uint32_t i = dt >> time_shift;
    return i < kStdpLutSize ? values[i] : 0u;
  }
};

// trace x window, rounded: (trace w + 2^10) >> 11. trace <= 65535 and
// w <= 2048 keep the product below 2^28, so 32 bits suffice, and the result
// is <= trace (no saturation). window = 2048 (dt = 0) returns trace exactly.
constexpr uint32_t decay_trace(uint32_t trace, uint32_t window) {
  return (trace * window + kTraceHalf) >> kTraceFracBits;
}

constexpr uint32_t saturate_trace(uint32_t v) { return v > kTraceMax ? kTraceMax : v; }

}  // namespace spindle::fw::stdp
