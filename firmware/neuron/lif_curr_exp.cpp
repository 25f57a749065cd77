#include "neuron/lif_curr_exp.h"

#include <cstring>

#include "neuron/lif_curr_exp_arith.h"
#include "neuron/lif_curr_exp_avx2.h"
#include "neuron/lif_curr_exp_avx512.h"

namespace spindle::fw {
namespace {

using lif::Mul;
using lif::qadd;
using lif::qsub;

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
  for (uint32_t i = 0; i < n; ++i)
    if (!fast_factors(p.decay_v[i], p.decay_exc[i], p.decay_inh[i], p.k_exc[i], p.k_inh[i])) return false;
  return true;
}

namespace {

// Host form (the Cortex-M4 runs one record per neuron instead,
// lif_curr_exp_records.cpp).
#if !defined(__arm__)
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

bool LifCurrExpBatch::fold(const IfCurrExp::Params& q, LifFolded& f) {
  const MembraneLif::Params& m = q.membrane;
  if (!fold_factor(m.r_membrane, q.synapse.exc_init, f.k_exc) || !fold_factor(m.r_membrane, q.synapse.inh_init, f.k_inh))
    return false;
  f.base = add_sat(mul(m.i_offset, m.r_membrane), m.v_rest).raw;
  f.decay_v = m.exp_tc.raw;
  f.decay_exc = q.synapse.exc_decay.raw;
  f.decay_inh = q.synapse.inh_decay.raw;
  f.v_thresh = q.threshold.v_thresh.raw;
  f.v_reset = m.v_reset.raw;
  f.refract_ticks = m.refract_ticks;
  return true;
}

uint32_t LifCurrExpBatch::load(const IfCurrExp::Params* params, const IfCurrExp::State* state, uint32_t n,
                               LifParamsSoA& p, LifStateSoA& s) {
  for (uint32_t i = 0; i < n; ++i) {
    LifFolded f;
    if (!fold(params[i], f)) return i;
    p.k_exc[i] = f.k_exc;
    p.k_inh[i] = f.k_inh;
    p.base[i] = f.base;
    p.decay_v[i] = f.decay_v;
    p.decay_exc[i] = f.decay_exc;
    p.decay_inh[i] = f.decay_inh;
    p.v_thresh[i] = f.v_thresh;
    p.v_reset[i] = f.v_reset;
    p.refract_ticks[i] = f.refract_ticks;
    s.exc[i] = state[i].synapse.exc.raw;
    s.inh[i] = state[i].synapse.inh.raw;
    s.v[i] = state[i].membrane.v.raw;
    s.refract[i] = state[i].membrane.refract_count;
  }
  find_uniform(p, n);
  return n;
}

void LifCurrExpBatch::find_uniform(LifParamsSoA& p, uint32_t n) {
  p.uniform = n > 0;
  for (uint32_t i = 1; i < n && p.uniform; ++i)
    p.uniform = p.k_exc[i] == p.k_exc[0] && p.k_inh[i] == p.k_inh[0] && p.base[i] == p.base[0] &&
                p.decay_v[i] == p.decay_v[0] && p.decay_exc[i] == p.decay_exc[0] &&
                p.decay_inh[i] == p.decay_inh[0] && p.v_thresh[i] == p.v_thresh[0] &&
                p.v_reset[i] == p.v_reset[0] && p.refract_ticks[i] == p.refract_ticks[0];
}

#if !defined(__arm__)
uint32_t LifCurrExpBatch::update(const LifParamsSoA& p, LifStateSoA& s, uint32_t n, uint32_t* in_exc,
                                 uint32_t* in_inh, const RingInputScale& scale_exc, const RingInputScale& scale_inh,
                                 bool ranges_known, uint16_t* fired, uint32_t& saturated) {
#if defined(__x86_64__)
  // Widest first: AVX-512 (F, DQ), else AVX2, else the portable loop; the
  // vector loops are bit-identical to update_portable.
  if (lif_avx512_available())
    return lif_update_avx512(p, s, n, in_exc, in_inh, scale_exc, scale_inh, ranges_known, fired, saturated);
  if (lif_avx2_available())
    return lif_update_avx2(p, s, n, in_exc, in_inh, scale_exc, scale_inh, ranges_known, fired, saturated);
#endif
  return update_portable(p, s, n, in_exc, in_inh, scale_exc, scale_inh, ranges_known, fired, saturated);
}

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
