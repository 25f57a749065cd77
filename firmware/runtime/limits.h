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
