// Which Poisson sources are due in a tick, 8 at a time in AVX2, for the
// native engine on x86-64 hosts. PoissonSources::tick takes it when the CPU
// has AVX2 (checked at run time) and its plain 32-bit loop otherwise (the
// Cortex-M4 form); both visit the due sources in index order, so the spikes
// are the same bits (tests/firmware/poisson_test.cpp). Not part of the ARM
// image.
#pragma once

#include <cstdint>

#include "config/limits.h"

namespace spindle::fw {

// Words of a due mask: one bit a source.
inline constexpr uint32_t kPoissonDueWordBits = 32;
inline constexpr uint32_t kPoissonDueWords = kMaxSourcesPerCore / kPoissonDueWordBits;
static_assert(kMaxSourcesPerCore % kPoissonDueWordBits == 0, "the due mask and its 8-lane compares cover whole arrays");

#if defined(__x86_64__)
// True if this CPU can run poisson_due_mask_avx2 (a flag word libgcc fills
// before main; no function-local static guard per call).
inline bool poisson_due_avx2_available() { return __builtin_cpu_supports("avx2"); }

// Bit i of due[i / 32] set iff due_tick[i] == tick, for i < n; the other
// bits of the words covering [0, n) clear. Reads due_tick[0, n rounded up
// to 8), which must lie within an array of kMaxSourcesPerCore.
void poisson_due_mask_avx2(const uint32_t* due_tick, uint32_t n, uint32_t tick, uint32_t* due);
#endif

}  // namespace spindle::fw
