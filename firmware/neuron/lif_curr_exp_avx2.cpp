// IF_curr_exp batch, 8 neurons per AVX2 vector; the arithmetic of
// membrane_step (lif_curr_exp.cpp) lane by lane. Functions carry
// target("avx2") instead of the file being built with -mavx2, so that no
// inline function of a shared header is emitted here in an AVX2 form the
// linker could pick for callers on CPUs without it.
#include "neuron/lif_curr_exp_avx2.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define SPINDLE_AVX2 __attribute__((target("avx2")))
#define SPINDLE_AVX2_INLINE __attribute__((target("avx2"), always_inline)) inline

namespace spindle::fw {
namespace {

using V = __m256i;
constexpr uint32_t kLanes = 8;

// a where `select`'s lane has its sign bit set, else b: one VBLENDVPS, no
// lane mask to widen first.
SPINDLE_AVX2_INLINE V select(V select, V a, V b) {
  return _mm256_castps_si256(
      _mm256_blendv_ps(_mm256_castsi256_ps(b), _mm256_castsi256_ps(a), _mm256_castsi256_ps(select)));
}

// The odd lanes moved down to the even ones, where VPMULDQ reads its operands.
SPINDLE_AVX2_INLINE V odd(V a) { return _mm256_srli_epi64(a, 32); }

// floor((a s + 2^31) / 2^32) lane by lane (smmulr): VPMULDQ multiplies the
// even lanes to 64 bits, so the odd lanes take a second one on the shifted
// operands; the rounded high halves are blended together. a_odd = odd(a),
// passed in so that a state's gain and decay products share it; s_odd
// likewise (a broadcast factor is its own odd()).
SPINDLE_AVX2_INLINE V smmulr(V a, V a_odd, V s, V s_odd) {
  const V half = _mm256_set1_epi64x(int64_t{1} << 31);
  const V even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(a, s), half), 32);
  const V high = _mm256_add_epi64(_mm256_mul_epi32(a_odd, s_odd), half);
  return _mm256_blend_epi32(even, high, 0xAA);
}

// A factor (u0.32) as the products read it: its lanes and its odd lanes
// moved down.
struct Factor {
  V f, f_odd;
};

// mul_rhu(a, f): smmulr on f's bits read as int32, plus a where f >= 2^31
// (mul_rhu_split). kKnownRanges: decays are >= 1/2 and gains < 1/2
// (LifCurrExpBatch::known_ranges), so the correction is always / never a.
// The sum cannot wrap: |mul_rhu(a, f)| <= |a|.
template <bool kKnownRanges>
SPINDLE_AVX2_INLINE V decay(V a, V a_odd, const Factor& f) {
  const V correction = kKnownRanges ? a : select(f.f, a, _mm256_setzero_si256());
  return _mm256_add_epi32(smmulr(a, a_odd, f.f, f.f_odd), correction);
}
template <bool kKnownRanges>
SPINDLE_AVX2_INLINE V gain(V a, V a_odd, const Factor& f) {
  if constexpr (kKnownRanges) return smmulr(a, a_odd, f.f, f.f_odd);
  return _mm256_add_epi32(smmulr(a, a_odd, f.f, f.f_odd), select(f.f, a, _mm256_setzero_si256()));
}

// Saturating a + b and a - b (QADD / QSUB): the wrapped result where it did
// not overflow, else the limit on a's side (an overflow needs b on a's side).
SPINDLE_AVX2_INLINE V limit_of(V a) {
  return select(a, _mm256_set1_epi32(INT32_MIN), _mm256_set1_epi32(INT32_MAX));
}
// The membrane's adds and subtracts: saturating (add_input: a QADD for
// b >= 0, as ring inputs are, which overflows exactly when the wrapped sum
// falls below a), or plain where the block's values are proved too small to
// overflow (step; LifCurrExpBatch::kPlainBound).
struct Saturating {
  SPINDLE_AVX2_INLINE static V add(V a, V b) {
    const V sum = _mm256_add_epi32(a, b);
    // Sign bit set: a and b of one sign, the sum of the other.
    const V overflow = _mm256_andnot_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(a, sum));
    return select(overflow, limit_of(a), sum);
  }
  SPINDLE_AVX2_INLINE static V sub(V a, V b) {
    const V diff = _mm256_sub_epi32(a, b);
    const V overflow = _mm256_and_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(a, diff));
    return select(overflow, limit_of(a), diff);
  }
  SPINDLE_AVX2_INLINE static V add_input(V a, V b) {
    const V sum = _mm256_add_epi32(a, b);
    return select(_mm256_cmpgt_epi32(a, sum), _mm256_set1_epi32(INT32_MAX), sum);
  }
};
struct Plain {
  SPINDLE_AVX2_INLINE static V add(V a, V b) { return _mm256_add_epi32(a, b); }
  SPINDLE_AVX2_INLINE static V sub(V a, V b) { return _mm256_sub_epi32(a, b); }
  SPINDLE_AVX2_INLINE static V add_input(V a, V b) { return _mm256_add_epi32(a, b); }
};

