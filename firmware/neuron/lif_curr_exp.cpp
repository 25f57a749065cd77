#include "neuron/lif_curr_exp.h"

#include <cstring>

#include "neuron/lif_curr_exp_avx2.h"

namespace spindle::fw {
namespace {

constexpr int kUnitShift = IfCurrExp::kReceptorUnitShift;  // synaptic state = nA x 2^8

// R init 2^-kUnitShift as u0.32, rounded half up; false if it is not below 1.
bool fold_factor(Accum r, UFract32 init, uint32_t& k) {
  if (r.raw < 0) return false;
  const uint64_t prod = uint64_t(uint32_t(r.raw)) * init.raw;  // < 2^63
  const int shift = Accum::kFracBits + kUnitShift;
  const uint64_t rounded = (prod + (uint64_t{1} << (shift - 1))) >> shift;
  if (rounded > UINT32_MAX) return false;
  k = static_cast<uint32_t>(rounded);
  return true;
}

// Saturating s16.15 add / subtract. On Cortex-M4 one QADD / QSUB; on the
// host a branch-free 32-bit form (the overflow test on the sign bits) that
// vectorises, equal to saturate_i32 of the 64-bit sum.
inline int32_t qadd(int32_t a, int32_t b) {
#if defined(__ARM_FEATURE_DSP)
  return add_sat(Accum{a}, Accum{b}).raw;
#else
  const uint32_t sum = uint32_t(a) + uint32_t(b);
  const int32_t overflow = int32_t((uint32_t(a) ^ sum) & (uint32_t(b) ^ sum)) >> 31;
  const int32_t limit = (a >> 31) ^ INT32_MAX;
  return overflow ? limit : int32_t(sum);
#endif
}
inline int32_t qsub(int32_t a, int32_t b) {
#if defined(__ARM_FEATURE_DSP)
  return sub_sat(Accum{a}, Accum{b}).raw;
#else
  const uint32_t diff = uint32_t(a) - uint32_t(b);
  const int32_t overflow = int32_t((uint32_t(a) ^ uint32_t(b)) & (uint32_t(a) ^ diff)) >> 31;
  const int32_t limit = (a >> 31) ^ INT32_MAX;
  return overflow ? limit : int32_t(diff);
#endif
}

// Which form of mul_rhu each factor takes. kKnownRanges: the core checked at
// load time that every decay is >= 1/2 and every k < 1/2, so each product is
// one SMMLAR / SMMULR; otherwise the branch-free split form. Same results.
template <bool kKnownRanges>
struct Mul {
  static int32_t decay(int32_t a, uint32_t f) {
    if constexpr (kKnownRanges) return mul_rhu_upper(Accum{a}, UFract32{f}).raw;
    else return mul_rhu_split(Accum{a}, UFract32{f}).raw;
  }
  static int32_t gain(int32_t a, uint32_t f) {
    if constexpr (kKnownRanges) return mul_rhu_lower(Accum{a}, UFract32{f}).raw;
    else return mul_rhu_split(Accum{a}, UFract32{f}).raw;
  }
};

// The neuron update after the inputs are in s16.15; returns 1 if it fired.
// Written with selects, not branches, so that the host loop vectorises.
template <class M>
inline int32_t membrane_step(const LifParamsSoA& __restrict p, LifStateSoA& __restrict s, uint32_t i,
                             int32_t in_exc, int32_t in_inh) {
  const int32_t exc = qadd(s.exc[i], in_exc);
  const int32_t inh = qadd(s.inh[i], in_inh);
  const int32_t alpha = qsub(qadd(p.base[i], M::gain(exc, p.k_exc[i])), M::gain(inh, p.k_inh[i]));
  const int32_t v = s.v[i];
  const int32_t integrated = qsub(alpha, M::decay(qsub(alpha, v), p.decay_v[i]));
  const int32_t r = s.refract[i];
  const bool refractory = r > 0;
  const int32_t v_new = refractory ? v : integrated;
  const int32_t r_new = refractory ? r - 1 : r;
  const bool fired = v_new >= p.v_thresh[i];
  s.v[i] = fired ? p.v_reset[i] : v_new;
  s.refract[i] = fired ? p.refract_ticks[i] : r_new;
  s.exc[i] = M::decay(exc, p.decay_exc[i]);
  s.inh[i] = M::decay(inh, p.decay_inh[i]);
  return fired;
}

}  // namespace

bool LifCurrExpBatch::known_ranges(const LifParamsSoA& p, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t decays = p.decay_v[i] & p.decay_exc[i] & p.decay_inh[i];
    if ((decays >> 31) == 0 || ((p.k_exc[i] | p.k_inh[i]) >> 31) != 0) return false;
  }
  return true;
}

