#include "single_neuron.h"

#include <cmath>
#include <stdexcept>

#include "image/core_image_builder.h"
#include "quantize/quantize.h"
#include "support/core_harness.h"

namespace spindle::test {

namespace img = fw::image;

SingleNeuronRun run_single_neuron(const SingleNeuronSetup& s) {
  if (s.neuron.n_neurons != 1) throw std::invalid_argument("run_single_neuron: the block must hold one neuron");
  constexpr uint32_t kSourceKey = 1u << 16, kNeuronKey = 2u << 16;
  std::vector<std::vector<uint8_t>> images;

  host::CoreImageSpec neuron;
  neuron.kind = img::CoreKind::kNeurons;
  neuron.n_neurons = 1;
  neuron.timer_period_us = s.timestep_us;
  neuron.key_base = kNeuronKey;
  neuron.key_mask = host::slice_key_mask(1);
  neuron.emits_spikes = false;  // nothing listens; spikes are still recorded
  neuron.recording = host::record_all(img::kRecordSpikes | img::kRecordV, 1, s.sample_interval);
  neuron.neurons = s.neuron;
  const bool has_inputs = !s.inputs.empty();
  if (has_inputs) {
    host::IncomingBlock block;
    block.key = kSourceKey;
    block.mask = host::slice_key_mask(2);
    block.n_sources = 2;
    block.synapses = {{0, 0, s.w_exc, s.delay_ticks, 0}, {1, 0, s.w_inh, s.delay_ticks, 1}};
    neuron.synapses = host::build_synaptic_matrix({block}, 1, 2, nullptr, host::receptor_unit_shifts(s.neuron.model));
  }
  images.push_back(host::build_core_image(neuron));

  if (has_inputs) {
    host::CoreImageSpec source;
    source.kind = img::CoreKind::kArraySource;
    source.n_neurons = 2;
    source.timer_period_us = s.timestep_us;
    source.key_base = kSourceKey;
    source.key_mask = host::slice_key_mask(2);
    for (const InputSpike& in : s.inputs) source.spike_times.push_back({in.tick, in.receptor});
    images.push_back(host::build_core_image(source));
  }

  CoreHarness harness(std::move(images));
  harness.run(s.n_ticks);
  const HarnessResult& r = harness.result();
  SingleNeuronRun out;
  for (const RecordedSpike& sp : r.spikes)
    if (sp.core == 0) out.spikes.push_back(sp.tick);
  for (const RecordedState& st : r.states) {
    if (st.core != 0 || st.variable != static_cast<uint32_t>(fw::StateVariable::kV)) continue;
    out.v_ticks.push_back(st.tick);
    out.v.push_back(host::to_double(fw::Accum::from_raw(st.raw)));
  }
  const fw::Provenance& p = r.provenance[0];
  out.synaptic_events = p.synaptic_events;
  out.ring_saturations = p.ring_saturations;
  out.packets_no_match = p.packets_no_match;
  out.records_dropped = p.spike_records_dropped + p.state_records_dropped;
  return out;
}

}  // namespace spindle::test

namespace spindle::test {

EffectiveWeights effective_weights(double w_exc, double w_inh, fw::ModelId model) {
  host::IncomingBlock block;
  block.key = 1u << 16;
  block.mask = host::slice_key_mask(2);
  block.n_sources = 2;
  block.synapses = {{0, 0, w_exc, 1, 0}, {1, 0, w_inh, 1, 1}};
  const host::SynapticMatrix m = host::build_synaptic_matrix({block}, 1, 2, nullptr, host::receptor_unit_shifts(model));
  double w[2] = {0, 0};
  const uint32_t offsets = m.table.at(0).row_offsets;
  for (uint32_t row = 0; row < 2; ++row) {
    for (uint32_t k = m.words.at(offsets + row); k < m.words.at(offsets + row + 1); ++k) {
      const uint32_t word = m.words.at(k);
      const uint32_t type = m.layout.type(word);
      w[type] = std::ldexp(host::to_double(fw::scale_pow2(fw::SynapticWordLayout::weight(word), m.weight_shift[type])),
                           -m.unit_shift[type]);
    }
  }
  return {w[0], w[1]};
}

}  // namespace spindle::test
