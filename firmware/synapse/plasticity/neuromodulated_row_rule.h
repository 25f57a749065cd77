// Dopamine-modulated STDP's row rule (Izhikevich 2007; sPyNNaker's
// Neuromodulation): pair STDP steps each synapse's eligibility trace c, not
// its weight, and the weight follows the post neuron's dopamine level d:
//   dc/dt = -c / tau_c + STDP pairs     (c kept in [-c_max, c_max])
//   dd/dt = -d / tau_d + reward - punishment
//   dw/dt = c d / 1 ms                  (w kept in [w_min, w_max])
// integrated exactly between events (neuromodulation_fixed.h).
//
// Deferred, as pair STDP (plastic_row_rule.h, same timing: the whole delay
// is dendritic, post spikes and dopamine events of the post neuron reach
// the synapse delay ticks after they happen). The canonical state (c and
// the weight state at the row's window start) changes only at a pre spike:
// at a pre spike arriving at t each synapse walks the post spikes and
// dopamine events that reached it in (window_begin, t] in time order,
// integrating w and decaying c and d between them; a post spike adds
// A+ x (the pre trace) to c, a dopamine event sets d to its level; at t, A-
// x (the latest post spike's trace) is taken from c (a pair at equal times
// is depression only). The weight, rounded to 16 bits, goes to the ring
// buffer at t + delay.
//
// flush() brings the 16-bit weights up to a tick for reading without
// moving the canonical state (commit = false), so reading weights out
// changes nothing that follows; a learning-rate change commits it (the
// pending pairs count at the old rate).
#pragma once

#include <cstdint>

#include "image/format.h"
#include "synapse/plasticity/dopamine_history.h"
#include "synapse/plasticity/neuromodulation_fixed.h"
#include "synapse/plasticity/plastic_row.h"
#include "synapse/plasticity/weight_dependence.h"
#include "synapse/ring_buffer.h"
#include "synapse/synaptic_word.h"

namespace spindle::fw::stdp {

template <typename Timing>
class NeuromodulatedRowRule {
 public:
  using Dopamine = DopamineHistoryView<kDopamineHistorySize>;

  Timing timing;
  // w_min, w_max bound the weight; a_plus, a_minus are c's steps.
  AdditiveWeightDependence weight;

  void configure(const Timing& t, const AdditiveWeightDependence& w, const SynapticWordLayout& layout,
                 const image::NeuromodulationRegionHeader& h, Dopamine& dopamine) {
    timing = t;
    weight = w;
    index_mask_ = SynapticWordLayout::mask(layout.index_bits);
    delay_shift_ = layout.index_bits + layout.type_bits;
    delay_type_index_mask_ = layout.delay_type_index_mask();
    c_decay_ = h.c_decay;
    d_decay_ = h.d_decay;
    integral_scale_ = h.integral_scale;
    c_max_ = static_cast<int32_t>(h.c_max << kEligibilityFracBits);
    w_lo_ = static_cast<int32_t>(w.w_min << kWeightStateFracBits);
    w_hi_ = static_cast<int32_t>(w.w_max << kWeightStateFracBits);
    dopamine_ = &dopamine;
  }

  // The pre spike of a row arrived at tick arrival (row: its header word).
  template <typename History>
  void process_row(RingBuffer& ring, uint32_t arrival, uint32_t* row, uint32_t count, History& history) const {
    const NeuromodulatedRow r = NeuromodulatedRow::of(row, count);
    PlasticRowHeader& h = *r.header;
    const Window win = window(h, arrival);
    const RingBuffer::RowAdder adder = ring.row_adder(arrival);
    for (uint32_t k = 0; k < count; ++k) {
      const uint32_t c = r.control[k] & delay_type_index_mask_;
      uint32_t w = r.weight_state[k];
      int32_t e = r.eligibility[k];
      update(true, true, w, e, c & index_mask_, c >> delay_shift_, arrival, win, history);
      r.weight_state[k] = w;
      r.eligibility[k] = e;
      const uint32_t w16 = rounded(w);
      r.weights[k] = static_cast<uint16_t>(w16);
      adder.add(c, w16);
    }
    h.pre_trace = timing.next_pre_trace(win.pre_trace, arrival - win.last_pre);
    h.last_pre_tick = arrival;
    h.window_begin = arrival;
  }

