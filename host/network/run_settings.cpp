#include "network/run_settings.h"

#include <algorithm>
#include <cmath>

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

}  // namespace spindle::host::network
