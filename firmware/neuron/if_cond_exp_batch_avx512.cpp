// IfCondExp::step in AVX-512 (F, DQ), 16 neurons a block. A block's state
// (16 contiguous 4-word blocks) is loaded and transposed in registers, its
// parameters gathered field by field; the words are widened to two halves of
// 8 in 64-bit lanes where every step is the scalar helper's own 64-bit
// arithmetic: products by VPMULDQ (signed) or VPMULLQ (u0.32 factors,
// zero-extended), round_shift as add-and-arithmetic-shift, saturate_i32 as
// 64-bit min / max. Refractoriness, threshold and reset run on the 16
// narrowed words. Functions carry target(...) rather than the file
// -mavx512f, so that no inline function of a shared header is emitted here in
// a form the linker could pick for callers on CPUs without it.
#include "neuron/if_cond_exp_batch.h"

#if defined(__x86_64__)
#include <cstddef>
#include <cstring>

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_epi32(), a
// self-initialised variable that -Wmaybe-uninitialized reports where they
// are inlined (GCC bug 105593, fixed in GCC 13); the 64-bit min / max and
// widening forms as -Wuninitialized.
// Clang has no -Wmaybe-uninitialized (and rejects the unknown name under
// -Werror).
#if defined(__clang__)
#include <immintrin.h>
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

#define SPINDLE_AVX512 __attribute__((target("avx512f,avx512dq")))
#define SPINDLE_AVX512_INLINE __attribute__((target("avx512f,avx512dq"), always_inline)) inline

namespace spindle::fw {
namespace {

using Params = IfCondExp::Params;
using State = IfCondExp::State;
using V = __m512i;  // 8 neurons, one value a 64-bit lane
using W = __m512i;  // 16 neurons, one 32-bit word each

static_assert(sizeof(Params) % 4 == 0 && sizeof(State) % 4 == 0);

// Word index of a field within a neuron's block.
constexpr int word(size_t byte_offset) { return static_cast<int>(byte_offset / 4); }
constexpr int kExcDecay = word(offsetof(Params, synapse) + offsetof(SynapseExp::Params, exc_decay));
constexpr int kExcInit = word(offsetof(Params, synapse) + offsetof(SynapseExp::Params, exc_init));
constexpr int kInhDecay = word(offsetof(Params, synapse) + offsetof(SynapseExp::Params, inh_decay));
constexpr int kInhInit = word(offsetof(Params, synapse) + offsetof(SynapseExp::Params, inh_init));
constexpr int kERevExc = word(offsetof(Params, input) + offsetof(InputConductance::Params, e_rev_exc));
constexpr int kERevInh = word(offsetof(Params, input) + offsetof(InputConductance::Params, e_rev_inh));
constexpr int kVRest = word(offsetof(Params, membrane) + offsetof(MembraneLif::Params, v_rest));
constexpr int kVReset = word(offsetof(Params, membrane) + offsetof(MembraneLif::Params, v_reset));
constexpr int kRMembrane = word(offsetof(Params, membrane) + offsetof(MembraneLif::Params, r_membrane));
constexpr int kExpTc = word(offsetof(Params, membrane) + offsetof(MembraneLif::Params, exp_tc));
constexpr int kIOffset = word(offsetof(Params, membrane) + offsetof(MembraneLif::Params, i_offset));
constexpr int kRefractTicks = word(offsetof(Params, membrane) + offsetof(MembraneLif::Params, refract_ticks));
constexpr int kVThresh = word(offsetof(Params, threshold) + offsetof(ThresholdStatic::Params, v_thresh));
constexpr int kExc = word(offsetof(State, synapse) + offsetof(SynapseExp::State, exc));
constexpr int kInh = word(offsetof(State, synapse) + offsetof(SynapseExp::State, inh));
constexpr int kV = word(offsetof(State, membrane) + offsetof(MembraneLif::State, v));
constexpr int kRefract = word(offsetof(State, membrane) + offsetof(MembraneLif::State, refract_count));

SPINDLE_AVX512_INLINE V set64(int64_t x) { return _mm512_set1_epi64(x); }

// saturate_i32.
SPINDLE_AVX512_INLINE V sat(V x) {
  return _mm512_max_epi64(_mm512_min_epi64(x, set64(INT32_MAX)), set64(INT32_MIN));
}
// round_shift(x, s): x + half, less 1 when x < 0, shifted arithmetically;
// exact while x + half stays below 2^63 (every product here is below
// 2^63 - 2^32 in magnitude).
template <int kShift>
SPINDLE_AVX512_INLINE V round_shift(V x) {
  const V biased = _mm512_add_epi64(_mm512_add_epi64(x, set64(int64_t{1} << (kShift - 1))), _mm512_srai_epi64(x, 63));
  return _mm512_srai_epi64(biased, kShift);
}
SPINDLE_AVX512_INLINE V add_sat(V a, V b) { return sat(_mm512_add_epi64(a, b)); }
SPINDLE_AVX512_INLINE V sub_sat(V a, V b) { return sat(_mm512_sub_epi64(a, b)); }
// mul(Accum, Accum): VPMULDQ reads the low 32 bits of each lane, signed.
SPINDLE_AVX512_INLINE V mul_accum(V a, V b) { return sat(round_shift<Accum::kFracBits>(_mm512_mul_epi32(a, b))); }
// mul(Accum, UFract32), f zero-extended: the full 64-bit product is exact.
SPINDLE_AVX512_INLINE V mul_fract(V a, V f) { return round_shift<UFract32::kFracBits>(_mm512_mullo_epi64(a, f)); }

// The low (kHalf 0) or high 8 words of w, sign- or zero-extended.
template <int kHalf>
SPINDLE_AVX512_INLINE __m256i half(W w) {
  if constexpr (kHalf == 0) return _mm512_castsi512_si256(w);
  else return _mm512_extracti64x4_epi64(w, 1);
}
template <int kHalf>
SPINDLE_AVX512_INLINE V widen(W w) { return _mm512_cvtepi32_epi64(half<kHalf>(w)); }
template <int kHalf>
SPINDLE_AVX512_INLINE V widen_u(W w) { return _mm512_cvtepu32_epi64(half<kHalf>(w)); }
SPINDLE_AVX512_INLINE W narrow(V low, V high) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(low)), _mm512_cvtepi64_epi32(high), 1);
}