// RingInputScale broadcast: apply() for 8 sums, counting cells at UINT32_MAX.
// Shift counts as vectors: VPSLLVD reads them from memory when registers
// run short, where VPSLLD's count would take a reload first.
struct InputScale {
  V limit, half, over, lshift, rshift;
  SPINDLE_AVX2_INLINE explicit InputScale(const RingInputScale& k)
      : limit(_mm256_set1_epi32(static_cast<int32_t>(k.limit))),
        half(_mm256_set1_epi32(static_cast<int32_t>(k.half))),
        over(_mm256_set1_epi32(k.over)),
        lshift(_mm256_set1_epi32(static_cast<int32_t>(k.lshift))),
        rshift(_mm256_set1_epi32(static_cast<int32_t>(k.rshift))) {}
  SPINDLE_AVX2_INLINE V shifted(V sum) const { return _mm256_sllv_epi32(sum, lshift); }
  SPINDLE_AVX2_INLINE V apply(V sum, uint32_t& saturated) const {
    const V within = _mm256_cmpeq_epi32(_mm256_min_epu32(sum, limit), sum);
    const V scaled = _mm256_srlv_epi32(_mm256_add_epi32(shifted(sum), half), rshift);
    const V full = _mm256_cmpeq_epi32(sum, _mm256_set1_epi32(-1));
    saturated += static_cast<uint32_t>(__builtin_popcount(_mm256_movemask_ps(_mm256_castsi256_ps(full))));
    return select(within, scaled, over);
  }
};

// Whole vectors, or the last n % 8 neurons through masked loads and stores
// (masked-off lanes read 0 and are never written).
struct Whole {
  SPINDLE_AVX2_INLINE V load(const void* p) const { return _mm256_loadu_si256(static_cast<const V*>(p)); }
  SPINDLE_AVX2_INLINE void store(void* p, V v) const { _mm256_storeu_si256(static_cast<V*>(p), v); }
  // Lanes not below the threshold (one XOR, which also sets the flags).
  SPINDLE_AVX2_INLINE uint32_t fired_bits(uint32_t below) const { return below ^ 0xFFu; }
};
struct Partial {
  V mask;
  uint32_t count;
  SPINDLE_AVX2_INLINE explicit Partial(uint32_t lanes)
      : mask(_mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(lanes)),
                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))),
        count(lanes) {}
  SPINDLE_AVX2_INLINE V load(const void* p) const {
    return _mm256_maskload_epi32(static_cast<const int*>(p), mask);
  }
  SPINDLE_AVX2_INLINE void store(void* p, V v) const { _mm256_maskstore_epi32(static_cast<int*>(p), mask, v); }
  SPINDLE_AVX2_INLINE uint32_t fired_bits(uint32_t below) const { return ~below & ((1u << count) - 1); }
};

