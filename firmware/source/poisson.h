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
#include "config/limits.h"
#include "source/poisson_due_avx2.h"
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
    for (uint32_t i = 0; i < n_; ++i) set_next_time(i, after(uint64_t{sources_[i].start_tick} << 32, sources_[i], rng));
  }
  uint32_t size() const { return n_; }

  // Calls emit(index, count) for each source that fires in this tick, in
  // index order. Returns how many sources were cut at
  // kMaxSpikesPerSourcePerTick.
  template <class Emit>
  uint32_t tick(uint32_t tick, Rng& rng, Emit&& emit) {
    uint32_t capped = 0;
#if defined(__x86_64__)
    // Host: the due sources as a bit mask, 8 compares an instruction. The
    // mask can be taken before any fires: firing moves only that source's
    // due tick, and past this one.
    if (poisson_due_avx2_available()) {
      uint32_t due[kPoissonDueWords];
      poisson_due_mask_avx2(due_tick_, n_, tick, due);
      for (uint32_t w = 0; w * kPoissonDueWordBits < n_; ++w)
        for (uint32_t bits = due[w]; bits != 0; bits &= bits - 1)
          fire(w * kPoissonDueWordBits + static_cast<uint32_t>(__builtin_ctz(bits)), tick, rng, emit, capped);
      return capped;
    }
#endif
    // Cortex-M4 (and hosts without AVX2): a sentinel due in this tick past
    // the last source ends the scan, so skipping a source is a load, a
    // compare and a branch.
    due_tick_[n_] = tick;
    for (uint32_t i = 0;; ++i) {
      while (due_tick_[i] != tick) ++i;
      if (i == n_) break;
      fire(i, tick, rng, emit, capped);
    }
    return capped;
  }

 private:
  // Inlined into both scans: a call per due source cost more than the
  // host's vector scan saved (callgrind).
  template <class Emit>
  __attribute__((always_inline)) void fire(uint32_t i, uint32_t tick, Rng& rng, Emit& emit, uint32_t& capped) {
    const image::PoissonSource& s = sources_[i];
    uint64_t time = next_time(i);
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
    set_next_time(i, time);
    emit(i, count);
  }

  uint64_t next_time(uint32_t i) const { return (uint64_t{due_tick_[i]} << 32) | due_fraction_[i]; }
  void set_next_time(uint32_t i, uint64_t time) {
    due_tick_[i] = static_cast<uint32_t>(time >> 32);
    due_fraction_[i] = static_cast<uint32_t>(time);
  }

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
  // Each source's next event time, u32.32 ticks, split so that the per-tick
  // scan reads only the whole ticks (4 bytes a source, 8 to a vector on the
  // host), in the same RAM as one u64 array.
  uint32_t due_tick_[kMaxSourcesPerCore + 1] = {};  // + the scan's sentinel
  uint32_t due_fraction_[kMaxSourcesPerCore] = {};
};

}  // namespace spindle::fw
