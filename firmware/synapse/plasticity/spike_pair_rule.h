// Timing dependence of pair STDP (PyNN SpikePairRule): exponential windows
//   potentiation  A+ exp(-dt / tau+)  for a post spike dt after a pre spike,
//   depression    A- exp(-dt / tau-)  for a pre spike dt after a post spike,
// kept as traces in u4.11 (stdp_fixed.h). The pre trace lives in the plastic
// row's header, the post trace in the post-spike history; both decay by their
// table between spikes, from the value right after the last spike:
//   all-to-all    trace <- decay(trace, dt) + 1  (every earlier spike pairs)
//   nearest-pair  trace <- 1                     (only the latest spike pairs)
// A trace is only ever decayed in one step from the last spike to the time it
// is read, never step by step, so its value does not depend on when it is read.
#pragma once

#include <cstdint>

#include "synapse/plasticity/stdp_fixed.h"

namespace spindle::fw::stdp {

enum class PairScheme : uint8_t { kAllToAll, kNearestPair };

template <PairScheme kScheme>
struct SpikePairRule {
  static constexpr PairScheme kPairScheme = kScheme;

  ExpLut plus;   // tau+ : reads the pre trace at post spikes (potentiation)
  ExpLut minus;  // tau- : reads the post trace at pre spikes (depression)

  // The trace right after a spike, given the trace right after the previous
  // one (0 if none) and the ticks between them.
  static constexpr uint32_t next_trace(uint32_t trace, uint32_t dt, const ExpLut& lut) {
    if constexpr (kScheme == PairScheme::kNearestPair) {
      (void)trace, (void)dt, (void)lut;
      return kTraceOne;
    } else {
      return saturate_trace(decay_trace(trace, lut.at(dt)) + kTraceOne);
    }
  }
  constexpr uint32_t next_pre_trace(uint32_t trace, uint32_t dt) const { return next_trace(trace, dt, plus); }
  constexpr uint32_t next_post_trace(uint32_t trace, uint32_t dt) const { return next_trace(trace, dt, minus); }

  // Potentiation at a post spike dt ticks after the last pre spike, and
  // depression at a pre spike dt ticks after the last post spike: the
  // decayed trace, u4.11.
  constexpr uint32_t potentiation(uint32_t pre_trace, uint32_t dt) const { return decay_trace(pre_trace, plus.at(dt)); }
  constexpr uint32_t depression(uint32_t post_trace, uint32_t dt) const { return decay_trace(post_trace, minus.at(dt)); }
};

using AllToAllSpikePairRule = SpikePairRule<PairScheme::kAllToAll>;
using NearestPairSpikePairRule = SpikePairRule<PairScheme::kNearestPair>;

}  // namespace spindle::fw::stdp
