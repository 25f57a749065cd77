// SpikeSourcePoisson on a core, as the Poisson process it is: each source
// keeps the time of its next event (u32.32 ticks) and draws the interval to
// the one after from the exponential distribution,
//   interval = -ln(u) x mean interval,  mean interval = 1 / (rate x dt) ticks,
// -ln(u) from util/neg_log.h (integer only). The events in tick t are those
// whose time falls in [t, t + 1): a Poisson(rate x dt) count per tick,
// independent across ticks, for every rate; a slow source costs nothing in
// the ticks between its events but a compare (Knuth's product method, before,
// drew 1 + rate x dt uniforms per source and tick, about 6 per spike at
// 200 Hz and 1 ms). One per-core random stream: the same seed gives the same
// spikes on every platform.
//
// Counts are capped at kMaxSpikesPerSourcePerTick: when a tick holds more
// events, the source emits the cap, the core counts it in provenance
// (poisson_capped), and the process restarts at the end of the tick (exact:
// the Poisson process has no memory), so a tick costs at most cap + 1 draws.
#pragma once

#include <cstdint>

#include "image/format.h"
#include "runtime/limits.h"
#include "util/neg_log.h"
#include "util/rng.h"

namespace spindle::fw {

inline constexpr uint64_t kPoissonNever = UINT64_MAX;  // next-event time of a source that is done
inline constexpr uint32_t kMaxPoissonIntervalShift = 63;

// One exponential interval, u32.32 ticks: -ln(u) (u5.27) x mantissa >> shift
// is -ln(u) x mantissa x 2^-(shift + 5) ticks, i.e. the source's mean
// interval times an Exp(1) variate.
inline uint64_t poisson_interval(Rng& rng, uint32_t mean_interval, uint32_t interval_shift) {
  return (uint64_t{neg_log_uniform(rng.next())} * mean_interval) >> interval_shift;
}

class PoissonSources {
 public:
  // The sources must have interval_shift <= kMaxPoissonIntervalShift (the
  // core's loader checks). Draws each source's first event from the stream.
  void set(const image::PoissonSource* sources, uint32_t n, Rng& rng) {
    sources_ = sources;
    n_ = n;
    for (uint32_t i = 0; i < n_; ++i) next_[i] = after(uint64_t{sources_[i].start_tick} << 32, sources_[i], rng);
  }
  uint32_t size() const { return n_; }

  // Calls emit(index, count) for each source that fires in this tick.
  // Returns how many sources were cut at kMaxSpikesPerSourcePerTick.
  template <class Emit>
  uint32_t tick(uint32_t tick, Rng& rng, Emit&& emit) {
    uint32_t capped = 0;
    for (uint32_t i = 0; i < n_; ++i) {
      if (static_cast<uint32_t>(next_[i] >> 32) != tick) continue;
      const image::PoissonSource& s = sources_[i];
      uint64_t time = next_[i];
      uint32_t count = 0;
      do {
        if (count == kMaxSpikesPerSourcePerTick) {
          ++capped;
          time = after((uint64_t{tick} + 1) << 32, s, rng);
          break;
        }
        ++count;
        time = after(time, s, rng);
      } while (static_cast<uint32_t>(time >> 32) == tick);
      next_[i] = time;
      emit(i, count);
    }
    return capped;
  }

 private:
  // The next event after `time`, or kPoissonNever past the source's end (or
  // for rate 0, mean_interval 0).
  static uint64_t after(uint64_t time, const image::PoissonSource& s, Rng& rng) {
    if (s.mean_interval == 0 || (time >> 32) >= s.end_tick) return kPoissonNever;
    const uint64_t next = time + poisson_interval(rng, s.mean_interval, s.interval_shift);
    if (next < time || (next >> 32) >= s.end_tick) return kPoissonNever;
    return next;
  }

  const image::PoissonSource* sources_ = nullptr;
  uint32_t n_ = 0;
  uint64_t next_[kMaxSourcesPerCore] = {};  // u32.32 ticks of each source's next event
};

}  // namespace spindle::fw
