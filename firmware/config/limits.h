// Sizes of everything a core holds in its own memory. Named constants, so the
// host mapping, the image parser and the ARM linker budget agree. In config/,
// below every other firmware folder, since all of them size their arrays by it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace spindle::fw {

// Neurons one core holds. A board image's arrays must fit the STM32F405's
// 128 KB of SRAM (about 80 KB of state at 256); a native core (the engine's,
// on the host) is bounded by the modelled 64 KB DTCM instead, which the
// mapping checks per slice (an IF_curr_exp slice with short delays fits ~460
// neurons). The mapping takes the limit of whatever runs the cores
// (MachineDescription::max_neurons_per_core), and results do not depend on
// the slicing (per-population weight scales, docs/mapping.md), so a network
// gives the same spikes on both.
inline constexpr uint32_t kArmMaxNeuronsPerCore = 256;
inline constexpr uint32_t kNativeMaxNeuronsPerCore = 1024;
#if defined(__arm__)
inline constexpr uint32_t kMaxNeuronsPerCore = kArmMaxNeuronsPerCore;
#else
inline constexpr uint32_t kMaxNeuronsPerCore = kNativeMaxNeuronsPerCore;
#endif
// Synapse types (ring-buffer planes) per core: the model's receptors (exc,
// inh), its dendrite segments' types, then reward and punishment.
inline constexpr uint32_t kMaxSegments = 8;           // active dendrite segments a neuron has
inline constexpr uint32_t kMaxCoincidenceWindow = 4;  // ticks a segment sums its input over
inline constexpr uint32_t kMaxSynapseTypes = 2 + kMaxSegments + 2;
inline constexpr uint32_t kRingBufferWords = 8192;  // slots x types x neurons, 32-bit each
inline constexpr uint32_t kMaxRingSlots = 64;       // so delays up to 63 ticks on small cores
inline constexpr uint32_t kMaxSourcesPerCore = 256; // Poisson sources or array-source neurons
inline constexpr uint32_t kInputQueueCapacity = 256;   // packets waiting to be processed
inline constexpr uint32_t kSpikeRecordCapacity = 1024; // spike records between drains (>= a neuron core's spikes in a tick)
// State samples between drains: every variable of every neuron of a tick
// (4 a neuron: v, gsyn_exc, gsyn_inh, threshold; a segment model's fifth,
// segment_spikes, fits too, since it holds at most 8/13 of a core's
// neurons), and at least the 1024 the ARM images have always had.
inline constexpr uint32_t kMaxRecordedStateVariables = 4;
inline constexpr uint32_t kStateRecordCapacity =
    kMaxRecordedStateVariables * kMaxNeuronsPerCore > 1024 ? kMaxRecordedStateVariables * kMaxNeuronsPerCore : 1024;
static_assert(kSpikeRecordCapacity >= kMaxNeuronsPerCore, "every neuron of a core may fire in one tick");
inline constexpr uint32_t kMaxSpikesPerSourcePerTick = 16;
inline constexpr uint32_t kMaxNeuronParamWords = 16;   // largest model parameter block
inline constexpr uint32_t kMaxNeuronStateWords = 8;    // state block of a model a full core holds
// A model with a larger state block (active dendrite segments: 13 words)
// holds fewer neurons, n x its words <= kMaxNeuronsPerCore x
// kMaxNeuronStateWords (the mapping slices it so: partition.cpp), up to:
inline constexpr uint32_t kMaxLargeNeuronStateWords = 16;
// The neurons a core of core_neurons holds of a model whose state block has
// state_words words.
constexpr uint32_t max_neurons_for_state(uint32_t core_neurons, uint32_t state_words) {
  return state_words <= kMaxNeuronStateWords ? core_neurons : core_neurons * kMaxNeuronStateWords / state_words;
}

// Alignment of the arrays the neuron batch streams through (the folded
// parameters and state in Core's parameter buffer, the ring buffer's
// columns): a cache line on the host, so that no 64-byte AVX-512 access
// spans two lines (one that does costs a second access); 8 on Cortex-M
// (LDRD / STRD).
#if defined(__arm__)
inline constexpr size_t kBatchArrayAlign = 8;
#else
inline constexpr size_t kBatchArrayAlign = 64;
#endif

}  // namespace spindle::fw
