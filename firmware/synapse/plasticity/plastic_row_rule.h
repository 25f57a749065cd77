// Pair STDP's row rule: sPyNNaker's deferred update, done when a pre spike's
// plastic row is processed (the seam of synapse/row_rules.h), composed at
// compile time from a timing rule (spike_pair_rule.h) and a weight rule
// (weight_dependence.h).
//
// Timing. The synapse's whole delay d is dendritic (PyNN's default
// dendritic_delay_fraction 1.0, as NEST and sPyNNaker): a pre spike arriving
// at tick t is at the synapse at t, a post spike at tick p reaches it at p + d,
// so a pair's dt is p + d - t. At a pre spike arriving at t, for each synapse:
//   (a) potentiation, for each post spike with p + d in (window_begin, t], in
//       time order: the pre trace decayed from the last pre spike to p + d;
//   (b) depression: the trace of the latest post spike with p + d <= t,
//       decayed to t (a pair with p + d = t is depression only, as NEST);
//   the weight is written back to the row and added to the ring buffer at
//   t + d. Then the header's pre trace and last pre tick move to t.
// This equals applying every pair online in time order (post before pre at
// equal times), which tests/firmware/stdp_test.cpp checks bit for bit.
//
// Requirements on the caller: every post spike with p <= t - 1 is in the
// history before a row arriving at t is processed (d >= 1); later ones may be
// there too (they are skipped). Arrival ticks of one row never decrease, and
// flush(end) is only called with end <= every later arrival. Ticks must not
// wrap (2^32 ticks).
//
// Rows of one tick touch disjoint state (each its own row) and only read the
// history; the ring buffer sums saturate: the order rows arrive in does not
// matter.
#pragma once

#include <cstdint>

#include "synapse/plasticity/additive_depression_pass.h"
#include "synapse/plasticity/plastic_row.h"
#include "synapse/plasticity/weight_dependence.h"
#include "synapse/ring_buffer.h"
#include "synapse/synaptic_word.h"

namespace spindle::fw::stdp {

template <typename Timing, typename Weight>
class PlasticRowRule {
 public:
  Timing timing;
  Weight weight;

  void configure(const Timing& t, const Weight& w, const SynapticWordLayout& layout) {
    timing = t;
    weight = w;
    index_mask_ = SynapticWordLayout::mask(layout.index_bits);
    delay_shift_ = layout.index_bits + layout.type_bits;
    delay_type_index_mask_ = layout.delay_type_index_mask();
  }

  // The pre spike of a plastic row arrived at tick arrival (row: its header word).
  //
  // Two passes per chunk of kChunk synapses. The hot loop handles the common
  // synapse, whose post neuron's newest spike reached it at or before the
  // window start (no potentiation, depression by that spike), and only notes
  // the others' indices; the second loop handles those. Kept apart, the hot
  // loop's values fit Cortex-M4's registers (one loop holding both paths
  // reloaded ~15 of 53 instructions per synapse). The ring buffer's sums are
  // saturating additions of non-negative weights, so the order of the adds
  // (fast synapses first) does not change the ring.
  template <typename History>
  void process_row(RingBuffer& ring, uint32_t arrival, uint32_t* row, uint32_t count, History& history) const {
    const PlasticRow r = PlasticRow::of(row, count);
    PlasticRowHeader& h = *r.header;
    const uint32_t last_pre = h.last_pre_tick, begin = h.window_begin, pre_trace = h.pre_trace;
    // Locals: the ring buffer's and the row's stores may alias *this, which
    // would make the compiler reload every field for every synapse.
    const uint32_t delay_shift = delay_shift_, index_mask = index_mask_, dti_mask = delay_type_index_mask_;
    const RingBuffer::RowAdder adder = ring.row_adder(arrival);
    const auto* const newest = &history.newest(0);
    const uint32_t* const previous = &history.previous_tick(0);
    uint8_t later[kChunk];  // the chunk's synapses the hot loop left (index in the chunk)
#if defined(__thumb2__)
    // Cortex-M: the additive rule's hot loop in assembly
    // (additive_depression_pass.h), its constants set once per row.
    [[maybe_unused]] const AdditiveDepressionPass pass = additive_pass(weight, arrival, begin, adder, later);
#endif
    for (uint32_t k0 = 0; k0 < count; k0 += kChunk) {
      const uint32_t length = count - k0 > kChunk ? kChunk : count - k0;
      const uint8_t* left;
#if defined(__thumb2__)
      if constexpr (kAdditive) {
        static_assert(sizeof(*newest) == 8, "the assembly reads {tick, trace} pairs");
        left = spindle_stdp_additive_depression_pass(r.control + k0, r.weights + k0, length, newest, &pass);
      } else
#endif
      {
        left = hot_pass(r.control + k0, r.weights + k0, length, arrival, begin, adder, newest, later);
      }
      for (const uint8_t* p = later; p != left; ++p) {
        const uint32_t k = k0 + *p;
        const uint32_t c = r.control[k] & dti_mask;
        const uint32_t n = c & index_mask, d = c >> delay_shift;
        const auto last = newest[n];
        const uint32_t at = last.tick + d;  // > begin
        uint32_t w = r.weights[k];
        if (at <= arrival && previous[n] + d <= begin) {
          // Only the newest spike is in the window (the common case with a
          // post spike since the last pre spike): it potentiates, and it is
          // the latest at or before arrival, so it depresses; the search
          // would find the same spike (and no lost one: the one before it
          // is in the ring or is the boundary, at or before begin).
          w = weight.potentiate(w, timing.potentiation(pre_trace, at - last_pre));
          w = weight.depress(w, timing.depression(last.trace, arrival - at));
        } else {
          w = search<true>(w, n, d, arrival, begin, last_pre, pre_trace, history);
        }
        r.weights[k] = static_cast<uint16_t>(w);
        adder.add(c, w);
      }
    }
    h.pre_trace = timing.next_pre_trace(pre_trace, arrival - last_pre);
    h.last_pre_tick = arrival;
    h.window_begin = arrival;
  }