namespace {

#if defined(__arm__)
// Cortex-M4: one pass with branches where the common case is cheaper than a
// select (input above the limit, refractory, firing are all rare); a spike
// is appended when it happens. kFast: known_ranges holds and both weight
// shifts are left shifts (the usual case), so an input is one LSL and each
// product one SMMULR / SMMLAR. Same results as membrane_step.
template <bool kFast>
uint32_t update_arm(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc, uint32_t* in_inh,
                    const RingInputScale& se, const RingInputScale& si, uint16_t* fired, uint32_t& saturated) {
  using M = Mul<kFast>;
  uint16_t* out = fired;
  const RingInputScale e = se, h = si;
  // Both sums at or below the smaller limit: both take the plain path (one
  // compare for the two; a sum between the limits takes the full path).
  const uint32_t both_limit = e.limit < h.limit ? e.limit : h.limit;
  auto input = [&saturated](uint32_t sum, const RingInputScale& k) {
    if (sum > k.limit) {
      saturated += sum == UINT32_MAX;
      return k.over;
    }
    return static_cast<int32_t>(((sum << k.lshift) + k.half) >> k.rshift);
  };
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t re = in_exc[i], ri = in_inh[i];
    in_exc[i] = 0;
    in_inh[i] = 0;
    int32_t xe, xi;
    if (kFast && __builtin_expect((re | ri) <= both_limit, 1)) {
      xe = static_cast<int32_t>(re << e.lshift);
      xi = static_cast<int32_t>(ri << h.lshift);
    } else {
      xe = input(re, e);
      xi = input(ri, h);
    }
    const int32_t exc = qadd(s.exc[i], xe);
    const int32_t inh = qadd(s.inh[i], xi);
    int32_t v = s.v[i];
    const int32_t r = s.refract[i];
    if (__builtin_expect(r > 0, 0)) {
      s.refract[i] = r - 1;
    } else {
      const int32_t alpha = qsub(qadd(p.base[i], M::gain(exc, p.k_exc[i])), M::gain(inh, p.k_inh[i]));
      v = qsub(alpha, M::decay(qsub(alpha, v), p.decay_v[i]));
    }
    if (__builtin_expect(v >= p.v_thresh[i], 0)) {
      v = p.v_reset[i];
      s.refract[i] = p.refract_ticks[i];
      *out++ = static_cast<uint16_t>(i);
    }
    s.v[i] = v;
    s.exc[i] = M::decay(exc, p.decay_exc[i]);
    s.inh[i] = M::decay(inh, p.decay_inh[i]);
  }
  return static_cast<uint32_t>(out - fired);
}
#else
// Host without AVX2 (and the reference lif_update_avx2 is tested against): a
// branch-free pass GCC vectorises (SSE2), then the spikes are collected from
// the flags.
uint32_t update_flags(const LifParamsSoA& __restrict p, LifStateSoA& __restrict s, uint32_t n,
                      uint32_t* __restrict in_exc, uint32_t* __restrict in_inh, const RingInputScale se,
                      const RingInputScale si, uint32_t* __restrict flags, uint32_t& saturated) {
  uint32_t n_saturated = 0, n_fired = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t re = in_exc[i], ri = in_inh[i];
    in_exc[i] = 0;
    in_inh[i] = 0;
    n_saturated += (re == UINT32_MAX) + (ri == UINT32_MAX);
    const auto fired = static_cast<uint32_t>(membrane_step<Mul<false>>(p, s, i, se.apply(re), si.apply(ri)));
    flags[i] = fired;
    n_fired += fired;
  }
  saturated += n_saturated;
  return n_fired;
}
#endif

}  // namespace

