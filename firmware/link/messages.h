// Payload codecs shared by the core server and the host client: packet
// lists, recordings and provenance words (docs/link-protocol.md).
#pragma once

#include <cstdint>

#include "link/protocol.h"
#include "link/wire.h"
#include "platform/platform.h"
#include "runtime/provenance.h"
#include "runtime/recording.h"

namespace spindle::fw::link {

inline uint32_t packet_bytes(const Packet& p) { return p.has_payload ? 9u : 5u; }

inline void write_packet(Writer& w, const Packet& p) {
  w.u8(p.has_payload ? kPacketWithPayload : kPacketKeyOnly).u32(p.key);
  if (p.has_payload) w.u32(p.payload);
}

// False on a bad tag or a short payload.
inline bool read_packet(Reader& r, Packet& p) {
  const uint8_t tag = r.u8();
  if (tag != kPacketKeyOnly && tag != kPacketWithPayload) return false;
  p.key = r.u32();
  p.has_payload = tag == kPacketWithPayload;
  p.payload = p.has_payload ? r.u32() : 0;
  return r.ok();
}

inline void write_spike(Writer& w, const SpikeRecord& s) { w.u32(s.tick).u32(s.neuron); }
inline SpikeRecord read_spike(Reader& r) {
  SpikeRecord s{};
  s.tick = r.u32();
  s.neuron = r.u32();
  return s;
}
inline void write_state(Writer& w, const StateRecord& s) {
  w.u32(s.tick).u16(s.neuron).u16(s.variable).u32(static_cast<uint32_t>(s.value));
}
inline StateRecord read_state(Reader& r) {
  StateRecord s{};
  s.tick = r.u32();
  s.neuron = r.u16();
  s.variable = r.u16();
  s.value = static_cast<int32_t>(r.u32());
  return s;
}

inline void write_provenance(Writer& w, const Provenance& p) {
  for_each_counter(p, [&](const char*, uint32_t v) { w.u32(v); });
}

inline Provenance read_provenance(Reader& r) {
  Provenance p{};
  uint32_t* fields[kProvenanceWords] = {
      &p.ticks,           &p.packets_received,      &p.packets_sent,          &p.packets_send_failed,
      &p.input_queue_overflows, &p.packets_no_match, &p.synaptic_events,      &p.ring_saturations,
      &p.tick_overruns,   &p.max_queue_depth,       &p.spike_records_dropped, &p.state_records_dropped,
      &p.spikes_emitted,  &p.poisson_capped,        &p.post_history_overwrites, &p.stdp_pairs_missed};
  for (uint32_t* f : fields) *f = r.u32();
  return p;
}

}  // namespace spindle::fw::link