  // Applies the potentiation of post spikes that reached the synapse in
  // (window_begin, end] (after the last pre spike; sPyNNaker never applies
  // them), so the row's weights are current at end; nothing goes to the ring
  // buffer. The window moves to end, so a later pre spike does not apply them
  // again: a run may go on after a read-out. The same shortcuts as
  // process_row: a newest spike at or before the window start leaves the
  // synapse as it is, one alone in the window potentiates without a search.
  template <typename History>
  void flush(uint32_t end, uint32_t* row, uint32_t count, History& history) const {
    const PlasticRow r = PlasticRow::of(row, count);
    PlasticRowHeader& h = *r.header;
    const uint32_t last_pre = h.last_pre_tick, begin = h.window_begin, pre_trace = h.pre_trace;
    if (end <= begin) return;
    const uint32_t delay_shift = delay_shift_, index_mask = index_mask_, dti_mask = delay_type_index_mask_;
    const auto* const newest = &history.newest(0);
    const uint32_t* const previous = &history.previous_tick(0);
    for (uint32_t k = 0; k < count; ++k) {
      const uint32_t c = r.control[k] & dti_mask;
      const uint32_t n = c & index_mask, d = c >> delay_shift;
      const uint32_t at = newest[n].tick + d;
      if (at <= begin) continue;  // no spike in the window
      uint32_t w = r.weights[k];
      if (at <= end && previous[n] + d <= begin)
        w = weight.potentiate(w, timing.potentiation(pre_trace, at - last_pre));
      else
        w = search<false>(w, n, d, end, begin, last_pre, pre_trace, history);
      r.weights[k] = static_cast<uint16_t>(w);
    }
    h.window_begin = end;
  }

