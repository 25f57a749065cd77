// What the firmware counting image measures: shared by the host tool that
// writes its core images and the ARM program that runs them.
#pragma once

#include <cstdint>

namespace spindle::bench {

inline constexpr uint32_t kCountsNeuronsLarge = 256;  // the core's maximum (fw::kMaxNeuronsPerCore)
inline constexpr uint32_t kCountsNeuronsSmall = 64;
inline constexpr uint32_t kCountsSources = 256;       // neurons per source population
inline constexpr uint32_t kCountsRowShort = 16;       // synapses per row, sources below kCountsFirstLongRow
inline constexpr uint32_t kCountsRowLong = 64;        // synapses per row, the other sources
inline constexpr uint32_t kCountsFirstLongRow = 128;
inline constexpr uint32_t kCountsKey = 0x10000;       // the source population's keys: key | source
// Packets for short rows are key | 0..63, for long rows key | 128..191.
inline constexpr uint32_t kCountsKeyShort = kCountsKey;
inline constexpr uint32_t kCountsKeyLong = kCountsKey | kCountsFirstLongRow;
inline constexpr uint32_t kCountsOwnKey = 0x30000;    // the counted core's own spikes
// Poisson source cores: kCountsPoissonSources sources at rate 0 (never due:
// the per source-tick scan) and at kCountsPoissonRateHz (the stream bench's
// rate), both 1 ms ticks, counted over kCountsPoissonTicks ticks.
inline constexpr uint32_t kCountsPoissonSources = 256;
inline constexpr uint32_t kCountsPoissonRateHz = 200;
inline constexpr uint32_t kCountsPoissonTicks = 50;
// Plastic rows (pair STDP, firmware/synapse/plasticity), run by the ARM
// program alone (the kernel is not in core images yet): kCountsPlasticRows
// rows of kCountsRowShort and as many of kCountsRowLong synapses onto
// kCountsPlasticNeurons post neurons, each row's pre spike processed once per
// counted pass.
inline constexpr uint32_t kCountsPlasticNeurons = 256;
inline constexpr uint32_t kCountsPlasticRows = 32;
// Dopamine-modulated STDP's rows (three times as long) onto this many post
// neurons, so that its state fits where the core's is.
inline constexpr uint32_t kCountsNeuromodulatedNeurons = 64;
// Active dendrite segments (IF_curr_exp_segments through the core's neuron
// batch): this many neurons stepped with 8 segments and with 1, a 4-step
// window, every segment with input every step.
inline constexpr uint32_t kCountsSegmentNeurons = 64;

}  // namespace spindle::bench
