#include "platform/host_timer.h"

#include <chrono>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

namespace spindle::fw {
namespace {

using std::chrono::steady_clock;

uint64_t steady_ns() {
  using namespace std::chrono;
  return static_cast<uint64_t>(duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count());
}

uint32_t steady_us() {
  using namespace std::chrono;
  return static_cast<uint32_t>(duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
}

#if defined(__x86_64__)
// CPUID 0x80000007 EDX bit 8: the TSC runs at a constant rate in every
// P-, C- and T-state (Linux's constant_tsc + nonstop_tsc).
bool invariant_tsc() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  // GCC's cpuid.h returns unsigned, clang's int: compare as unsigned on both.
  if (static_cast<unsigned>(__get_cpuid_max(0x80000000u, nullptr)) < 0x80000007u) return false;
  __cpuid(0x80000007u, a, b, c, d);
  return (d & (1u << 8)) != 0;
}

// A TSC reading and a steady_clock reading taken together: of a few tries,
// the one with the fewest TSC ticks between its two TSC reads (a try the
// OS interrupted is longer), steady_clock placed at their midpoint.
struct ClockPair {
  uint64_t tsc;
  int64_t ns;
};
ClockPair read_pair() {
  ClockPair best{0, 0};
  uint64_t best_span = UINT64_MAX;
  for (int i = 0; i < 5; ++i) {
    const uint64_t before = __rdtsc();
    const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(steady_clock::now().time_since_epoch()).count();
    const uint64_t after = __rdtsc();
    if (after - before < best_span) {
      best_span = after - before;
      best = {before + (after - before) / 2, ns};
    }
  }
  return best;
}

// Microseconds = (TSC - tsc0) x us_per_tick_q32 / 2^32. Measured over 2 ms
// of steady_clock: the pairs' error (tens of ns each) is ~1e-5 of that,
// far below the timer's 1 us resolution against a 100 us or 1 ms tick.
struct TscScale {
  bool usable = false;
  uint64_t tsc0 = 0;
  uint64_t us_per_tick_q32 = 0;
  uint64_t ns_per_tick_q32 = 0;
  // TSC ticks since tsc0 in the unit whose per-tick Q32 factor is given.
  uint64_t since_tsc0(uint64_t per_tick_q32) const {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(__rdtsc() - tsc0) * per_tick_q32) >> 32);
  }
};

TscScale calibrate() {
  TscScale s;
  if (!invariant_tsc()) return s;
  const ClockPair a = read_pair();
  while (steady_clock::now().time_since_epoch() < std::chrono::nanoseconds(a.ns) + std::chrono::milliseconds(2)) {
  }
  const ClockPair b = read_pair();
  if (b.tsc <= a.tsc || b.ns <= a.ns) return s;
  const uint64_t ns = static_cast<uint64_t>(b.ns - a.ns);
  s.us_per_tick_q32 = static_cast<uint64_t>((static_cast<unsigned __int128>(ns) << 32) / (1000u * (b.tsc - a.tsc)));
  s.ns_per_tick_q32 = static_cast<uint64_t>((static_cast<unsigned __int128>(ns) << 32) / (b.tsc - a.tsc));
  s.tsc0 = a.tsc;
  s.usable = s.us_per_tick_q32 != 0;
  return s;
}

const TscScale& scale() {
  static const TscScale s = calibrate();  // once per process, thread-safe
  return s;
}
#endif

}  // namespace

uint32_t host_timer_us() {
#if defined(__x86_64__)
  const TscScale& s = scale();
  if (s.usable) return static_cast<uint32_t>(s.since_tsc0(s.us_per_tick_q32));
#endif
  return steady_us();
}

uint64_t host_clock_ns() {
#if defined(__x86_64__)
  const TscScale& s = scale();
  if (s.usable) return s.since_tsc0(s.ns_per_tick_q32);
#endif
  return steady_ns();
}

bool host_timer_uses_tsc() {
#if defined(__x86_64__)
  return scale().usable;
#else
  return false;
#endif
}

}  // namespace spindle::fw
