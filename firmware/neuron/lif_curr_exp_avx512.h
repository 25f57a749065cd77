// The IF_curr_exp batch in AVX-512 (F and DQ) intrinsics, 16 neurons a
// vector, for the native engine on x86-64 hosts. LifCurrExpBatch::update
// takes it first when the CPU has those subsets (checked at run time), then
// the AVX2 loop (lif_curr_exp_avx2.h), then the portable loop; all three
// give the same bits (tests/firmware/lif_curr_exp_avx2_test.cpp runs every
// case on both vector loops). Not part of the ARM image.
#pragma once

#if defined(__x86_64__)
#include <cstdint>

#include "neuron/lif_curr_exp.h"

namespace spindle::fw {

// True if this CPU (and its OS: libgcc checks XCR0) can run
// lif_update_avx512: flag tests of the word libgcc fills before main.
inline bool lif_avx512_available() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

// LifCurrExpBatch::update's contract exactly; requires lif_avx512_available().
uint32_t lif_update_avx512(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc, uint32_t* in_inh,
                           const RingInputScale& scale_exc, const RingInputScale& scale_inh, bool ranges_known,
                           uint16_t* fired, uint32_t& saturated);

}  // namespace spindle::fw
#endif
