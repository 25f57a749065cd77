// How a core keeps and steps a slice of neurons of one model: the one seam
// between Core and the models, so Core never names a model. The default
// (StepEachNeuron) keeps the image's parameter and state blocks as they are
// and steps Model::step neuron by neuron; a model with a faster layout or
// a vector loop specialises NeuronBatch<Model> (neuron/batches.h lists
// them), and must give the same bits and spike order as the default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fixed/fixed_point.h"
#include "neuron/lif_curr_exp.h"
#include "config/limits.h"

namespace spindle::fw {

// Where a core keeps its neurons: its parameter and state buffers (fixed
// arrays of kMaxNeuronsPerCore x kMaxNeuron*Words words, the parameters
// aligned to kBatchArrayAlign), the slice's size, and what a batch found
// at load (e.g. ranges that allow plain arithmetic, parameters that are the
// same for every neuron).
struct NeuronStore {
  uint32_t* params = nullptr;
  uint32_t* state = nullptr;
  uint32_t n = 0;
  uint32_t flags = 0;
  uint32_t dendrite_inputs = 0;  // the core's dendrite synapse types (segments)
};

// One tick's synaptic input: per synapse type, its ring-buffer column (one
// cell per neuron, read and cleared by the update) and the shift into s16.15.
// The model reads the first n_inputs types (its receptors and dendrite
// types; any after them carry dopamine and are the core's).
// Only the core's synapse types are set (not zeroed: the 12 types' arrays
// would cost a tick about 100 instructions on Cortex-M4); `scale` only for
// the first two, the receptors the vector batches read.
struct TickInput {
  static constexpr uint32_t kScaledTypes = 2;
  uint32_t n_inputs;
  uint32_t* column[kMaxSynapseTypes];
  int32_t weight_shift[kMaxSynapseTypes];
  RingInputScale scale[kScaledTypes];
};

// The default: the image's blocks as they are, Model::step per neuron.
template <class Model>
struct StepEachNeuron {
  using Params = typename Model::Params;
  using State = typename Model::State;

  // Takes n = s.n neurons' blocks; returns n, or the first neuron the layout
  // cannot hold (the core then fails at byte kRefusedField of its params).
  // A neuron whose dendrite parameters do not fit the core's dendrite types
  // is refused.
  static uint32_t load(NeuronStore& s, const uint8_t* params, const uint8_t* states) {
    std::memcpy(s.params, params, s.n * sizeof(Params));
    std::memcpy(s.state, states, s.n * sizeof(State));
    const auto* p = reinterpret_cast<const Params*>(s.params);
    for (uint32_t n = 0; n < s.n; ++n)
      if (!Model::dendrites_ok(p[n], s.dendrite_inputs)) return n;
    return s.n;
  }
  static constexpr uint32_t kRefusedField = offsetof(Params, dendrites);

  // The recordable state of neuron n.
  static Accum voltage(const NeuronStore& s, uint32_t n) { return Model::voltage(state(s, n)); }
  static Accum gsyn_exc(const NeuronStore& s, uint32_t n) { return Model::gsyn_exc(state(s, n)); }
  static Accum gsyn_inh(const NeuronStore& s, uint32_t n) { return Model::gsyn_inh(state(s, n)); }
  static Accum segment_spikes(const NeuronStore& s, uint32_t n) { return Model::segment_spikes(state(s, n)); }
  static Accum threshold(const NeuronStore& s, uint32_t n) {
    return Model::threshold(reinterpret_cast<const Params*>(s.params)[n], state(s, n));
  }

  // Moves neuron n's threshold by delta (a neuron mode's offset).
  static void shift_threshold(NeuronStore& s, uint32_t n, Accum delta) {
    Model::shift_threshold(reinterpret_cast<Params*>(s.params)[n], reinterpret_cast<State*>(s.state)[n], delta);
  }

  // Steps every neuron; the ones that fire go into `fired` in neuron order
  // (returns how many); `saturated` counts ring cells read at their limit.
  static uint32_t update(NeuronStore& s, const TickInput& in, uint16_t* fired, uint32_t& saturated) {
    const auto* params = reinterpret_cast<const Params*>(s.params);
    auto* states = reinterpret_cast<State*>(s.state);
    uint32_t n_fired = 0;
    // Receptors and then the core's dendrite types; the part reads only
    // its own (DendritesNone: none).
    constexpr uint32_t kInputs = Model::kInputs;
    const uint32_t n_inputs = in.n_inputs < kInputs ? in.n_inputs : kInputs;
    Accum input[kInputs] = {};
    for (uint32_t n = 0; n < s.n; ++n) {
      for (uint32_t t = 0; t < n_inputs; ++t) {
        uint32_t& cell = in.column[t][n];
        const uint32_t sum = cell;
        cell = 0;
        if (sum == UINT32_MAX) ++saturated;
        input[t] = scale_pow2(sum, in.weight_shift[t]);
      }
      if (Model::step(params[n], states[n], input)) fired[n_fired++] = static_cast<uint16_t>(n);
    }
    return n_fired;
  }

 private:
  static const State& state(const NeuronStore& s, uint32_t n) { return reinterpret_cast<const State*>(s.state)[n]; }
};

template <class Model>
struct NeuronBatch : StepEachNeuron<Model> {};

}  // namespace spindle::fw
