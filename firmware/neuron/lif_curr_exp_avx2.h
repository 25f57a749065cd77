// The IF_curr_exp batch written in AVX2 intrinsics, for the native engine on
// x86-64 hosts. LifCurrExpBatch::update takes it when the CPU has AVX2
// (checked at run time) and the portable loop otherwise; the two give the
// same bits (tests/firmware/lif_curr_exp_avx2_test.cpp), as the portable
// loop and the Cortex-M4 loop do. Not part of the ARM image.
#pragma once

#if defined(__x86_64__)
#include <cstdint>

#include "neuron/lif_curr_exp.h"

namespace spindle::fw {

// True if this CPU can run lif_update_avx2. One test of a flag word libgcc
// fills before main (called per update, so no function-local static guard).
inline bool lif_avx2_available() { return __builtin_cpu_supports("avx2"); }

// LifCurrExpBatch::update's contract exactly; requires lif_avx2_available().
uint32_t lif_update_avx2(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc, uint32_t* in_inh,
                         const RingInputScale& scale_exc, const RingInputScale& scale_inh, bool ranges_known,
                         uint16_t* fired, uint32_t& saturated);

}  // namespace spindle::fw
#endif