// A block's words, 16 lanes each.
struct Block {
  W exc_decay, exc_init, inh_decay, inh_init, e_rev_exc, e_rev_inh, v_rest, r_membrane, exp_tc, i_offset;
  W exc, inh, v, in_exc, in_inh;
};

// What the 64-bit half computes: the integrated v (used where not
// refractory) and the decayed synaptic state.
struct HalfOut {
  V v, exc, inh;
};

// InputConductance::current and drive_at.
SPINDLE_AVX512_INLINE V current(V g, V e_rev, V v) {
  return sat(round_shift<Accum::kFracBits + InputConductance::kUnitShift>(_mm512_mul_epi32(g, sub_sat(e_rev, v))));
}
// The half's parameters and synaptic drive in 64-bit lanes.
struct HalfIn {
  V g_exc, g_inh, e_exc, e_inh, v_rest, r, i_offset, exp_tc, v0;
};
SPINDLE_AVX512_INLINE V drive_at(const HalfIn& h, V v) {
  return add_sat(current(h.g_exc, h.e_exc, v), current(h.g_inh, h.e_inh, v));
}
// MembraneLif::integrate from v0, not refractory.
SPINDLE_AVX512_INLINE V integrate(const HalfIn& h, V drive) {
  const V alpha = add_sat(mul_accum(add_sat(drive, h.i_offset), h.r), h.v_rest);
  return sub_sat(alpha, mul_fract(sub_sat(alpha, h.v0), h.exp_tc));
}