uint32_t LifCurrExpBatch::load(const IfCurrExp::Params* params, const IfCurrExp::State* state, uint32_t n,
                               LifParamsSoA& p, LifStateSoA& s) {
  for (uint32_t i = 0; i < n; ++i) {
    const IfCurrExp::Params& q = params[i];
    const MembraneLif::Params& m = q.membrane;
    if (!fold_factor(m.r_membrane, q.synapse.exc_init, p.k_exc[i]) ||
        !fold_factor(m.r_membrane, q.synapse.inh_init, p.k_inh[i]))
      return i;
    p.base[i] = add_sat(mul(m.i_offset, m.r_membrane), m.v_rest).raw;
    p.decay_v[i] = m.exp_tc.raw;
    p.decay_exc[i] = q.synapse.exc_decay.raw;
    p.decay_inh[i] = q.synapse.inh_decay.raw;
    p.v_thresh[i] = q.threshold.v_thresh.raw;
    p.v_reset[i] = m.v_reset.raw;
    p.refract_ticks[i] = m.refract_ticks;
    s.exc[i] = state[i].synapse.exc.raw;
    s.inh[i] = state[i].synapse.inh.raw;
    s.v[i] = state[i].membrane.v.raw;
    s.refract[i] = state[i].membrane.refract_count;
  }
  return n;
}

uint32_t LifCurrExpBatch::update(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc,
                                 uint32_t* in_inh, const RingInputScale& scale_exc, const RingInputScale& scale_inh,
                                 bool ranges_known, uint16_t* fired, uint32_t& saturated) {
#if defined(__arm__)
  if (ranges_known && scale_exc.rshift == 0 && scale_inh.rshift == 0)
    return update_arm<true>(p, s, n, in_exc, in_inh, scale_exc, scale_inh, fired, saturated);
  return update_arm<false>(p, s, n, in_exc, in_inh, scale_exc, scale_inh, fired, saturated);
#else
#if defined(__x86_64__)
  // The AVX2 loop is bit-identical to update_portable.
  if (lif_avx2_available())
    return lif_update_avx2(p, s, n, in_exc, in_inh, scale_exc, scale_inh, ranges_known, fired, saturated);
#endif
  return update_portable(p, s, n, in_exc, in_inh, scale_exc, scale_inh, ranges_known, fired, saturated);
#endif
}

#if !defined(__arm__)
uint32_t LifCurrExpBatch::update_portable(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc,
                                          uint32_t* in_inh, const RingInputScale& scale_exc,
                                          const RingInputScale& scale_inh, bool ranges_known, uint16_t* fired,
                                          uint32_t& saturated) {
  (void)ranges_known;  // the host form is the same speed either way
  // 32-bit flags: with bytes the loop's vector length would be 32 neurons,
  // longer than many cores' whole population.
  alignas(32) uint32_t flags[kMaxNeuronsPerCore];
  const uint32_t n_fired = update_flags(p, s, n, in_exc, in_inh, scale_exc, scale_inh, flags, saturated);
  // Most ticks of most cores have no spike: then nothing is scanned.
  for (uint32_t i = 0, k = 0; k < n_fired; ++i)
    if (flags[i]) fired[k++] = static_cast<uint16_t>(i);
  return n_fired;
}
#endif

bool LifCurrExpBatch::step_one(const LifParamsSoA& p, LifStateSoA& s, uint32_t i, Accum in_exc, Accum in_inh) {
  const Accum exc = add_sat(Accum{s.exc[i]}, in_exc);
  const Accum inh = add_sat(Accum{s.inh[i]}, in_inh);
  const Accum alpha = sub_sat(add_sat(Accum{p.base[i]}, mul_rhu(exc, UFract32{p.k_exc[i]})),
                              mul_rhu(inh, UFract32{p.k_inh[i]}));
  bool fired = false;
  if (s.refract[i] > 0) {
    --s.refract[i];
  } else {
    s.v[i] = sub_sat(alpha, mul_rhu(sub_sat(alpha, Accum{s.v[i]}), UFract32{p.decay_v[i]})).raw;
  }
  if (s.v[i] >= p.v_thresh[i]) {
    fired = true;
    s.v[i] = p.v_reset[i];
    s.refract[i] = p.refract_ticks[i];
  }
  s.exc[i] = mul_rhu(exc, UFract32{p.decay_exc[i]}).raw;
  s.inh[i] = mul_rhu(inh, UFract32{p.decay_inh[i]}).raw;
  return fired;
}

}  // namespace spindle::fw