 private:
  // process_row's hot loop over length <= kChunk synapses (control and
  // weights of the chunk): those whose post neuron's newest spike reached
  // them at or before begin (depression by it, nothing else); the others'
  // indices go to later, and it returns one past the last. A function of
  // its own (called once per chunk), so that only its values compete for
  // registers.
  template <typename NewestEntry>
  [[gnu::noinline]] uint8_t* hot_pass(const uint16_t* control, uint16_t* weights, uint32_t length, uint32_t arrival,
                                      uint32_t begin, const RingBuffer::RowAdder& ring, const NewestEntry* newest,
                                      uint8_t* later) const {
    // Control words hold nothing but delay, type and index (Core checks
    // them at load): the delay is one shift, the index one mask.
    const uint32_t delay_shift = delay_shift_, index_mask = index_mask_;
    const RingBuffer::RowAdder adder = ring;
    for (uint32_t k = 0; k != length; ++k) {
      const uint32_t c = control[k];
      const uint32_t n = c & index_mask, d = c >> delay_shift;
      const auto last = newest[n];
      const uint32_t at = last.tick + d;
      if (at > begin) [[unlikely]] {
        *later++ = static_cast<uint8_t>(k);
        continue;
      }
      // What update() would find with its search. Trace 0: the neuron never
      // fired, nothing to do.
      uint32_t w = weights[k];
      if (last.trace != 0) [[likely]] {
        w = weight.depress(w, timing.depression(last.trace, arrival - at));
        weights[k] = static_cast<uint16_t>(w);
      }
      adder.add(c, w);
    }
    return later;
  }

#if defined(__thumb2__)
  // The assembly hot loop's constants for one row (the additive rule's; a
  // template, so that other weight rules, without a_minus, never build it).
  template <typename W>
  AdditiveDepressionPass additive_pass(const W& w, uint32_t arrival, uint32_t begin, const RingBuffer::RowAdder& ring,
                                       uint8_t* later) const {
    if constexpr (__is_same(W, AdditiveWeightDependence)) {
      return {delay_shift_, begin, ring.words, ring.base, ring.mask, index_mask_, arrival - begin,
              timing.minus.time_shift, timing.minus.values, w.a_minus, w.w_min, later};
    } else {
      return {};
    }
  }
#endif

  // update() out of line: the rare synapses with more than the newest post
  // spike in the window (or a history that wrapped), kept out of the loops.
  template <bool kDepress, typename History>
  [[gnu::noinline]] uint32_t search(uint32_t w, uint32_t n, uint32_t d, uint32_t t, uint32_t begin, uint32_t last_pre,
                                    uint32_t pre_trace, History& history) const {
    return update<kDepress>(w, n, d, t, begin, last_pre, pre_trace, history);
  }

  // One synapse (post neuron n, delay d): potentiation by the post spikes
  // reaching it in (begin, t], then (kDepress) depression at t.
  template <bool kDepress, typename History>
  [[gnu::always_inline]] uint32_t update(uint32_t w, uint32_t n, uint32_t d, uint32_t t, uint32_t begin, uint32_t last_pre, uint32_t pre_trace,
                  History& history) const {
    constexpr uint32_t kMask = History::kMask;
    const uint32_t* const ticks = history.ticks(n);
    const uint32_t lo = history.first(n);
    // i: one past the latest spike at the synapse by t; j: the first after begin.
    uint32_t i = history.count(n);
    while (i != lo && ticks[(i - 1) & kMask] + d > t) --i;
    uint32_t j = i;
    while (j != lo && ticks[(j - 1) & kMask] + d > begin) --j;
    // Spikes before the oldest kept one are gone. If the latest of them (the
    // boundary) would have counted, or is too recent to tell (then an older
    // one may have), a pair was lost: counted once (conservatively).
    bool lost = false;
    if (j == lo && history.has_boundary(n)) [[unlikely]] {
      const uint32_t b = history.boundary_tick(n) + d;
      lost = b > begin && (b > t || timing.potentiation(pre_trace, b - last_pre) != 0);
    }
    for (; j != i; ++j) w = weight.potentiate(w, timing.potentiation(pre_trace, ticks[j & kMask] + d - last_pre));
    if constexpr (kDepress) {
      if (i != lo) {
        const uint32_t p = (i - 1) & kMask;
        w = weight.depress(w, timing.depression(history.traces(n)[p], t - (ticks[p] + d)));
      } else if (history.has_boundary(n)) [[unlikely]] {
        const uint32_t b = history.boundary_tick(n) + d;
        if (b <= t)
          w = weight.depress(w, timing.depression(history.boundary_trace(n), t - b));
        else
          lost = true;  // the spike it needed is older than the boundary
      }
    }
    if (lost) [[unlikely]]
      history.count_missed();
    return w;
  }

  static constexpr bool kAdditive = __is_same(Weight, AdditiveWeightDependence);

  // Synapses per pass of process_row (its index list is on the stack): as
  // many as an ARM core has neurons, so a row of an all-to-all projection is
  // one pass there.
  static constexpr uint32_t kChunk = 256;
  static_assert(kChunk <= 256, "chunk indices are bytes");

  uint32_t index_mask_ = 0;
  uint32_t delay_shift_ = 0;
  uint32_t delay_type_index_mask_ = 0;
};

}  // namespace spindle::fw::stdp