  // The 16-bit weights as they are at tick end (nothing to the ring); with
  // commit, c and the weight state move to end as well.
  template <typename History>
  void flush(uint32_t end, uint32_t* row, uint32_t count, History& history, bool commit) const {
    const NeuromodulatedRow r = NeuromodulatedRow::of(row, count);
    PlasticRowHeader& h = *r.header;
    if (end <= h.window_begin) return;
    const Window win = window(h, end);
    for (uint32_t k = 0; k < count; ++k) {
      const uint32_t c = r.control[k] & delay_type_index_mask_;
      uint32_t w = r.weight_state[k];
      int32_t e = r.eligibility[k];
      update(false, commit, w, e, c & index_mask_, c >> delay_shift_, end, win, history);
      r.weights[k] = static_cast<uint16_t>(rounded(w));
      if (commit) {
        r.weight_state[k] = w;
        r.eligibility[k] = e;
      }
    }
    if (commit) h.window_begin = end;
  }

 private:
  // A row's window and, computed once for its synapses, the factors over
  // the whole of it (what every synapse without an event in it needs).
  struct Window {
    uint32_t begin, last_pre, pre_trace;
    uint32_t span, f_c, f_d, k;  // span = t - begin
  };
  Window window(const PlasticRowHeader& h, uint32_t t) const {
    Window w{h.window_begin, h.last_pre_tick, h.pre_trace, t - h.window_begin, 0, 0, 0};
    w.f_c = decay_over(c_decay_, w.span);
    w.f_d = decay_over(d_decay_, w.span);
    w.k = integral_factor(integral_scale_, w.f_c, w.f_d);
    return w;
  }

  static constexpr uint32_t rounded(uint32_t w_state) {
    return (w_state + (1u << (kWeightStateFracBits - 1))) >> kWeightStateFracBits;
  }

  int32_t clamp_c(int64_t c) const { return c > c_max_ ? c_max_ : c < -c_max_ ? -c_max_ : static_cast<int32_t>(c); }

