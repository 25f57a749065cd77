// A neuron's mode: a threshold offset and a gain on its synaptic input that
// the host can switch while a job runs, for a whole population or some of
// its neurons, without touching synaptic memory (docs/models.md, "Neuron
// modes"). The core keeps each neuron's mode; the offset moves the model's
// own threshold (Threshold::shift), and the gain scales the neuron's
// ring-buffer input for the tick (every receptor) before the model steps,
// which is the same as scaling every weight onto the neuron by it.
#pragma once

#include <cstdint>

#include "fixed/fixed_point.h"

namespace spindle::fw {

// The gain is u4.12 (16 bits a neuron on the core: the board images' RAM
// is nearly all taken): 1.0 is kModeGainOne, steps of 1/4096, below 16.
inline constexpr uint32_t kModeGainFracBits = 12;
inline constexpr uint32_t kModeGainOne = uint32_t{1} << kModeGainFracBits;
inline constexpr uint32_t kModeGainMax = 0xFFFF;
// |threshold offset| at most this many mV (s16.15 raw): far from s16.15's
// limit, so a threshold moved there and back is exactly where it was.
inline constexpr int32_t kModeMaxThresholdOffsetRaw = 1000 * (int32_t{1} << Accum::kFracBits);

// One switch: neurons [first, first + count) of a core take this mode.
struct ModeChange {
  uint32_t first = 0;
  uint32_t count = 0;
  Accum threshold_offset{};  // mV
  uint32_t gain = kModeGainOne;
};

constexpr bool mode_values_valid(Accum offset, uint32_t gain) {
  return offset.raw >= -kModeMaxThresholdOffsetRaw && offset.raw <= kModeMaxThresholdOffsetRaw && gain <= kModeGainMax;
}

// A ring-buffer cell (a sum of weights in ring units) times the gain,
// rounded to nearest (ties up). A saturated cell stays saturated; a product
// past the cell's range saturates (and is counted as a saturation when the
// neuron reads it).
constexpr uint32_t apply_mode_gain(uint32_t cell, uint32_t gain) {
  if (cell == UINT32_MAX) return cell;
  const uint64_t scaled = (uint64_t{cell} * gain + (uint64_t{1} << (kModeGainFracBits - 1))) >> kModeGainFracBits;
  return scaled >= UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(scaled);
}

}  // namespace spindle::fw
