// What a core records between drains: spikes and sampled state variables, in
// bounded buffers. The host (or the board's link) drains them; whatever does
// not fit is counted in provenance.
#pragma once

#include <cstdint>

#include "runtime/bounded_buffer.h"
#include "config/limits.h"

namespace spindle::fw {

struct SpikeRecord {
  uint32_t tick;
  uint32_t neuron;
};

// kSegmentSpikes: the segments that fired an NMDA spike in the step before
// the sample, bit k for segment k, as a whole number.
enum class StateVariable : uint16_t { kV = 0, kGsynExc = 1, kGsynInh = 2, kThreshold = 3, kSegmentSpikes = 4 };

struct StateRecord {
  uint32_t tick;
  uint16_t neuron;
  uint16_t variable;  // StateVariable
  int32_t value;      // s16.15 raw
};

using SpikeRecordBuffer = BoundedBuffer<SpikeRecord, kSpikeRecordCapacity>;
using StateRecordBuffer = BoundedBuffer<StateRecord, kStateRecordCapacity>;

}  // namespace spindle::fw
