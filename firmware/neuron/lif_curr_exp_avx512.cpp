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
// Clang has no such warning (and rejects the unknown name under -Werror).
#if defined(__clang__)
#include <immintrin.h>
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

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
// a_odd = odd(a), passed in so that a state's gain and decay share it;
// s_odd likewise (a broadcast factor is its own odd()).
SPINDLE_AVX512_INLINE V smmulr(V a, V a_odd, V s, V s_odd) {
  const V half = _mm512_set1_epi64(int64_t{1} << 31);
  const V even = _mm512_add_epi64(_mm512_mul_epi32(a, s), half);
  const V high = _mm512_add_epi64(_mm512_mul_epi32(a_odd, s_odd), half);
  return _mm512_mask_shuffle_epi32(high, 0x5555, even, _MM_PERM_CDAB);
}

// A factor (u0.32) as the products read it: its lanes and its odd lanes
// moved down.
struct Factor {
  V f, f_odd;
};

// mul_rhu(a, f): smmulr on f's bits read as int32, plus a where f >= 2^31
// (mul_rhu_split), as an add under f's sign mask. kKnownRanges: decays are
// >= 1/2 and gains < 1/2 (LifCurrExpBatch::known_ranges), so the correction
// is always / never a. The sum cannot wrap: |mul_rhu(a, f)| <= |a|.
template <bool kKnownRanges>
SPINDLE_AVX512_INLINE V decay(V a, V a_odd, const Factor& f) {
  const V product = smmulr(a, a_odd, f.f, f.f_odd);
  if constexpr (kKnownRanges) return _mm512_add_epi32(product, a);
  return _mm512_mask_add_epi32(product, _mm512_movepi32_mask(f.f), product, a);
}
template <bool kKnownRanges>
SPINDLE_AVX512_INLINE V gain(V a, V a_odd, const Factor& f) {
  const V product = smmulr(a, a_odd, f.f, f.f_odd);
  if constexpr (kKnownRanges) return product;
  return _mm512_mask_add_epi32(product, _mm512_movepi32_mask(f.f), product, a);
}

// Saturating a + b and a - b (QADD / QSUB): the wrapped result, replaced
// where it overflowed by the limit on a's side (an overflow needs b on a's
// side), INT32_MAX ^ (a >> 31), in one XOR under the overflow mask.
SPINDLE_AVX512_INLINE V saturate(V a, V wrapped, V overflow_sign) {
  return _mm512_mask_xor_epi32(wrapped, _mm512_movepi32_mask(overflow_sign), _mm512_srai_epi32(a, 31),
                               _mm512_set1_epi32(INT32_MAX));
}

// The membrane's adds and subtracts. Saturating: QADD / QSUB, and for the
// ring inputs (b >= 0) a QADD that overflows exactly when the wrapped sum
// falls below a. Plain: where the block's values are proved small enough
// that none of them can overflow (step), the same results in one
// instruction each.
struct Saturating {
  SPINDLE_AVX512_INLINE static V add(V a, V b) {
    const V sum = _mm512_add_epi32(a, b);
    return saturate(a, sum, _mm512_ternarylogic_epi32(a, b, sum, kAddOverflow));
  }
  SPINDLE_AVX512_INLINE static V sub(V a, V b) {
    const V diff = _mm512_sub_epi32(a, b);
    return saturate(a, diff, _mm512_ternarylogic_epi32(a, b, diff, kSubOverflow));
  }
  SPINDLE_AVX512_INLINE static V add_input(V a, V b) {
    const V sum = _mm512_add_epi32(a, b);
    return _mm512_mask_mov_epi32(sum, _mm512_cmpgt_epi32_mask(a, sum), _mm512_set1_epi32(INT32_MAX));
  }
};
struct Plain {
  SPINDLE_AVX512_INLINE static V add(V a, V b) { return _mm512_add_epi32(a, b); }
  SPINDLE_AVX512_INLINE static V sub(V a, V b) { return _mm512_sub_epi32(a, b); }
  SPINDLE_AVX512_INLINE static V add_input(V a, V b) { return _mm512_add_epi32(a, b); }
};


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

// A block's parameters as step uses them. PerNeuron: read from the arrays
// at the block (the odd lanes shifted down per factor). Uniform: neuron 0's,
// broadcast once per call and kept in registers (LifParamsSoA::uniform).
struct Params {
  Factor k_exc, k_inh, decay_v, decay_exc, decay_inh;
  V base, v_thresh, v_reset, refract_ticks;
};
SPINDLE_AVX512_INLINE Factor array_factor(V f) { return {f, odd(f)}; }
SPINDLE_AVX512_INLINE Factor broadcast_factor(uint32_t f) {
  const V v = _mm512_set1_epi32(static_cast<int32_t>(f));
  return {v, v};
}