// A block's parameters: from the arrays (PerNeuron), or neuron 0's
// broadcast once per call (Uniform, LifParamsSoA::uniform), which the
// compiler keeps in registers or as memory operands.
struct Params {
  Factor k_exc, k_inh, decay_v, decay_exc, decay_inh;
  V base, v_thresh, v_reset, refract_ticks;
};
SPINDLE_AVX2_INLINE Factor array_factor(V f) { return {f, odd(f)}; }
SPINDLE_AVX2_INLINE Factor broadcast_factor(uint32_t f) {
  const V v = _mm256_set1_epi32(static_cast<int32_t>(f));
  return {v, v};
}
struct PerNeuron {
  static constexpr bool kBaseInBlockTest = true;
  template <class Mem>
  SPINDLE_AVX2_INLINE Params at(const Mem& m, const LifParamsSoA& __restrict p, uint32_t i) const {
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
  SPINDLE_AVX2_INLINE explicit Uniform(const LifParamsSoA& p)
      : q{broadcast_factor(p.k_exc[0]),
          broadcast_factor(p.k_inh[0]),
          broadcast_factor(p.decay_v[0]),
          broadcast_factor(p.decay_exc[0]),
          broadcast_factor(p.decay_inh[0]),
          _mm256_set1_epi32(p.base[0]),
          _mm256_set1_epi32(p.v_thresh[0]),
          _mm256_set1_epi32(p.v_reset[0]),
          _mm256_set1_epi32(p.refract_ticks[0])} {}
  template <class Mem>
  SPINDLE_AVX2_INLINE const Params& at(const Mem&, const LifParamsSoA&, uint32_t) const {
    return q;
  }
};

// membrane_step (lif_curr_exp.cpp) lane by lane after the inputs, with the
// adds and subtracts of `Arith`; stores the state, returns the lanes below
// threshold as sign bits.
template <bool kKnownRanges, class Arith, class Mem>
SPINDLE_AVX2_INLINE V membrane(const Mem& m, uint32_t i, const Params& q, LifStateSoA& __restrict s, V exc0, V inh0,
                               V v, V xe, V xi) {
  const V exc = Arith::add_input(exc0, xe);
  const V inh = Arith::add_input(inh0, xi);
  const V exc_odd = odd(exc), inh_odd = odd(inh);
  const V alpha = Arith::sub(Arith::add(q.base, gain<kKnownRanges>(exc, exc_odd, q.k_exc)),
                             gain<kKnownRanges>(inh, inh_odd, q.k_inh));
  const V gap = Arith::sub(alpha, v);
  // alpha - gap d cannot overflow: gap d lies between 0 and gap (|mul_rhu| <=
  // |a|, same sign), so the difference lies between alpha and alpha - gap,
  // which is V or, if gap saturated, within the range on alpha's side. So
  // QSUB equals the wrapping subtraction here.
  const V integrated = _mm256_sub_epi32(alpha, decay<kKnownRanges>(gap, odd(gap), q.decay_v));
  const V r = m.load(s.refract + i);
  const V refractory = _mm256_cmpgt_epi32(r, _mm256_setzero_si256());
  const V v_new = select(refractory, v, integrated);
  const V r_new = _mm256_add_epi32(r, refractory);  // refractory lanes are -1
  const V below = _mm256_cmpgt_epi32(q.v_thresh, v_new);
  m.store(s.v + i, select(below, v_new, q.v_reset));
  m.store(s.refract + i, select(below, r_new, q.refract_ticks));
  m.store(s.exc + i, decay<kKnownRanges>(exc, exc_odd, q.decay_exc));
  m.store(s.inh + i, decay<kKnownRanges>(inh, inh_odd, q.decay_inh));
  return below;
}

// Neurons [i, i + 8) (fewer through a Partial `m`): the inputs, then the
// membrane in plain arithmetic where every value the block starts from is
// below LifCurrExpBatch::kPlainBound in magnitude, else saturating. A free
// function on plain pointers so that GCC keeps every array at a fixed
// offset from p, s and the inputs in registers.
template <bool kKnownRanges, bool kShiftsOnly, class Mem, class ParamsAt>
SPINDLE_AVX2_INLINE uint32_t step(const Mem& m, uint32_t i, const LifParamsSoA& __restrict p,
                                  LifStateSoA& __restrict s, uint32_t* __restrict in_exc,
                                  uint32_t* __restrict in_inh, const InputScale& scale_exc,
                                  const InputScale& scale_inh, V beyond_both, const ParamsAt& params,
                                  uint16_t* __restrict fired, uint32_t n_fired, uint32_t& saturated) {
  const V re = m.load(in_exc + i), ri = m.load(in_inh + i);
  m.store(in_exc + i, _mm256_setzero_si256());
  m.store(in_inh + i, _mm256_setzero_si256());
  // Sums at or below both limits (so none at UINT32_MAX): one shift each.
  V xe = scale_exc.shifted(re), xi = scale_inh.shifted(ri);
  if (!kShiftsOnly || !_mm256_testz_si256(_mm256_or_si256(re, ri), beyond_both)) {
    xe = scale_exc.apply(re, saturated);
    xi = scale_inh.apply(ri, saturated);
  }
  const Params& q = params.at(m, p, i);
  const V exc0 = m.load(s.exc + i), inh0 = m.load(s.inh + i), v = m.load(s.v + i);
  // The inputs are >= 0 (RingInputScale); INT32_MIN's magnitude keeps its
  // sign bit: both fail the test as they should.
  V magnitudes = _mm256_or_si256(_mm256_or_si256(_mm256_abs_epi32(exc0), _mm256_abs_epi32(inh0)),
                                 _mm256_or_si256(_mm256_abs_epi32(v), _mm256_or_si256(xe, xi)));
  if constexpr (ParamsAt::kBaseInBlockTest) magnitudes = _mm256_or_si256(magnitudes, _mm256_abs_epi32(q.base));
  const V below = _mm256_testz_si256(magnitudes, _mm256_set1_epi32(-LifCurrExpBatch::kPlainBound))
                      ? membrane<kKnownRanges, Plain>(m, i, q, s, exc0, inh0, v, xe, xi)
                      : membrane<kKnownRanges, Saturating>(m, i, q, s, exc0, inh0, v, xe, xi);
  // Spikes are rare: usually no bit is set and nothing is appended.
  uint32_t bits = m.fired_bits(static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(below))));
  for (; bits != 0; bits &= bits - 1)
    fired[n_fired++] = static_cast<uint16_t>(i + static_cast<uint32_t>(__builtin_ctz(bits)));
  return n_fired;
}

