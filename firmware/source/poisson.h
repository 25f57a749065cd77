// SpikeSourcePoisson on a core. Each tick, each active source draws its
// spike count with Knuth's method: multiply u0.32 uniforms until the product
// falls to exp(-lambda), lambda = rate x dt (precomputed on the host). Integer
// only, one per-core random stream: the same seed gives the same spikes on
// every platform. Counts are capped at kMaxSpikesPerSourcePerTick; a draw cut
// there is reported, and the core counts it in provenance (poisson_capped).
#pragma once

#include <cstdint>

#include "fixed/fixed_point.h"
#include "image/format.h"
#include "runtime/limits.h"
#include "util/rng.h"

namespace spindle::fw {

// Number of events this tick for one source with u0.32 threshold exp(-lambda),
// at most kMaxSpikesPerSourcePerTick. *capped (if given) is set when the draw
// was cut at that limit, i.e. it had more events than were returned.
inline uint32_t poisson_draw(Rng& rng, uint32_t exp_minus_lambda, bool* capped = nullptr) {
  // p starts at 1.0 (2^32 in a 64-bit u0.32) and shrinks by a uniform factor per draw.
  uint64_t p = uint64_t{1} << 32;
  uint32_t k = 0;
  for (;;) {
    p = (p * rng.next()) >> 32;
    if (p <= exp_minus_lambda) return k;
    if (k == kMaxSpikesPerSourcePerTick) {
      if (capped != nullptr) *capped = true;
      return k;
    }
    ++k;
  }
}

class PoissonSources {
 public:
  void set(const image::PoissonSource* sources, uint32_t n) {
    sources_ = sources;
    n_ = n;
  }
  uint32_t size() const { return n_; }

  // Calls emit(index, count) for each source that fires in this tick.
  // Returns how many draws were cut at kMaxSpikesPerSourcePerTick.
  template <class Emit>
  uint32_t tick(uint32_t tick, Rng& rng, Emit&& emit) const {
    uint32_t capped_draws = 0;
    for (uint32_t i = 0; i < n_; ++i) {
      const image::PoissonSource& s = sources_[i];
      if (tick < s.start_tick || tick >= s.end_tick) continue;
      bool capped = false;
      const uint32_t count = poisson_draw(rng, s.exp_minus_lambda, &capped);
      if (capped) ++capped_draws;
      if (count != 0) emit(i, count);
    }
    return capped_draws;
  }

 private:
  const image::PoissonSource* sources_ = nullptr;
  uint32_t n_ = 0;
};

}  // namespace spindle::fw