// add_input, the midpoint drive and MembraneLif::integrate's non-refractory
// branch, decay: 8 neurons.
template <int kHalf>
SPINDLE_AVX512_INLINE HalfOut step_half(const Block& b) {
  const V exc = add_sat(widen<kHalf>(b.exc), widen<kHalf>(b.in_exc));
  const V inh = add_sat(widen<kHalf>(b.inh), widen<kHalf>(b.in_inh));
  const HalfIn h{mul_fract(exc, widen_u<kHalf>(b.exc_init)), mul_fract(inh, widen_u<kHalf>(b.inh_init)),
                 widen<kHalf>(b.e_rev_exc),                   widen<kHalf>(b.e_rev_inh),
                 widen<kHalf>(b.v_rest),                      widen<kHalf>(b.r_membrane),
                 widen<kHalf>(b.i_offset),                    widen_u<kHalf>(b.exp_tc),
                 widen<kHalf>(b.v)};
  const V v1 = integrate(h, drive_at(h, h.v0));
  const V v_mid = round_shift<1>(_mm512_add_epi64(h.v0, v1));
  return HalfOut{integrate(h, drive_at(h, v_mid)), mul_fract(exc, widen_u<kHalf>(b.exc_decay)),
                 mul_fract(inh, widen_u<kHalf>(b.inh_decay))};
}

constexpr int kParamWords = sizeof(Params) / 4;
static_assert(sizeof(State) == 16 && kExc == 0 && kInh == 1 && kV == 2 && kRefract == 3,
              "the state transpose takes one 128-bit lane a neuron: exc, inh, v, refract");

// Lane order within a block: the state's 4 x 4 transpose (below) leaves
// lane 4k + q holding neuron 4q + k; every other field is read into the
// same order. The map is its own inverse.
SPINDLE_AVX512_INLINE W neuron_of_lane() {
  return _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
}

// Word `field` of the block's neurons' parameters (lanes off: 0). One
// gather a field: on this layout cheaper than transposing 13-word blocks.
// kUniform: every neuron's block equals the first's, so the word is
// broadcast from it (lanes off get it too; nothing of theirs is stored).
template <bool kUniform>
SPINDLE_AVX512_INLINE W gather(const int32_t* base, W index, __mmask16 lanes, int field) {
  if constexpr (kUniform) return _mm512_set1_epi32(base[field]);
  else return _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), lanes, index, base + field, 4);
}

// The state of up to 16 neurons, 64 contiguous words: four loads (masked to
// the block), the 4 x 4 transpose within each 128-bit lane, and back. Much
// cheaper than four gathers and four scatters.
struct StateBlock {
  W exc, inh, v, refract;
};
SPINDLE_AVX512_INLINE __mmask16 word_mask(uint32_t count, int quarter) {
  const uint32_t words = count * 4 > 16u * quarter ? count * 4 - 16u * quarter : 0u;
  return static_cast<__mmask16>(words >= 16 ? 0xFFFFu : (1u << words) - 1u);
}
SPINDLE_AVX512_INLINE StateBlock load_state(const int32_t* sw, uint32_t count) {
  const W a = _mm512_maskz_loadu_epi32(word_mask(count, 0), sw);
  const W b = _mm512_maskz_loadu_epi32(word_mask(count, 1), sw + 16);
  const W c = _mm512_maskz_loadu_epi32(word_mask(count, 2), sw + 32);
  const W d = _mm512_maskz_loadu_epi32(word_mask(count, 3), sw + 48);
  const W ab_low = _mm512_unpacklo_epi32(a, b), ab_high = _mm512_unpackhi_epi32(a, b);
  const W cd_low = _mm512_unpacklo_epi32(c, d), cd_high = _mm512_unpackhi_epi32(c, d);
  return StateBlock{_mm512_unpacklo_epi64(ab_low, cd_low), _mm512_unpackhi_epi64(ab_low, cd_low),
                    _mm512_unpacklo_epi64(ab_high, cd_high), _mm512_unpackhi_epi64(ab_high, cd_high)};
}
SPINDLE_AVX512_INLINE void store_state(int32_t* sw, uint32_t count, const StateBlock& s) {
  const W ei_low = _mm512_unpacklo_epi32(s.exc, s.inh), ei_high = _mm512_unpackhi_epi32(s.exc, s.inh);
  const W vr_low = _mm512_unpacklo_epi32(s.v, s.refract), vr_high = _mm512_unpackhi_epi32(s.v, s.refract);
  _mm512_mask_storeu_epi32(sw, word_mask(count, 0), _mm512_unpacklo_epi64(ei_low, vr_low));
  _mm512_mask_storeu_epi32(sw + 16, word_mask(count, 1), _mm512_unpackhi_epi64(ei_low, vr_low));
  _mm512_mask_storeu_epi32(sw + 32, word_mask(count, 2), _mm512_unpacklo_epi64(ei_high, vr_high));
  _mm512_mask_storeu_epi32(sw + 48, word_mask(count, 3), _mm512_unpackhi_epi64(ei_high, vr_high));
}

