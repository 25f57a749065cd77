#include "cells/adaptive_threshold.h"

#include <cmath>

namespace spindle::host {

fw::ThresholdAdaptive::Params adaptive_threshold(const AdaptiveThresholdParams& p, double dt, QuantizationReport* r) {
  return {to_ufract32(std::exp(-dt / p.tau_theta), "tau_theta decay", r), to_accum(p.theta_plus, "theta_plus", r),
          to_accum(p.eta_h, "eta_h", r), to_ufract32(p.target_rate * dt * 1e-3, "target_rate x dt", r)};
}

fw::ThresholdAdaptive::State adaptive_threshold_state(const AdaptiveThresholdParams& p, double v_thresh,
                                                      QuantizationReport* r) {
  // v_thresh rounded to s16.15 as every threshold, then theta_h added in s16.47.
  const fw::Accum vt = to_accum(v_thresh);
  const fw::Accum47 h = to_accum47(p.theta_h_init, "theta_h", r);
  const int64_t sum = fw::add_sat64(int64_t{vt.raw} * (int64_t{1} << 32), h.value());
  return {to_accum(p.theta_init, "theta", r), fw::Accum47::of(sum)};
}

}  // namespace spindle::host
