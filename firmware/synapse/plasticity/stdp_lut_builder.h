// Host side of the STDP windows: builds the exponential lookup tables the
// cores read (stdp_fixed.h). Uses double, so it is not part of the firmware
// image; the cores only ever see the integer table.
#pragma once

#include <cmath>
#include <cstdint>

#include "synapse/plasticity/neuromodulation_fixed.h"
#include "synapse/plasticity/stdp_fixed.h"

namespace spindle::fw::stdp {

// Smallest time shift whose table reaches tau ln(4096) ticks, past which
// round(2048 exp(-dt / tau)) is 0: with it the cut-off changes no value.
inline uint32_t choose_time_shift(double tau_ticks) {
  const double reach = tau_ticks * std::log(2.0 * kTraceOne);
  uint32_t shift = 0;
  while (shift < 31 && double(uint64_t{kStdpLutSize} << shift) < reach) ++shift;
  return shift;
}

// Entry i = round(2048 exp(-(i << time_shift) / tau_ticks)), entry 0 = 2048.
// |entry / 2048 - exp(-dt' / tau)| <= 2^-12 with dt' = (dt >> shift) << shift.
inline ExpLut build_exp_lut(double tau_ticks, uint32_t time_shift) {
  ExpLut lut;
  lut.time_shift = time_shift;
  for (uint32_t i = 0; i < kStdpLutSize; ++i) {
    const double dt = double(uint64_t{i} << time_shift);
    lut.values[i] = static_cast<uint16_t>(std::floor(kTraceOne * std::exp(-dt / tau_ticks) + 0.5));
  }
  return lut;
}

inline ExpLut build_exp_lut(double tau_ticks) { return build_exp_lut(tau_ticks, choose_time_shift(tau_ticks)); }

// Neuromodulation's decay table (neuromodulation_fixed.h decay_over):
// entry b = round(2^31 exp(-2^b / tau_ticks)), b = 0..31.
inline void build_decay_powers(double tau_ticks, uint32_t* powers) {
  for (uint32_t b = 0; b < kDecayPowers; ++b)
    powers[b] = static_cast<uint32_t>(std::floor(double(kDecayOne) * std::exp(-std::ldexp(1.0, int(b)) / tau_ticks) + 0.5));
}

// Neuromodulation's integral scale G = tau_c tau_d / (tau_c + tau_d) / 1 ms,
// u16.16 rounded to nearest (tau in ms); 0 if it does not fit (tau >= 65536 ms).
inline uint32_t integral_scale(double tau_c_ms, double tau_d_ms) {
  const double g = std::floor(tau_c_ms * tau_d_ms / (tau_c_ms + tau_d_ms) * 65536.0 + 0.5);
  return g >= 1 && g < 4294967296.0 ? static_cast<uint32_t>(g) : 0u;
}

}  // namespace spindle::fw::stdp