// Neurons [0, count) of a block, count <= 16, inputs in neuron order;
// returns the fired neurons as bits in neuron order. kUniform: see gather.
template <bool kUniform>
SPINDLE_AVX512_INLINE uint32_t step_block(const Params* params, State* states, uint32_t count, W in_exc, W in_inh) {
  const W order = neuron_of_lane();
  const __mmask16 lanes = _mm512_cmplt_epu32_mask(order, _mm512_set1_epi32(static_cast<int32_t>(count)));
  const W pidx = _mm512_mullo_epi32(order, _mm512_set1_epi32(kParamWords));
  const auto* pw = reinterpret_cast<const int32_t*>(params);
  auto* sw = reinterpret_cast<int32_t*>(states);
  const StateBlock s = load_state(sw, count);
  Block b;
  b.exc_decay = gather<kUniform>(pw, pidx, lanes, kExcDecay);
  b.exc_init = gather<kUniform>(pw, pidx, lanes, kExcInit);
  b.inh_decay = gather<kUniform>(pw, pidx, lanes, kInhDecay);
  b.inh_init = gather<kUniform>(pw, pidx, lanes, kInhInit);
  b.e_rev_exc = gather<kUniform>(pw, pidx, lanes, kERevExc);
  b.e_rev_inh = gather<kUniform>(pw, pidx, lanes, kERevInh);
  b.v_rest = gather<kUniform>(pw, pidx, lanes, kVRest);
  b.r_membrane = gather<kUniform>(pw, pidx, lanes, kRMembrane);
  b.exp_tc = gather<kUniform>(pw, pidx, lanes, kExpTc);
  b.i_offset = gather<kUniform>(pw, pidx, lanes, kIOffset);
  b.exc = s.exc;
  b.inh = s.inh;
  b.v = s.v;
  b.in_exc = _mm512_permutexvar_epi32(order, in_exc);
  b.in_inh = _mm512_permutexvar_epi32(order, in_inh);
  const HalfOut low = step_half<0>(b), high = step_half<1>(b);
  // MembraneLif::integrate's refractory branch, ThresholdStatic, reset.
  const __mmask16 refractory = _mm512_cmpgt_epi32_mask(s.refract, _mm512_setzero_si512());
  const W v_new = _mm512_mask_mov_epi32(narrow(low.v, high.v), refractory, s.v);
  const W r_new = _mm512_mask_sub_epi32(s.refract, refractory, s.refract, _mm512_set1_epi32(1));
  const __mmask16 fired = _mm512_mask_cmpge_epi32_mask(lanes, v_new, gather<kUniform>(pw, pidx, lanes, kVThresh));
  store_state(sw, count,
              StateBlock{narrow(low.exc, high.exc), narrow(low.inh, high.inh),
                         _mm512_mask_mov_epi32(v_new, fired, gather<kUniform>(pw, pidx, lanes, kVReset)),
                         _mm512_mask_mov_epi32(r_new, fired, gather<kUniform>(pw, pidx, lanes, kRefractTicks))});
  // Spikes are rare: the flags go back to neuron order only when some fired.
  if (fired == 0) return 0;
  return _mm512_movepi32_mask(_mm512_permutexvar_epi32(order, _mm512_movm_epi32(fired)));
}

