// Host side of the STDP windows: builds the exponential lookup tables the
// cores read (stdp_fixed.h). Uses double, so it is not part of the firmware
// image; the cores only ever see the integer table.
#pragma once

#include <cmath>
#include <cstdint>

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

}  // namespace spindle::fw::stdp
