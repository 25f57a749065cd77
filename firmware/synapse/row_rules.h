// Row rules: what a core does with the synaptic row of a spike that arrived.
// Core::add_row finds the row (population table) and hands it to the row rule
// of the core's synapse dynamics; a plastic rule plugs in here, next to the
// static one, with the same signature plus the state it keeps (the row's
// plastic region, the post neurons' spike history).
#pragma once

#include <cstdint>

#include "synapse/ring_buffer.h"

namespace spindle::fw {

// Static synapses: every word of the row adds its weight to the ring buffer
// at (arrival + delay); the row is never written.
struct StaticRowRule {
  static void process_row(RingBuffer& ring, uint32_t arrival, const uint32_t* words, uint32_t count,
                          uint32_t delay_type_index_mask) {
    ring.add_row(arrival, words, count, delay_type_index_mask);
  }
};

}  // namespace spindle::fw
