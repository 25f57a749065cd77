#include "cells/dendrite_segments.h"

#include <algorithm>
#include <cmath>

namespace spindle::host {

uint32_t coincidence_window_ticks(double window_ms, double dt) {
  if (!(window_ms > 0) || !(dt > 0)) return 1;
  return static_cast<uint32_t>(std::clamp(std::llround(window_ms / dt), 1LL, 255LL));
}

uint32_t plateau_ticks(double duration_ms, double dt) {
  if (!(duration_ms > 0) || !(dt > 0)) return 0;
  return static_cast<uint32_t>(
      std::clamp(std::llround(duration_ms / dt), 0LL, static_cast<long long>(fw::DendriteSegments::kMaxPlateauTicks)));
}

fw::DendriteSegments::Params dendrite_segments(const DendriteSegmentParams& p, double dt, QuantizationReport* r) {
  fw::DendriteSegments::Params f{};
  const auto n = static_cast<uint32_t>(std::clamp(std::llround(p.n_segments), 0LL, 255LL));
  const auto theta = static_cast<uint32_t>(std::clamp(std::llround(p.segment_threshold), 0LL, 65535LL));
  f.shape = fw::DendriteSegments::shape(n, coincidence_window_ticks(p.coincidence_window, dt), theta);
  f.plateau_ticks = plateau_ticks(p.plateau_duration, dt);
  f.plateau_current = to_accum(p.i_plateau, "i_plateau", r);
  f.threshold_drop = to_accum(p.v_thresh_drop, "v_thresh_drop", r);
  return f;
}

}  // namespace spindle::host
