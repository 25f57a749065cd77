// A neuron model composed at compile time from parts, the way sPyNNaker's
// neuron_impl_standard composes them at link time:
//   Synapse   shapes ring-buffer input into per-receptor values (exp, delta)
//   Input     turns those values into a drive for the membrane (current, conductance)
//   Membrane  integrates the drive (LIF, Izhikevich, non-leaky IF)
//   Threshold decides whether the neuron fires
//   Extra     an additional input current (adaptation, dendrites, ...)
// A new model is a using-declaration over parts; see models.h.
#pragma once

#include <cstdint>
#include <type_traits>

#include "fixed/fixed_point.h"

namespace spindle::fw {

template <class Synapse, class Input, class Membrane, class Threshold, class Extra>
struct NeuronModel {
  static constexpr uint32_t kReceptors = Synapse::kReceptors;

  // Parameters and state are plain 32-bit words, written by the host into the
  // core image and copied verbatim into the core: same layout on every build.
  struct Params {
    [[no_unique_address]] typename Synapse::Params synapse;
    [[no_unique_address]] typename Input::Params input;
    [[no_unique_address]] typename Membrane::Params membrane;
    [[no_unique_address]] typename Threshold::Params threshold;
    [[no_unique_address]] typename Extra::Params extra;
  };
  struct State {
    [[no_unique_address]] typename Synapse::State synapse;
    [[no_unique_address]] typename Membrane::State membrane;
    [[no_unique_address]] typename Extra::State extra;
  };
  static_assert(std::is_trivially_copyable_v<Params> && std::is_trivially_copyable_v<State>);

  // One timestep. `input` holds this tick's ring-buffer sums, one per
  // receptor, already in s16.15. Returns true if the neuron fired.
  static bool step(const Params& p, State& s, const Accum* input) {
    Synapse::add_input(p.synapse, s.synapse, input);
    const Accum v = Membrane::voltage(s.membrane);
    Accum drive = Input::drive(p.input, Synapse::exc(p.synapse, s.synapse),
                               Synapse::inh(p.synapse, s.synapse), v);
    drive = add_sat(drive, Extra::current(p.extra, s.extra, v));
    Membrane::integrate(p.membrane, s.membrane, drive);
    const bool fired = Threshold::crossed(p.threshold, Membrane::voltage(s.membrane));
    if (fired) {
      Membrane::reset(p.membrane, s.membrane);
      Extra::on_spike(p.extra, s.extra);
    }
    Synapse::decay(p.synapse, s.synapse);
    return fired;
  }

  static Accum voltage(const State& s) { return Membrane::voltage(s.membrane); }
  static Accum gsyn_exc(const State& s) { return Synapse::recorded_exc(s.synapse); }
  static Accum gsyn_inh(const State& s) { return Synapse::recorded_inh(s.synapse); }
};

}  // namespace spindle::fw