struct PerNeuron {
  static constexpr bool kBaseInBlockTest = true;
  template <class Mem>
  SPINDLE_AVX512_INLINE Params at(const Mem& m, const LifParamsSoA& __restrict p, uint32_t i) const {
    return {array_factor(m.load(p.k_exc + i)),     array_factor(m.load(p.k_inh + i)),
            array_factor(m.load(p.decay_v + i)),   array_factor(m.load(p.decay_exc + i)),
            array_factor(m.load(p.decay_inh + i)), m.load(p.base + i),
            m.load(p.v_thresh + i),                m.load(p.v_reset + i),
            m.load(p.refract_ticks + i)};
  }
};
struct Uniform {
  static constexpr bool kBaseInBlockTest = false;  // tested once per call
  Params q;
  SPINDLE_AVX512_INLINE explicit Uniform(const LifParamsSoA& p)
      : q{broadcast_factor(p.k_exc[0]),
          broadcast_factor(p.k_inh[0]),
          broadcast_factor(p.decay_v[0]),
          broadcast_factor(p.decay_exc[0]),
          broadcast_factor(p.decay_inh[0]),
          _mm512_set1_epi32(p.base[0]),
          _mm512_set1_epi32(p.v_thresh[0]),
          _mm512_set1_epi32(p.v_reset[0]),
          _mm512_set1_epi32(p.refract_ticks[0])} {}
  template <class Mem>
  SPINDLE_AVX512_INLINE const Params& at(const Mem&, const LifParamsSoA&, uint32_t) const {
    return q;
  }
};

// membrane_step (lif_curr_exp.cpp) lane by lane after the inputs, with the
// adds and subtracts of `Arith`; stores the state and returns the lanes that
// fired.
template <bool kKnownRanges, class Arith, class Mem>
SPINDLE_AVX512_INLINE Mask membrane(const Mem& m, uint32_t i, const Params& q, LifStateSoA& __restrict s, V exc0,
                                    V inh0, V v, V xe, V xi) {
  const V exc = Arith::add_input(exc0, xe);
  const V inh = Arith::add_input(inh0, xi);
  const V exc_odd = odd(exc), inh_odd = odd(inh);
  const V alpha = Arith::sub(Arith::add(q.base, gain<kKnownRanges>(exc, exc_odd, q.k_exc)),
                             gain<kKnownRanges>(inh, inh_odd, q.k_inh));
  const V gap = Arith::sub(alpha, v);
  // A plain subtraction equals QSUB here (lif_curr_exp_avx2.cpp says why).
  const V integrated = _mm512_sub_epi32(alpha, decay<kKnownRanges>(gap, odd(gap), q.decay_v));
  const V r = m.load(s.refract + i);
  const Mask refractory = _mm512_cmpgt_epi32_mask(r, _mm512_setzero_si512());
  const V v_new = _mm512_mask_mov_epi32(integrated, refractory, v);
  const V r_new = _mm512_mask_sub_epi32(r, refractory, r, _mm512_set1_epi32(1));
  // Fired lanes take the reset values.
  const Mask spiked = m.at_or_above(v_new, q.v_thresh);
  m.store(s.v + i, _mm512_mask_mov_epi32(v_new, spiked, q.v_reset));
  m.store(s.refract + i, _mm512_mask_mov_epi32(r_new, spiked, q.refract_ticks));
  m.store(s.exc + i, decay<kKnownRanges>(exc, exc_odd, q.decay_exc));
  m.store(s.inh + i, decay<kKnownRanges>(inh, inh_odd, q.decay_inh));
  return spiked;
}

