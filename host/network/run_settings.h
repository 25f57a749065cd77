// Run settings as the mapping and the engine use them: the time scale
// factor with sPyNNaker's default filled in, and the tick's wall-clock
// period that follows from it.
#pragma once

#include <cstdint>
#include <string>

#include "spindle/v1/network.pb.h"

namespace spindle::host::network {

// The network's time_scale_factor, or where it is unset (0) sPyNNaker's
// default: max(1, ceil(1 ms / timestep)) (10 at 0.1 ms, 1 at 1 ms and above).
double time_scale_factor(const v1::RunSettings& run);

// The timestep in whole microseconds (at least 1).
uint32_t timestep_us(const v1::RunSettings& run);

// The wall-clock period of one tick, timestep x time_scale_factor, in whole
// microseconds (at least 1): each core's timer period (ticks that take longer
// count as tick_overruns) and the pace of real-time runs.
uint32_t tick_period_us(const v1::RunSettings& run);

// The most ticks a job can reach: the engine's and the cores' tick counters
// are 32-bit.
inline constexpr uint64_t kMaxTicks = 0xFFFFFFFFull;

// A run length in whole ticks: duration / timestep rounded to the nearest
// tick. The one conversion every path uses (network file, `spindle run
// --duration`, the daemon's Run), so none can wrap: `error` says what is
// wrong (not finite, negative, or more than `max_ticks` ticks) and `ticks`
// is then 0.
struct RunTicks {
  uint64_t ticks = 0;
  std::string error;
};
RunTicks duration_ticks(double duration_ms, double timestep_ms, uint64_t max_ticks = kMaxTicks);

}  // namespace spindle::host::network
