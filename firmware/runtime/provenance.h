// Provenance counters every core keeps and reports at the end of a run.
// Anything a core drops is counted here: nothing is lost silently.
#pragma once

#include <cstdint>

namespace spindle::fw {

struct Provenance {
  uint32_t ticks = 0;
  uint32_t packets_received = 0;      // accepted into the input queue
  uint32_t packets_sent = 0;
  uint32_t packets_send_failed = 0;   // the platform refused an outgoing packet
  uint32_t input_queue_overflows = 0; // incoming packets dropped: queue full
  uint32_t packets_no_match = 0;      // incoming key not in the population table
  uint32_t synaptic_events = 0;       // synaptic words processed
  uint32_t ring_saturations = 0;      // ring-buffer entries that saturated
  uint32_t tick_overruns = 0;         // ticks that took longer than the timestep
  uint32_t max_queue_depth = 0;
  uint32_t spike_records_dropped = 0; // recording buffer full
  uint32_t state_records_dropped = 0;
  uint32_t spikes_emitted = 0;        // spikes of this core's neurons or sources
  uint32_t poisson_capped = 0;        // Poisson draws cut at kMaxSpikesPerSourcePerTick (spikes lost)
  uint32_t post_history_overwrites = 0;  // STDP: post spikes pushed out of a full history ring
  uint32_t stdp_pairs_missed = 0;        // STDP: updates that needed a spike no longer in the history
};

// Field list in one place, for printing and serialising.
template <class F>
void for_each_counter(const Provenance& p, F&& f) {
  f("ticks", p.ticks);
  f("packets_received", p.packets_received);
  f("packets_sent", p.packets_sent);
  f("packets_send_failed", p.packets_send_failed);
  f("input_queue_overflows", p.input_queue_overflows);
  f("packets_no_match", p.packets_no_match);
  f("synaptic_events", p.synaptic_events);
  f("ring_saturations", p.ring_saturations);
  f("tick_overruns", p.tick_overruns);
  f("max_queue_depth", p.max_queue_depth);
  f("spike_records_dropped", p.spike_records_dropped);
  f("state_records_dropped", p.state_records_dropped);
  f("spikes_emitted", p.spikes_emitted);
  f("poisson_capped", p.poisson_capped);
  f("post_history_overwrites", p.post_history_overwrites);
  f("stdp_pairs_missed", p.stdp_pairs_missed);
}

}  // namespace spindle::fw