template <bool kKnownRanges, bool kShiftsOnly, class ParamsAt>
SPINDLE_AVX2 uint32_t run(const LifParamsSoA& __restrict p, LifStateSoA& __restrict s, uint32_t n,
                          uint32_t* __restrict in_exc, uint32_t* __restrict in_inh, const RingInputScale& se,
                          const RingInputScale& si, const ParamsAt& params, uint16_t* __restrict fired,
                          uint32_t& saturated) {
  const InputScale scale_exc(se), scale_inh(si);
  // Bits no sum may have for both inputs to be a plain left shift (both
  // limits are 2^k - 1 when both scales are left shifts).
  const uint32_t both_limit = se.limit < si.limit ? se.limit : si.limit;
  const V beyond_both = _mm256_set1_epi32(static_cast<int32_t>(~both_limit));
  uint32_t n_fired = 0, n_saturated = 0, i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    // Opaque to the optimiser, so that it addresses every array as p or s
    // plus a constant (8 arrays of p, 4 of s) instead of hoisting 13
    // pointers into registers and spilling them (16 GP registers).
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
SPINDLE_AVX2 uint32_t dispatch(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc,
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
SPINDLE_AVX2 uint32_t dispatch_uniform(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc,
                                       uint32_t* in_inh, const RingInputScale& se, const RingInputScale& si,
                                       bool ranges_known, uint16_t* fired, uint32_t& saturated) {
  return dispatch(p, s, n, in_exc, in_inh, se, si, ranges_known, Uniform(p), fired, saturated);
}

}  // namespace

uint32_t lif_update_avx2(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc, uint32_t* in_inh,
                         const RingInputScale& scale_exc, const RingInputScale& scale_inh, bool ranges_known,
                         uint16_t* fired, uint32_t& saturated) {
  if (LifCurrExpBatch::uniform_in_registers(p, n))
    return dispatch_uniform(p, s, n, in_exc, in_inh, scale_exc, scale_inh, ranges_known, fired, saturated);
  return dispatch(p, s, n, in_exc, in_inh, scale_exc, scale_inh, ranges_known, PerNeuron{}, fired, saturated);
}

}  // namespace spindle::fw
#endif
