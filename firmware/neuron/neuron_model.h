// A neuron model composed at compile time from parts, the way sPyNNaker's
// neuron_impl_standard composes them at link time:
//   Synapse   shapes ring-buffer input into per-receptor values (exp, delta)
//   Input     turns those values into a drive for the membrane (current, conductance)
//   Membrane  integrates the drive (LIF, Izhikevich, non-leaky IF)
//   Threshold decides whether the neuron fires (static or adaptive, with state)
//   Extra     an additional input current (adaptation, ...)
//   Dendrites reads its own synapse types (after the receptors) and gives
//             the soma a current and a threshold drop (active segments)
// A new model is a using-declaration over parts; see models.h.
#pragma once

#include <cstdint>
#include <type_traits>

#include "fixed/fixed_point.h"
#include "neuron/parts/dendrites_none.h"

namespace spindle::fw {

template <class Synapse, class Input, class Membrane, class Threshold, class Extra, class Dendrites = DendritesNone>
struct NeuronModel {
  static constexpr uint32_t kReceptors = Synapse::kReceptors;
  // Synapse types the model reads at most: its receptors, then its
  // dendrites' (a core may have fewer dendrite types: TickInput::n_inputs).
  static constexpr uint32_t kInputs = kReceptors + Dendrites::kInputs;
  using DendritePart = Dendrites;

  // Parameters and state are plain 32-bit words, written by the host into the
  // core image and copied verbatim into the core: same layout on every build.
  struct Params {
    [[no_unique_address]] typename Synapse::Params synapse;
    [[no_unique_address]] typename Input::Params input;
    [[no_unique_address]] typename Membrane::Params membrane;
    [[no_unique_address]] typename Threshold::Params threshold;
    [[no_unique_address]] typename Extra::Params extra;
    [[no_unique_address]] typename Dendrites::Params dendrites;
  };
  struct State {
    [[no_unique_address]] typename Synapse::State synapse;
    [[no_unique_address]] typename Membrane::State membrane;
    [[no_unique_address]] typename Threshold::State threshold;
    [[no_unique_address]] typename Extra::State extra;
    [[no_unique_address]] typename Dendrites::State dendrites;
  };
  static_assert(std::is_trivially_copyable_v<Params> && std::is_trivially_copyable_v<State>);

  // One timestep. `input` holds this tick's ring-buffer sums, one per
  // receptor and then one per dendrite type, already in s16.15. Returns
  // true if the neuron fired.
  //
  // The Input part gets the start-of-step v and a predictor: predict(drive)
  // is the v the membrane would reach at the end of this step with that
  // synaptic drive (plus the extra current), computed on a copy of the
  // membrane state. Inputs whose drive does not depend on v ignore it;
  // InputConductance uses it to evaluate its drive at the step's midpoint v.
  //
  // A threshold part with kGatedByRefractoriness gets no spike from a step
  // the membrane spends refractory (Membrane::refractory, asked before the
  // step); it moves its own state first (advance), Brian2's order: state
  // update, threshold, reset.
  //
  // The dendrites step first: an NMDA spike in this step acts on the soma
  // in this step (its plateau current and threshold drop).
  static bool step(const Params& p, State& s, const Accum* input) {
    bool may_fire = true;
    if constexpr (Threshold::kGatedByRefractoriness) may_fire = !Membrane::refractory(s.membrane);
    Synapse::add_input(p.synapse, s.synapse, input);
    const Accum v = Membrane::voltage(s.membrane);
    Accum extra = Extra::current(p.extra, s.extra, v);
    DendriteEffect dendrites{};
    if constexpr (Dendrites::kInputs > 0) {
      dendrites = Dendrites::update(p.dendrites, s.dendrites, input + kReceptors);
      extra = add_sat(extra, dendrites.current);
    }
    auto predict = [&p, &s, extra](Accum drive) {
      typename Membrane::State trial = s.membrane;
      Membrane::integrate(p.membrane, trial, add_sat(drive, extra));
      return Membrane::voltage(trial);
    };
    const Accum drive = Input::drive(p.input, Synapse::exc(p.synapse, s.synapse),
                                     Synapse::inh(p.synapse, s.synapse), v, predict);
    Membrane::integrate(p.membrane, s.membrane, add_sat(drive, extra));
    Threshold::advance(p.threshold, s.threshold);
    Accum v_seen = Membrane::voltage(s.membrane);
    if constexpr (Dendrites::kInputs > 0) v_seen = add_sat(v_seen, dendrites.threshold_drop);
    const bool fired = may_fire && Threshold::crossed(p.threshold, s.threshold, v_seen);
    if (fired) {
      Membrane::reset(p.membrane, s.membrane);
      Threshold::on_spike(p.threshold, s.threshold);
      Extra::on_spike(p.extra, s.extra);
    }
    Synapse::decay(p.synapse, s.synapse);
    return fired;
  }

  static Accum voltage(const State& s) { return Membrane::voltage(s.membrane); }
  // The threshold V must reach now (v_thresh, plus an adaptive part's offsets).
  static Accum threshold(const Params& p, const State& s) { return Threshold::effective(p.threshold, s.threshold); }
  // Moves the threshold by delta (a neuron mode's offset, neuron/neuron_mode.h).
  static void shift_threshold(Params& p, State& s, Accum delta) { Threshold::shift(p.threshold, s.threshold, delta); }
  // Recorded in the model's units (nA, uS or mV), whatever unit the Input
  // part keeps the synaptic state in.
  static Accum gsyn_exc(const State& s) { return Input::recorded(Synapse::recorded_exc(s.synapse)); }
  static Accum gsyn_inh(const State& s) { return Input::recorded(Synapse::recorded_inh(s.synapse)); }
  // The segments that fired an NMDA spike in the last step, bit k for
  // segment k, as a whole number (recorded as segment_spikes).
  static Accum segment_spikes(const State& s) {
    return Accum{static_cast<int32_t>(Dendrites::spikes(s.dendrites) << 15)};
  }
  // Whether a neuron's dendrite parameters fit a core with n_inputs dendrite types.
  static bool dendrites_ok(const Params& p, uint32_t n_inputs) { return Dendrites::params_ok(p.dendrites, n_inputs); }

  // The synaptic state holds each receptor's weights x 2^kReceptorUnitShift
  // (the host scales the weights: host/image/cell_params.h).
  static constexpr int32_t kReceptorUnitShift = Input::kUnitShift;
};

}  // namespace spindle::fw
