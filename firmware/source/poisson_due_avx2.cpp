// The due mask of poisson_due_avx2.h: one VPCMPEQD and one VMOVMSKPS per 8
// sources. Built with target("avx2") on the function rather than -mavx2 on
// the file, so no shared inline function is emitted here in an AVX2 form
// the linker could pick for callers on CPUs without it.
#include "source/poisson_due_avx2.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace spindle::fw {

namespace {
constexpr uint32_t kLanes = 8;
}  // namespace

__attribute__((target("avx2"))) void poisson_due_mask_avx2(const uint32_t* due_tick, uint32_t n, uint32_t tick,
                                                            uint32_t* due) {
  const __m256i now = _mm256_set1_epi32(static_cast<int>(tick));
  for (uint32_t word = 0; word * kPoissonDueWordBits < n; ++word) {
    uint32_t bits = 0;
    for (uint32_t lane = 0; lane < kPoissonDueWordBits; lane += kLanes) {
      const uint32_t i = word * kPoissonDueWordBits + lane;
      if (i >= n) break;
      const __m256i ticks = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(due_tick + i));
      const int hits = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(ticks, now)));
      bits |= static_cast<uint32_t>(hits) << lane;
    }
    const uint32_t rest = n - word * kPoissonDueWordBits;  // sources from this word's first on
    if (rest < kPoissonDueWordBits) bits &= (uint32_t{1} << rest) - 1;
    due[word] = bits;
  }
}

}  // namespace spindle::fw
#endif
