// Neuron modes as the network format and the daemon give them (a threshold
// offset in mV and a gain on the synaptic input; docs/models.md, "Neuron
// modes"): their bounds, checked in one place, and their conversion into
// the cores' fixed point (neuron/neuron_mode.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "neuron/neuron_mode.h"
#include "synapse/plasticity/plastic_synapses.h"

namespace spindle::host::network {

// Bounds of the file's and the daemon's requests: switches in a network
// file, and neuron ids listed in all of them (each can become its own
// per-core change).
inline constexpr uint32_t kMaxModeSwitches = 10000;
inline constexpr uint64_t kMaxModeSwitchNeurons = uint64_t{1} << 22;
// |threshold offset| in mV (the core's bound, fw::kModeMaxThresholdOffsetRaw).
inline constexpr double kMaxModeThresholdOffsetMv = 1000;
// Gains are in [0, kModeGainLimit) (u4.12 on the core).
inline constexpr double kModeGainLimit = 16;

// What is wrong with a value, or nothing.
std::optional<std::string> threshold_offset_problem(double mv);
std::optional<std::string> gain_problem(double gain);

// The core's values for a checked mode: the offset rounded to s16.15, the
// gain to 1/4096 (unset: 1).
struct ModeValues {
  fw::Accum threshold_offset{};
  uint32_t gain = fw::kModeGainOne;
};
ModeValues mode_values(double threshold_offset_mv, std::optional<double> gain);

// Learning-rate scales (network/LearningRateSwitch, the daemon's
// SetLearningRate): [0, kLearningScaleLimit), u4.12 on the core.
inline constexpr double kLearningScaleLimit = 16;
std::optional<std::string> learning_scale_problem(double scale);
uint32_t learning_scale_value(double scale);

}  // namespace spindle::host::network
