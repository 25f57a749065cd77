#include "network/neuron_modes.h"

#include <cmath>

#include <fmt/format.h>

#include "quantize/quantize.h"

namespace spindle::host::network {

static_assert(kMaxModeThresholdOffsetMv * (1 << fw::Accum::kFracBits) == fw::kModeMaxThresholdOffsetRaw);
static_assert(kModeGainLimit * fw::kModeGainOne == fw::kModeGainMax + 1);

std::optional<std::string> threshold_offset_problem(double mv) {
  if (std::isfinite(mv) && std::fabs(mv) <= kMaxModeThresholdOffsetMv) return std::nullopt;
  return fmt::format("must be within +-{} mV, got {}", kMaxModeThresholdOffsetMv, mv);
}

std::optional<std::string> gain_problem(double gain) {
  // The largest gain below the limit rounds to kModeGainMax, not past it.
  if (gain >= 0 && gain < kModeGainLimit - 0.5 / fw::kModeGainOne) return std::nullopt;
  return fmt::format("must be in [0, {}), got {}", kModeGainLimit, gain);
}

static_assert(kLearningScaleLimit * fw::stdp::kLearningScaleOne == fw::stdp::kLearningScaleMax + 1);

std::optional<std::string> learning_scale_problem(double scale) {
  if (scale >= 0 && scale < kLearningScaleLimit - 0.5 / fw::stdp::kLearningScaleOne) return std::nullopt;
  return fmt::format("must be in [0, {}), got {}", kLearningScaleLimit, scale);
}

uint32_t learning_scale_value(double scale) {
  return static_cast<uint32_t>(std::lround(scale * fw::stdp::kLearningScaleOne));
}

ModeValues mode_values(double threshold_offset_mv, std::optional<double> gain) {
  ModeValues v;
  v.threshold_offset = to_accum(threshold_offset_mv, "neuron mode threshold_offset");
  if (gain) v.gain = static_cast<uint32_t>(std::lround(*gain * fw::kModeGainOne));
  return v;
}

}  // namespace spindle::host::network
