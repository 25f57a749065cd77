#include "network/run_settings.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace spindle::host::network {

uint32_t timestep_us(const v1::RunSettings& run) {
  const double us = std::round(run.timestep_ms() * 1000.0);
  return static_cast<uint32_t>(std::clamp(std::isfinite(us) ? us : 1.0, 1.0, double(UINT32_MAX)));
}

double time_scale_factor(const v1::RunSettings& run) {
  if (run.time_scale_factor() > 0) return run.time_scale_factor();
  // From the whole microseconds, so that 0.1 ms gives 10, not 10.000000001 -> 11.
  const uint32_t us = timestep_us(run);
  return us >= 1000 ? 1.0 : double((1000 + us - 1) / us);
}

uint32_t tick_period_us(const v1::RunSettings& run) {
  // From the whole-microsecond timestep, as the cost model's budget.
  const double us = std::round(double(timestep_us(run)) * time_scale_factor(run));
  return static_cast<uint32_t>(std::clamp(std::isfinite(us) ? us : 1.0, 1.0, double(UINT32_MAX)));
}

RunTicks duration_ticks(double duration_ms, double timestep_ms, uint64_t max_ticks) {
  RunTicks r;
  if (!std::isfinite(duration_ms)) {
    r.error = fmt::format("must be a finite number of ms, got {}", duration_ms);
  } else if (duration_ms < 0) {
    r.error = fmt::format("must be >= 0 ms, got {}", duration_ms);
  } else if (!(timestep_ms > 0) || !std::isfinite(timestep_ms)) {
    r.error = fmt::format("needs a timestep > 0, got {} ms", timestep_ms);
  } else {
    const double ticks = std::round(duration_ms / timestep_ms);
    if (!(ticks <= double(max_ticks))) {
      r.error = fmt::format("{} ms is {:.10g} ticks of {} ms, more than the {} ticks a run can have", duration_ms,
                            ticks, timestep_ms, max_ticks);
    } else {
      r.ticks = static_cast<uint64_t>(ticks);
    }
  }
  return r;
}

}  // namespace spindle::host::network
