// Synapse shaping: exponentially decaying excitatory and inhibitory inputs
// (currents in nA for IF_curr_exp, conductances in uS for IF_cond_exp).
//
// Per tick: the ring-buffer input is added to the value, the neuron sees the
// value's mean over the coming step (value x init, init = tau/dt (1 - decay)),
// then the value decays by decay = exp(-dt/tau). The charge a weight w
// delivers is therefore exactly w x tau, as in the continuous model.
#pragma once

#include "fixed/fixed_point.h"

namespace spindle::fw {

struct SynapseExp {
  static constexpr uint32_t kReceptors = 2;  // 0 excitatory, 1 inhibitory
  struct Params {
    UFract32 exc_decay, exc_init;
    UFract32 inh_decay, inh_init;
  };
  struct State {
    Accum exc, inh;
  };

  static void add_input(const Params&, State& s, const Accum* input) {
    s.exc = add_sat(s.exc, input[0]);
    s.inh = add_sat(s.inh, input[1]);
  }
  static Accum exc(const Params& p, const State& s) { return mul(s.exc, p.exc_init); }
  static Accum inh(const Params& p, const State& s) { return mul(s.inh, p.inh_init); }
  static void decay(const Params& p, State& s) {
    s.exc = mul(s.exc, p.exc_decay);
    s.inh = mul(s.inh, p.inh_decay);
  }
  // Recorded as gsyn_exc / gsyn_inh (the value at the start of the step).
  static Accum recorded_exc(const State& s) { return s.exc; }
  static Accum recorded_inh(const State& s) { return s.inh; }
};

}  // namespace spindle::fw
