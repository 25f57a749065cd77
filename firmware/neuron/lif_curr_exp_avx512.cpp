// IF_curr_exp batch, 16 neurons per AVX-512 vector; the arithmetic of
// membrane_step (lif_curr_exp.cpp) lane by lane, laid out as the AVX2 loop
// (lif_curr_exp_avx2.cpp) with what AVX-512 adds: selects are mask
// registers (compares write them; moves, adds and loads merge under them),
// the overflow tests one VPTERNLOGD each, the odd product halves merged by
// one masked VPSHUFD, and the tail through masked loads and stores. Functions
// carry target(...) rather than the file -mavx512f, so that no inline
// function of a shared header is emitted here in a form the linker could
// pick for callers on CPUs without it.
#include "neuron/lif_curr_exp_avx512.h"

#if defined(__x86_64__)
// GCC 12's AVX-512 intrinsics start from _mm512_undefined_epi32(), a
// self-initialised variable that -Wmaybe-uninitialized reports where they
// are inlined (GCC bug 105593, fixed in GCC 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#define SPINDLE_AVX512 __attribute__((target("avx512f,avx512dq")))
#define SPINDLE_AVX512_INLINE __attribute__((target("avx512f,avx512dq"), always_inline)) inline

namespace spindle::fw {
namespace {

using V = __m512i;
using Mask = __mmask16;
constexpr uint32_t kLanes = 16;

// VPTERNLOGD truth tables over (a, b, result), bit index 4a + 2b + r: the
// sign bit is set where a saturating add / subtract overflowed.
constexpr int kAddOverflow = 0x42;  // a, b of one sign, the sum of the other
constexpr int kSubOverflow = 0x18;  // a, b of different signs, the difference of b's

// The odd lanes moved down to the even ones, where VPMULDQ reads its operands.
SPINDLE_AVX512_INLINE V odd(V a) { return _mm512_srli_epi64(a, 32); }

// floor((a s + 2^31) / 2^32) lane by lane (smmulr): VPMULDQ on the even
// lanes and on the odd lanes shifted down, each rounded by a 64-bit add; one
// VPSHUFD that swaps the halves of each 64-bit lane, writing the even lanes
// only, moves the even products' high halves into place among the odd ones'.
// a_odd = odd(a), passed in so that a state's gain and decay share it.
SPINDLE_AVX512_INLINE V smmulr(V a, V a_odd, V s) {
  const V half = _mm512_set1_epi64(int64_t{1} << 31);
  const V even = _mm512_add_epi64(_mm512_mul_epi32(a, s), half);
  const V high = _mm512_add_epi64(_mm512_mul_epi32(a_odd, odd(s)), half);
  return _mm512_mask_shuffle_epi32(high, 0x5555, even, _MM_PERM_CDAB);
}

// mul_rhu(a, f): smmulr on f's bits read as int32, plus a where f >= 2^31
// (mul_rhu_split), as an add under f's sign mask. kKnownRanges: decays are
// >= 1/2 and gains < 1/2 (LifCurrExpBatch::known_ranges), so the correction
// is always / never a. The sum cannot wrap: |mul_rhu(a, f)| <= |a|.
template <bool kKnownRanges>
SPINDLE_AVX512_INLINE V decay(V a, V a_odd, V f) {
  const V product = smmulr(a, a_odd, f);
  if constexpr (kKnownRanges) return _mm512_add_epi32(product, a);
  return _mm512_mask_add_epi32(product, _mm512_movepi32_mask(f), product, a);
}
template <bool kKnownRanges>
SPINDLE_AVX512_INLINE V gain(V a, V a_odd, V f) {
  const V product = smmulr(a, a_odd, f);
  if constexpr (kKnownRanges) return product;
  return _mm512_mask_add_epi32(product, _mm512_movepi32_mask(f), product, a);
}

// Saturating a + b and a - b (QADD / QSUB): the wrapped result, replaced
// where it overflowed by the limit on a's side (an overflow needs b on a's
// side), INT32_MAX ^ (a >> 31), in one XOR under the overflow mask.
SPINDLE_AVX512_INLINE V saturate(V a, V wrapped, V overflow_sign) {
  return _mm512_mask_xor_epi32(wrapped, _mm512_movepi32_mask(overflow_sign), _mm512_srai_epi32(a, 31),
                               _mm512_set1_epi32(INT32_MAX));
}
SPINDLE_AVX512_INLINE V qadd(V a, V b) {
  const V sum = _mm512_add_epi32(a, b);
  return saturate(a, sum, _mm512_ternarylogic_epi32(a, b, sum, kAddOverflow));
}
SPINDLE_AVX512_INLINE V qsub(V a, V b) {
  const V diff = _mm512_sub_epi32(a, b);
  return saturate(a, diff, _mm512_ternarylogic_epi32(a, b, diff, kSubOverflow));
}
// qadd for b >= 0 (ring inputs are): it overflows exactly when the wrapped sum
// falls below a.
SPINDLE_AVX512_INLINE V qadd_nonnegative(V a, V b) {
  const V sum = _mm512_add_epi32(a, b);
  return _mm512_mask_mov_epi32(sum, _mm512_cmpgt_epi32_mask(a, sum), _mm512_set1_epi32(INT32_MAX));
}

// RingInputScale broadcast: apply() for 16 sums, counting cells at UINT32_MAX.
struct InputScale {
  V limit, half, over, lshift, rshift;
  SPINDLE_AVX512_INLINE explicit InputScale(const RingInputScale& k)
      : limit(_mm512_set1_epi32(static_cast<int32_t>(k.limit))),
        half(_mm512_set1_epi32(static_cast<int32_t>(k.half))),
        over(_mm512_set1_epi32(k.over)),
        lshift(_mm512_set1_epi32(static_cast<int32_t>(k.lshift))),
        rshift(_mm512_set1_epi32(static_cast<int32_t>(k.rshift))) {}
  SPINDLE_AVX512_INLINE V shifted(V sum) const { return _mm512_sllv_epi32(sum, lshift); }
  SPINDLE_AVX512_INLINE V apply(V sum, uint32_t& saturated) const {
    const Mask within = _mm512_cmple_epu32_mask(sum, limit);
    const V scaled = _mm512_srlv_epi32(_mm512_add_epi32(shifted(sum), half), rshift);
    const Mask full = _mm512_cmpeq_epi32_mask(sum, _mm512_set1_epi32(-1));
    saturated += static_cast<uint32_t>(__builtin_popcount(full));
    return _mm512_mask_mov_epi32(over, within, scaled);
  }
};

// Whole vectors, or the last n % 16 neurons through masked loads and stores
// (masked-off lanes read 0, are never written and never fire).
struct Whole {
  SPINDLE_AVX512_INLINE V load(const void* p) const { return _mm512_loadu_si512(p); }
  SPINDLE_AVX512_INLINE void store(void* p, V v) const { _mm512_storeu_si512(p, v); }
  SPINDLE_AVX512_INLINE Mask at_or_above(V a, V b) const { return _mm512_cmpge_epi32_mask(a, b); }
};
struct Partial {
  Mask lanes;
  SPINDLE_AVX512_INLINE explicit Partial(uint32_t count) : lanes(static_cast<Mask>((1u << count) - 1)) {}
  SPINDLE_AVX512_INLINE V load(const void* p) const { return _mm512_maskz_loadu_epi32(lanes, p); }
  SPINDLE_AVX512_INLINE void store(void* p, V v) const { _mm512_mask_storeu_epi32(p, lanes, v); }
  SPINDLE_AVX512_INLINE Mask at_or_above(V a, V b) const { return _mm512_mask_cmpge_epi32_mask(lanes, a, b); }
};

// Neurons [i, i + 16) (fewer through a Partial `m`): membrane_step lane by
// lane. A free function on plain pointers so that GCC keeps every array at a
// fixed offset from p, s and the inputs in registers.
template <bool kKnownRanges, bool kShiftsOnly, class Mem>
SPINDLE_AVX512_INLINE uint32_t step(const Mem& m, uint32_t i, const LifParamsSoA& __restrict p,
                                    LifStateSoA& __restrict s, uint32_t* __restrict in_exc,
                                    uint32_t* __restrict in_inh, const InputScale& scale_exc,
                                    const InputScale& scale_inh, V beyond_both, uint16_t* __restrict fired,
                                    uint32_t n_fired, uint32_t& saturated) {
  const V re = m.load(in_exc + i), ri = m.load(in_inh + i);
  m.store(in_exc + i, _mm512_setzero_si512());
  m.store(in_inh + i, _mm512_setzero_si512());
  // Sums at or below both limits (so none at UINT32_MAX): one shift each.
  V xe = scale_exc.shifted(re), xi = scale_inh.shifted(ri);
  if (!kShiftsOnly || _mm512_test_epi32_mask(_mm512_or_si512(re, ri), beyond_both) != 0) {
    xe = scale_exc.apply(re, saturated);
    xi = scale_inh.apply(ri, saturated);
  }
  const V exc = qadd_nonnegative(m.load(s.exc + i), xe);
  const V inh = qadd_nonnegative(m.load(s.inh + i), xi);
  const V exc_odd = odd(exc), inh_odd = odd(inh);
  const V alpha = qsub(qadd(m.load(p.base + i), gain<kKnownRanges>(exc, exc_odd, m.load(p.k_exc + i))),
                       gain<kKnownRanges>(inh, inh_odd, m.load(p.k_inh + i)));
  const V v = m.load(s.v + i);
  const V gap = qsub(alpha, v);
  // A plain subtraction equals QSUB here (lif_curr_exp_avx2.cpp says why).
  const V integrated = _mm512_sub_epi32(alpha, decay<kKnownRanges>(gap, odd(gap), m.load(p.decay_v + i)));
  const V r = m.load(s.refract + i);
  const Mask refractory = _mm512_cmpgt_epi32_mask(r, _mm512_setzero_si512());
  const V v_new = _mm512_mask_mov_epi32(integrated, refractory, v);
  const V r_new = _mm512_mask_sub_epi32(r, refractory, r, _mm512_set1_epi32(1));
  // Fired lanes take the reset values by a load merged under the mask.
  const Mask spiked = m.at_or_above(v_new, m.load(p.v_thresh + i));
  m.store(s.v + i, _mm512_mask_loadu_epi32(v_new, spiked, p.v_reset + i));
  m.store(s.refract + i, _mm512_mask_loadu_epi32(r_new, spiked, p.refract_ticks + i));
  m.store(s.exc + i, decay<kKnownRanges>(exc, exc_odd, m.load(p.decay_exc + i)));
  m.store(s.inh + i, decay<kKnownRanges>(inh, inh_odd, m.load(p.decay_inh + i)));
  // Spikes are rare: usually the mask is empty and nothing is appended.
  for (uint32_t bits = spiked; bits != 0; bits &= bits - 1)
    fired[n_fired++] = static_cast<uint16_t>(i + static_cast<uint32_t>(__builtin_ctz(bits)));
  return n_fired;
}

template <bool kKnownRanges, bool kShiftsOnly>
SPINDLE_AVX512 uint32_t run(const LifParamsSoA& __restrict p, LifStateSoA& __restrict s, uint32_t n,
                            uint32_t* __restrict in_exc, uint32_t* __restrict in_inh, const RingInputScale& se,
                            const RingInputScale& si, uint16_t* __restrict fired, uint32_t& saturated) {
  const InputScale scale_exc(se), scale_inh(si);
  // Bits no sum may have for both inputs to be a plain left shift (both
  // limits are 2^k - 1 when both scales are left shifts).
  const uint32_t both_limit = se.limit < si.limit ? se.limit : si.limit;
  const V beyond_both = _mm512_set1_epi32(static_cast<int32_t>(~both_limit));
  uint32_t n_fired = 0, n_saturated = 0, i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    // Opaque to the optimiser, as in the AVX2 loop: every array addressed
    // as p or s plus a constant, not 13 hoisted pointers spilled.
    const LifParamsSoA* pp = &p;
    LifStateSoA* ss = &s;
    asm("" : "+r"(pp), "+r"(ss));
    n_fired = step<kKnownRanges, kShiftsOnly>(Whole{}, i, *pp, *ss, in_exc, in_inh, scale_exc, scale_inh,
                                              beyond_both, fired, n_fired, n_saturated);
  }
  if (i < n)
    n_fired = step<kKnownRanges, kShiftsOnly>(Partial(n - i), i, p, s, in_exc, in_inh, scale_exc, scale_inh,
                                              beyond_both, fired, n_fired, n_saturated);
  saturated += n_saturated;
  return n_fired;
}

}  // namespace

uint32_t lif_update_avx512(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc, uint32_t* in_inh,
                           const RingInputScale& scale_exc, const RingInputScale& scale_inh, bool ranges_known,
                           uint16_t* fired, uint32_t& saturated) {
  const bool shifts_only = scale_exc.rshift == 0 && scale_inh.rshift == 0;
  if (ranges_known) {
    if (shifts_only) return run<true, true>(p, s, n, in_exc, in_inh, scale_exc, scale_inh, fired, saturated);
    return run<true, false>(p, s, n, in_exc, in_inh, scale_exc, scale_inh, fired, saturated);
  }
  if (shifts_only) return run<false, true>(p, s, n, in_exc, in_inh, scale_exc, scale_inh, fired, saturated);
  return run<false, false>(p, s, n, in_exc, in_inh, scale_exc, scale_inh, fired, saturated);
}

}  // namespace spindle::fw
#endif
