// SpikeSourceArray on a core: a list of (tick, neuron) sorted by tick,
// replayed by advancing a cursor.
#pragma once

#include <cstdint>

#include "image/format.h"

namespace spindle::fw {

class SpikeArraySource {
 public:
  void set(const image::SpikeTime* spikes, uint32_t n) {
    spikes_ = spikes;
    n_ = n;
    next_ = 0;
  }
  void rewind() { next_ = 0; }
  uint32_t size() const { return n_; }

  template <class Emit>
  void tick(uint32_t tick, Emit&& emit) {
    while (next_ < n_ && spikes_[next_].tick < tick) ++next_;  // skipped (late start)
    while (next_ < n_ && spikes_[next_].tick == tick) emit(spikes_[next_++].neuron, 1u);
  }

 private:
  const image::SpikeTime* spikes_ = nullptr;
  uint32_t n_ = 0;
  uint32_t next_ = 0;
};

}  // namespace spindle::fw