SPINDLE_AVX512_INLINE __mmask16 lanes_of(uint32_t count) {
  return static_cast<__mmask16>(count >= kIfCondExpBlock ? 0xFFFFu : (1u << count) - 1u);
}

// RingInputScale::apply on a block's ring-buffer sums, which are read and
// cleared; counts the sums at UINT32_MAX.
SPINDLE_AVX512_INLINE W take_inputs(uint32_t* in, __mmask16 lanes, const RingInputScale& k, uint32_t& saturated) {
  const W sum = _mm512_maskz_loadu_epi32(lanes, in);
  _mm512_mask_storeu_epi32(in, lanes, _mm512_setzero_si512());
  const __m128i lshift = _mm_cvtsi32_si128(static_cast<int32_t>(k.lshift));
  const __m128i rshift = _mm_cvtsi32_si128(static_cast<int32_t>(k.rshift));
  const W scaled = _mm512_srl_epi32(
      _mm512_add_epi32(_mm512_sll_epi32(sum, lshift), _mm512_set1_epi32(static_cast<int32_t>(k.half))), rshift);
  saturated += static_cast<uint32_t>(__builtin_popcount(_mm512_cmpeq_epi32_mask(sum, _mm512_set1_epi32(-1))));
  const __mmask16 within = _mm512_cmple_epu32_mask(sum, _mm512_set1_epi32(static_cast<int32_t>(k.limit)));
  return _mm512_mask_mov_epi32(_mm512_set1_epi32(k.over), within, scaled);
}

}  // namespace

SPINDLE_AVX512 uint32_t if_cond_exp_step_block_avx512(const IfCondExp::Params* params, IfCondExp::State* states,
                                                      uint32_t n, const int32_t* in_exc, const int32_t* in_inh) {
  const __mmask16 lanes = lanes_of(n);
  return step_block<false>(params, states, n, _mm512_maskz_loadu_epi32(lanes, in_exc),
                           _mm512_maskz_loadu_epi32(lanes, in_inh));
}

SPINDLE_AVX512 uint32_t if_cond_exp_update_avx512(const IfCondExp::Params* params, IfCondExp::State* states,
                                                  uint32_t n, uint32_t* in_exc, uint32_t* in_inh,
                                                  const RingInputScale& scale_exc, const RingInputScale& scale_inh,
                                                  uint16_t* fired, uint32_t& saturated, bool uniform) {
  uint32_t n_fired = 0, n_saturated = 0;
  for (uint32_t i = 0; i < n; i += kIfCondExpBlock) {
    const uint32_t count = n - i < kIfCondExpBlock ? n - i : kIfCondExpBlock;
    const __mmask16 lanes = lanes_of(count);
    const W x_exc = take_inputs(in_exc + i, lanes, scale_exc, n_saturated);
    const W x_inh = take_inputs(in_inh + i, lanes, scale_inh, n_saturated);
    uint32_t bits = uniform ? step_block<true>(params, states + i, count, x_exc, x_inh)
                            : step_block<false>(params + i, states + i, count, x_exc, x_inh);
    // Spikes are rare: usually no bit is set.
    for (; bits != 0; bits &= bits - 1) fired[n_fired++] = static_cast<uint16_t>(i + __builtin_ctz(bits));
  }
  saturated += n_saturated;
  return n_fired;
}

bool params_uniform(const IfCondExp::Params* params, uint32_t n) {
  for (uint32_t i = 1; i < n; ++i)
    if (std::memcmp(&params[i], &params[0], sizeof(Params)) != 0) return false;
  return true;
}

}  // namespace spindle::fw
#endif
