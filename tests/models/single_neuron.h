// One neuron on its own core, optionally driven by a two-neuron spike-array
// source core (neuron 0 -> excitatory receptor, neuron 1 -> inhibitory), run
// through the whole core path with CoreHarness:
//   array core --(synaptic matrix, delay d)--> model core -> recordings.
#pragma once

#include <cstdint>
#include <vector>

#include "image/cell_params.h"

namespace spindle::test {

struct InputSpike {
  uint32_t tick;      // the array source emits it in this tick
  uint32_t receptor;  // 0 excitatory, 1 inhibitory
};

struct SingleNeuronSetup {
  host::NeuronBlock neuron;         // one neuron
  std::vector<InputSpike> inputs;   // sorted by tick
  double w_exc = 0, w_inh = 0;      // PyNN units of the model (nA, uS or mV)
  uint32_t delay_ticks = 1;
  uint32_t timestep_us = 100;
  uint32_t n_ticks = 0;
  uint32_t sample_interval = 1;     // v sampled every this many ticks
};

struct SingleNeuronRun {
  std::vector<uint32_t> v_ticks;    // tick of each v sample (value before that tick's update)
  std::vector<double> v;            // mV
  std::vector<uint32_t> spikes;     // ticks in which the neuron fired
  uint64_t synaptic_events = 0, ring_saturations = 0, packets_no_match = 0, records_dropped = 0;
};

SingleNeuronRun run_single_neuron(const SingleNeuronSetup& setup);

}  // namespace spindle::test

namespace spindle::test {

// The weights as the core adds them to the synaptic state (s16.15, in the
// model's units): the 16-bit synaptic-word weight, then the per-type shift
// into s16.15 (host/image/synaptic_matrix.cpp), exactly as the core does it,
// divided by the model's receptor unit scale (2^10 for IF_cond_exp).
struct EffectiveWeights {
  double exc = 0, inh = 0;
};
EffectiveWeights effective_weights(double w_exc, double w_inh, fw::ModelId model);

}  // namespace spindle::test
