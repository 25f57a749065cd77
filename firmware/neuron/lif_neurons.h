// A core's IF_curr_exp neurons in the layout its update is fastest in:
// one record per neuron on Cortex-M4 (LifCurrExpRecords: paired LDRD / STRD),
// struct-of-arrays on the host (LifCurrExpBatch: vector loops). Both layouts
// compute the same bits; Core keeps one LifNeurons in its parameter buffer
// and reaches the neurons only through it.
#pragma once

#include <cstdint>

#include "neuron/lif_curr_exp.h"
#include "neuron/lif_curr_exp_records.h"

namespace spindle::fw {

#if defined(__arm__)
struct LifNeurons {
  LifRecords r;

  uint32_t load(const IfCurrExp::Params* params, const IfCurrExp::State* state, uint32_t n) {
    return LifCurrExpRecords::load(params, state, n, r);
  }
  bool known_ranges(uint32_t n) const { return LifCurrExpRecords::known_ranges(r, n); }
  uint32_t update(uint32_t n, uint32_t* in_exc, uint32_t* in_inh, const RingInputScale& se, const RingInputScale& si,
                  bool ranges_known, uint16_t* fired, uint32_t& saturated) {
    return LifCurrExpRecords::update(r, n, in_exc, in_inh, se, si, ranges_known, fired, saturated);
  }
  Accum voltage(uint32_t i) const { return LifCurrExpRecords::voltage(r, i); }
  Accum gsyn_exc(uint32_t i) const { return LifCurrExpRecords::gsyn_exc(r, i); }
  Accum gsyn_inh(uint32_t i) const { return LifCurrExpRecords::gsyn_inh(r, i); }
  Accum threshold(uint32_t i) const { return Accum{r.n[i].p.v_thresh}; }
  void shift_threshold(uint32_t i, Accum delta, uint32_t /*n*/) {
    r.n[i].p.v_thresh = add_sat(Accum{r.n[i].p.v_thresh}, delta).raw;
  }
};
#else
struct LifNeurons {
  LifParamsSoA p;
  LifStateSoA s;

  uint32_t load(const IfCurrExp::Params* params, const IfCurrExp::State* state, uint32_t n) {
    return LifCurrExpBatch::load(params, state, n, p, s);
  }
  bool known_ranges(uint32_t n) const { return LifCurrExpBatch::known_ranges(p, n); }
  uint32_t update(uint32_t n, uint32_t* in_exc, uint32_t* in_inh, const RingInputScale& se, const RingInputScale& si,
                  bool ranges_known, uint16_t* fired, uint32_t& saturated) {
    return LifCurrExpBatch::update(p, s, n, in_exc, in_inh, se, si, ranges_known, fired, saturated);
  }
  Accum voltage(uint32_t i) const { return Accum{s.v[i]}; }
  Accum gsyn_exc(uint32_t i) const { return LifCurrExpBatch::gsyn_exc(s, i); }
  Accum gsyn_inh(uint32_t i) const { return LifCurrExpBatch::gsyn_inh(s, i); }
  Accum threshold(uint32_t i) const { return Accum{p.v_thresh[i]}; }
  // The parameters may no longer all be equal.
  void shift_threshold(uint32_t i, Accum delta, uint32_t n) {
    p.v_thresh[i] = add_sat(Accum{p.v_thresh[i]}, delta).raw;
    LifCurrExpBatch::find_uniform(p, n);
  }
};
#endif

}  // namespace spindle::fw
