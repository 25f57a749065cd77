// IF_curr_exp as one record per neuron: the layout the Cortex-M4 core runs
// (neuron/lif_neurons.h picks it there; the host keeps the struct-of-arrays
// LifParamsSoA / LifStateSoA its vector loops want).
//
// Why a second layout: the M4 has no vector unit, so the arrays buy nothing
// there, while one neuron's words side by side let each pair load or store
// as one LDRD / STRD (GCC does not pair loads from separate arrays). The
// record's order is the order the update uses the words in, in pairs:
// exc|inh, v|refract, k_exc|k_inh, base|decay_v, decay_exc|decay_inh.
// The arithmetic is LifCurrExpBatch's, bit for bit (lif_curr_exp.h); the
// same source runs on the host, where tests/firmware/lif_curr_exp_test.cpp
// compares it with LifCurrExpBatch::step_one, and under QEMU, where the qemu
// tests compare the ARM image with the native engine.
#pragma once

#include <cstdint>

#include "neuron/lif_curr_exp.h"

namespace spindle::fw {

struct LifRecord {
  // State (written back every tick), in LifStateSoA's units.
  int32_t exc, inh;  // nA x 2^8, s16.15
  int32_t v;         // mV
  int32_t refract;
  LifFolded p;       // k_exc|k_inh, base|decay_v, decay_exc|decay_inh pair up
};
static_assert(sizeof(LifRecord) == 13 * sizeof(uint32_t));

struct LifRecords {
  LifRecord n[kMaxNeuronsPerCore];
};

class LifCurrExpRecords {
 public:
  // As LifCurrExpBatch::load: returns the first neuron whose gains do not
  // fit, or n.
  static uint32_t load(const IfCurrExp::Params* params, const IfCurrExp::State* state, uint32_t n, LifRecords& r);
  static bool known_ranges(const LifRecords& r, uint32_t n);
  // As LifCurrExpBatch::update (same contract, same results).
  static uint32_t update(LifRecords& r, uint32_t n, uint32_t* in_exc, uint32_t* in_inh,
                         const RingInputScale& scale_exc, const RingInputScale& scale_inh, bool ranges_known,
                         uint16_t* fired, uint32_t& saturated);

  static Accum voltage(const LifRecords& r, uint32_t i) { return Accum{r.n[i].v}; }
  static Accum gsyn_exc(const LifRecords& r, uint32_t i) { return LifCurrExpBatch::gsyn_exc(r.n[i].exc, r.n[i].inh); }
  static Accum gsyn_inh(const LifRecords& r, uint32_t i) { return LifCurrExpBatch::gsyn_inh(r.n[i].exc, r.n[i].inh); }
};

}  // namespace spindle::fw