// Neurons [i, i + 16) (fewer through a Partial `m`): the inputs, then the
// membrane in plain arithmetic where every value the block starts from is
// below LifCurrExpBatch::kPlainBound in magnitude (nearly always: mV and nA
// are small), else saturating. A free function on plain pointers so that
// GCC keeps every array at a fixed offset from p, s and the inputs in
// registers.
template <bool kKnownRanges, bool kShiftsOnly, class Mem, class ParamsAt>
SPINDLE_AVX512_INLINE uint32_t step(const Mem& m, uint32_t i, const LifParamsSoA& __restrict p,
                                    LifStateSoA& __restrict s, uint32_t* __restrict in_exc,
                                    uint32_t* __restrict in_inh, const InputScale& scale_exc,
                                    const InputScale& scale_inh, V beyond_both, const ParamsAt& params,
                                    uint16_t* __restrict fired, uint32_t n_fired, uint32_t& saturated) {
  const V re = m.load(in_exc + i), ri = m.load(in_inh + i);
  m.store(in_exc + i, _mm512_setzero_si512());
  m.store(in_inh + i, _mm512_setzero_si512());
  // Sums at or below both limits (so none at UINT32_MAX): one shift each.
  V xe = scale_exc.shifted(re), xi = scale_inh.shifted(ri);
  if (!kShiftsOnly || _mm512_test_epi32_mask(_mm512_or_si512(re, ri), beyond_both) != 0) {
    xe = scale_exc.apply(re, saturated);
    xi = scale_inh.apply(ri, saturated);
  }
  const Params& q = params.at(m, p, i);
  const V exc0 = m.load(s.exc + i), inh0 = m.load(s.inh + i), v = m.load(s.v + i);
  // 0xFE: a | b | c. The inputs are >= 0 (RingInputScale), INT32_MIN's
  // magnitude keeps its sign bit: both fail the test as they should.
  const V states = _mm512_ternarylogic_epi32(_mm512_abs_epi32(exc0), _mm512_abs_epi32(inh0), _mm512_abs_epi32(v), 0xFE);
  V magnitudes = _mm512_ternarylogic_epi32(states, xe, xi, 0xFE);
  if constexpr (ParamsAt::kBaseInBlockTest) magnitudes = _mm512_or_si512(magnitudes, _mm512_abs_epi32(q.base));
  const Mask spiked =
      _mm512_test_epi32_mask(magnitudes, _mm512_set1_epi32(-LifCurrExpBatch::kPlainBound)) == 0
          ? membrane<kKnownRanges, Plain>(m, i, q, s, exc0, inh0, v, xe, xi)
          : membrane<kKnownRanges, Saturating>(m, i, q, s, exc0, inh0, v, xe, xi);
  // Spikes are rare: usually the mask is empty and nothing is appended.
  for (uint32_t bits = spiked; bits != 0; bits &= bits - 1)
    fired[n_fired++] = static_cast<uint16_t>(i + static_cast<uint32_t>(__builtin_ctz(bits)));
  return n_fired;
}

template <bool kKnownRanges, bool kShiftsOnly, class ParamsAt>
SPINDLE_AVX512 uint32_t run(const LifParamsSoA& __restrict p, LifStateSoA& __restrict s, uint32_t n,
                            uint32_t* __restrict in_exc, uint32_t* __restrict in_inh, const RingInputScale& se,
                            const RingInputScale& si, const ParamsAt& params, uint16_t* __restrict fired,
                            uint32_t& saturated) {
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
                                              beyond_both, params, fired, n_fired, n_saturated);
  }
  if (i < n)
    n_fired = step<kKnownRanges, kShiftsOnly>(Partial(n - i), i, p, s, in_exc, in_inh, scale_exc, scale_inh,
                                              beyond_both, params, fired, n_fired, n_saturated);
  saturated += n_saturated;
  return n_fired;
}

// The four loop forms for one way of reading the parameters.
template <class ParamsAt>
SPINDLE_AVX512 uint32_t dispatch(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc,
                                 uint32_t* in_inh, const RingInputScale& se, const RingInputScale& si,
                                 bool ranges_known, const ParamsAt& params, uint16_t* fired, uint32_t& saturated) {
  const bool shifts_only = se.rshift == 0 && si.rshift == 0;
  if (ranges_known) {
    if (shifts_only) return run<true, true>(p, s, n, in_exc, in_inh, se, si, params, fired, saturated);
    return run<true, false>(p, s, n, in_exc, in_inh, se, si, params, fired, saturated);
  }
  if (shifts_only) return run<false, true>(p, s, n, in_exc, in_inh, se, si, params, fired, saturated);
  return run<false, false>(p, s, n, in_exc, in_inh, se, si, params, fired, saturated);
}
SPINDLE_AVX512 uint32_t dispatch_uniform(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc,
                                         uint32_t* in_inh, const RingInputScale& se, const RingInputScale& si,
                                         bool ranges_known, uint16_t* fired, uint32_t& saturated) {
  return dispatch(p, s, n, in_exc, in_inh, se, si, ranges_known, Uniform(p), fired, saturated);
}

}  // namespace

uint32_t lif_update_avx512(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc, uint32_t* in_inh,
                           const RingInputScale& scale_exc, const RingInputScale& scale_inh, bool ranges_known,
                           uint16_t* fired, uint32_t& saturated) {
  if (LifCurrExpBatch::uniform_in_registers(p, n))
    return dispatch_uniform(p, s, n, in_exc, in_inh, scale_exc, scale_inh, ranges_known, fired, saturated);
  return dispatch(p, s, n, in_exc, in_inh, scale_exc, scale_inh, ranges_known, PerNeuron{}, fired, saturated);
}

}  // namespace spindle::fw
#endif
