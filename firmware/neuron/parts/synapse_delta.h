// Synapse shaping: delta synapses. A weight acts only in the tick it arrives
// (a voltage jump in mV for the non-leaky IF used by converted ANNs).
#pragma once

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct SynapseDelta {
  static constexpr uint32_t kReceptors = 2;  // 0 excitatory, 1 inhibitory
  struct Params {};
  struct State {
    Accum exc, inh;
  };

  static void add_input(const Params&, State& s, const Accum* input) {
    s.exc = input[0];
    s.inh = input[1];
  }
  static Accum exc(const Params&, const State& s) { return s.exc; }
  static Accum inh(const Params&, const State& s) { return s.inh; }
  static void decay(const Params&, State& s) { s.exc = s.inh = Accum::zero(); }
  static Accum recorded_exc(const State& s) { return s.exc; }
  static Accum recorded_inh(const State& s) { return s.inh; }
};

}  // namespace spindle::fw
