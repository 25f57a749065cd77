#include "neuron/lif_curr_exp_records.h"

#include <cstddef>

#include "neuron/lif_curr_exp_arith.h"

namespace spindle::fw {
namespace {

using lif::Mul;
using lif::qadd;
using lif::qsub;

struct WordPair {
  int32_t a, b;
};

// Two adjacent words of a record as one LDRD. GCC pairs only some adjacent
// loads itself (it did v|refract, not the parameters), so the pairs the
// loop needs are spelled out. The "m" operand tells GCC the record is read.
template <int kOffset>
inline WordPair load_pair(const LifRecord& r) {
  static_assert(kOffset % 4 == 0 && kOffset + 8 <= int(sizeof(LifRecord)));
#if defined(__arm__)
  WordPair w;
  asm("ldrd %0, %1, [%2, %3]" : "=r"(w.a), "=r"(w.b) : "r"(&r), "I"(kOffset), "m"(r));
  return w;
#else
  const auto* words = reinterpret_cast<const int32_t*>(&r);
  return {words[kOffset / 4], words[kOffset / 4 + 1]};
#endif
}

constexpr int kStateExc = offsetof(LifRecord, exc);
constexpr int kGains = offsetof(LifRecord, p) + offsetof(LifFolded, k_exc);
constexpr int kBaseDecay = offsetof(LifRecord, p) + offsetof(LifFolded, base);
constexpr int kSynDecays = offsetof(LifRecord, p) + offsetof(LifFolded, decay_exc);
static_assert(offsetof(LifRecord, inh) == kStateExc + 4 && offsetof(LifFolded, k_inh) == 4 &&
              offsetof(LifFolded, decay_v) == offsetof(LifFolded, base) + 4 &&
              offsetof(LifFolded, decay_inh) == offsetof(LifFolded, decay_exc) + 4);

// One pass with branches where the common case is cheaper than a select
// (input above the limit, refractory, firing are all rare); a spike is
// appended when it happens. kFast: known_ranges holds and both weight shifts
// are left shifts (the usual case), so an input is one LSL and each product
// one SMMULR / SMMLAR. Same results as LifCurrExpBatch::step_one.
// Not inlined into `update`: on its own each form gets all the registers
// (inlined, the fast loop reloaded both shift amounts from the stack).
template <bool kFast>
__attribute__((noinline)) uint32_t update_records(LifRecord* records, uint32_t n, uint32_t* in_exc, uint32_t* in_inh, const RingInputScale& se,
                        const RingInputScale& si, uint16_t* fired, uint32_t& saturated) {
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
  LifRecord* const end = records + n;
  for (LifRecord* q = records; q != end; ++q, ++in_exc, ++in_inh) {
    const uint32_t re = *in_exc, ri = *in_inh;
    *in_exc = 0;
    *in_inh = 0;
    int32_t xe, xi;
    if (kFast && __builtin_expect((re | ri) <= both_limit, 1)) {
      xe = static_cast<int32_t>(re << e.lshift);
      xi = static_cast<int32_t>(ri << h.lshift);
    } else {
      xe = input(re, e);
      xi = input(ri, h);
    }
    const WordPair syn = load_pair<kStateExc>(*q);
    const int32_t exc = qadd(syn.a, xe);
    const int32_t inh = qadd(syn.b, xi);
    int32_t v = q->v;
    const int32_t r = q->refract;
    if (__builtin_expect(r > 0, 0)) {
      q->refract = r - 1;
    } else {
      const WordPair k = load_pair<kGains>(*q), bd = load_pair<kBaseDecay>(*q);
      const int32_t alpha = qsub(qadd(bd.a, M::gain(exc, uint32_t(k.a))), M::gain(inh, uint32_t(k.b)));
      v = qsub(alpha, M::decay(qsub(alpha, v), uint32_t(bd.b)));
    }
    if (__builtin_expect(v >= q->p.v_thresh, 0)) {
      v = q->p.v_reset;
      q->refract = q->p.refract_ticks;
      *out++ = static_cast<uint16_t>(q - records);
    }
    const WordPair d = load_pair<kSynDecays>(*q);
    q->v = v;
    q->exc = M::decay(exc, uint32_t(d.a));
    q->inh = M::decay(inh, uint32_t(d.b));
  }
  return static_cast<uint32_t>(out - fired);
}

}  // namespace

uint32_t LifCurrExpRecords::load(const IfCurrExp::Params* params, const IfCurrExp::State* state, uint32_t n,
                                 LifRecords& r) {
  for (uint32_t i = 0; i < n; ++i) {
    LifRecord& x = r.n[i];
    if (!LifCurrExpBatch::fold(params[i], x.p)) return i;
    x.exc = state[i].synapse.exc.raw;
    x.inh = state[i].synapse.inh.raw;
    x.v = state[i].membrane.v.raw;
    x.refract = state[i].membrane.refract_count;
  }
  return n;
}

bool LifCurrExpRecords::known_ranges(const LifRecords& r, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    const LifFolded& p = r.n[i].p;
    if (!LifCurrExpBatch::fast_factors(p.decay_v, p.decay_exc, p.decay_inh, p.k_exc, p.k_inh)) return false;
  }
  return true;
}

uint32_t LifCurrExpRecords::update(LifRecords& r, uint32_t n, uint32_t* in_exc, uint32_t* in_inh,
                                   const RingInputScale& scale_exc, const RingInputScale& scale_inh, bool ranges_known,
                                   uint16_t* fired, uint32_t& saturated) {
  if (ranges_known && scale_exc.rshift == 0 && scale_inh.rshift == 0)
    return update_records<true>(r.n, n, in_exc, in_inh, scale_exc, scale_inh, fired, saturated);
  return update_records<false>(r.n, n, in_exc, in_inh, scale_exc, scale_inh, fired, saturated);
}

}  // namespace spindle::fw