  // The synapse's weight state w and eligibility c, from the window start
  // to t (with the pre spike's depression at t if depress): post neuron n,
  // delay dl. Events the synapse needed but the histories lost are counted
  // if count_lost: once, when the window moves (a read-out leaves it, and
  // would count them again). One out-of-line function for both uses (flash
  // on a board).
  template <typename History>
  [[gnu::noinline]] void update(bool depress, bool count_lost, uint32_t& w_io, int32_t& c_io, uint32_t n, uint32_t dl, uint32_t t, const Window& win,
              History& history) const {
    constexpr uint32_t kPostMask = History::kMask;
    constexpr uint32_t kDopaMask = Dopamine::kMask;
    const Dopamine& dh = *dopamine_;
    bool lost = false;
    // Post spikes reaching the synapse in (begin, t]: [pj, pi).
    const uint32_t* const pticks = history.ticks(n);
    const uint32_t plo = history.first(n);
    uint32_t pi = history.count(n);
    while (pi != plo && pticks[(pi - 1) & kPostMask] + dl > t) --pi;
    uint32_t pj = pi;
    while (pj != plo && pticks[(pj - 1) & kPostMask] + dl > win.begin) --pj;
    if (pj == plo && history.has_boundary(n)) [[unlikely]] {
      const uint32_t b = history.boundary_tick(n) + dl;
      lost = b > win.begin && (b > t || timing.potentiation(win.pre_trace, b - win.last_pre) != 0);
    }
    // Dopamine events reaching it in (begin, t]: [dj, di); the level at begin.
    const uint32_t* const dticks = dh.ticks(n);
    const int32_t* const dlevels = dh.levels(n);
    const uint32_t dlo = dh.first(n);
    uint32_t di = dh.count(n);
    while (di != dlo && dticks[(di - 1) & kDopaMask] + dl > t) --di;
    uint32_t dj = di;
    while (dj != dlo && dticks[(dj - 1) & kDopaMask] + dl > win.begin) --dj;
    int32_t d = 0;
    if (dj != dlo) {
      const uint32_t e = (dj - 1) & kDopaMask;
      d = decay_signed(dlevels[e], decay_over(d_decay_, win.begin - (dticks[e] + dl)));
    } else if (dh.has_boundary(n)) [[unlikely]] {
      const uint32_t b = dh.boundary_tick(n) + dl;
      if (b <= win.begin)
        d = decay_signed(dh.boundary_level(n), decay_over(d_decay_, win.begin - b));
      else if (c_io != 0 || pj != pi)
        lost = true;  // events between the boundary and the ring are gone, and c may have met them
    }

    int64_t w = w_io;
    int32_t c = c_io;
    uint32_t now = win.begin;
    // c, d and w from now to tick e (no event in between).
    auto advance = [&](uint32_t e) {
      if (e == now) return;
      const uint32_t dt = e - now;
      const bool whole = dt == win.span;  // the row's factors serve
      now = e;
      if (c == 0) {  // nothing to integrate; d still decays
        if (d != 0) d = decay_signed(d, whole ? win.f_d : decay_over(d_decay_, dt));
        return;
      }
      const uint32_t fc = whole ? win.f_c : decay_over(c_decay_, dt);
      if (d != 0) {
        const uint32_t fd = whole ? win.f_d : decay_over(d_decay_, dt);
        w += weight_change(c, d, whole ? win.k : integral_factor(integral_scale_, fc, fd));
        w = w < w_lo_ ? w_lo_ : w > w_hi_ ? w_hi_ : w;
        d = decay_signed(d, fd);
      }
      c = decay_signed(c, fc);
    };
    while (pj != pi || dj != di) {
      const uint32_t pt = pj != pi ? pticks[pj & kPostMask] + dl : UINT32_MAX;
      const uint32_t dt = dj != di ? dticks[dj & kDopaMask] + dl : UINT32_MAX;
      if (dt <= pt) {
        advance(dt);
        d = dlevels[dj & kDopaMask];
        ++dj;
      } else {
        advance(pt);
        c = clamp_c(int64_t{c} + int64_t{weight.a_plus} * timing.potentiation(win.pre_trace, pt - win.last_pre));
        ++pj;
      }
    }
    advance(t);
    if (depress) {
      uint32_t trace = 0, at = 0;
      if (pi != plo) {
        const uint32_t p = (pi - 1) & kPostMask;
        trace = history.traces(n)[p];
        at = pticks[p] + dl;
      } else if (history.has_boundary(n)) [[unlikely]] {
        at = history.boundary_tick(n) + dl;
        if (at <= t)
          trace = history.boundary_trace(n);
        else
          lost = true;  // the spike it needed is older than the boundary
      }
      if (trace != 0) c = clamp_c(int64_t{c} - int64_t{weight.a_minus} * timing.depression(trace, t - at));
    }
    if (lost && count_lost) [[unlikely]]
      history.count_missed();
    w_io = static_cast<uint32_t>(w);
    c_io = c;
  }

  uint32_t index_mask_ = 0;
  uint32_t delay_shift_ = 0;
  uint32_t delay_type_index_mask_ = 0;
  const uint32_t* c_decay_ = nullptr;
  const uint32_t* d_decay_ = nullptr;
  uint32_t integral_scale_ = 0;
  int32_t c_max_ = 0;
  int32_t w_lo_ = 0, w_hi_ = 0;  // weight bounds, u16.11
  Dopamine* dopamine_ = nullptr;
};

}  // namespace spindle::fw::stdp
