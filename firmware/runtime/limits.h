// Sizes of everything a core holds in its own memory. Named constants, so the
// host mapping, the image parser and the ARM linker budget agree.
#pragma once

#include <cstddef>
#include <cstdint>

namespace spindle::fw {

inline constexpr uint32_t kMaxNeuronsPerCore = 256;
inline constexpr uint32_t kMaxSynapseTypes = 4;     // receptors per core (exc, inh, ...)
inline constexpr uint32_t kRingBufferWords = 8192;  // slots x types x neurons, 32-bit each
inline constexpr uint32_t kMaxRingSlots = 64;       // so delays up to 63 ticks on small cores
inline constexpr uint32_t kMaxSourcesPerCore = 256; // Poisson sources or array-source neurons
inline constexpr uint32_t kInputQueueCapacity = 256;   // packets waiting to be processed
inline constexpr uint32_t kSpikeRecordCapacity = 1024; // spike records between drains
inline constexpr uint32_t kStateRecordCapacity = 1024; // state samples between drains
inline constexpr uint32_t kMaxSpikesPerSourcePerTick = 16;
inline constexpr uint32_t kMaxNeuronParamWords = 16;   // largest model parameter block
inline constexpr uint32_t kMaxNeuronStateWords = 8;    // largest model state block

}  // namespace spindle::fw
