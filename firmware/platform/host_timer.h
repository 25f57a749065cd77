// The native platform's microsecond timer (NativePlatform::read_timer_us).
// Every core reads it twice a tick for its tick-overrun count, 74 reads a
// tick for CUBA's 37 cores: as a vDSO clock_gettime (~21 ns on this VM) that
// was about a sixth of CUBA's run phase. Where the CPU has an invariant TSC
// the time is RDTSC (~9 ns) scaled by a factor measured once per process
// against steady_clock; elsewhere it is steady_clock. Host only.
#pragma once

#include <cstdint>

namespace spindle::fw {

// Microseconds since an arbitrary start, wrapping at 2^32 as a board's timer.
uint32_t host_timer_us();

// Nanoseconds since an arbitrary start, from the same clock: the engine
// times its per-tick phases with it (three steady_clock reads a tick were
// 2 % of CUBA's run phase).
uint64_t host_clock_ns();

// True if host_timer_us runs on the TSC (for tests and provenance).
bool host_timer_uses_tsc();

}  // namespace spindle::fw
