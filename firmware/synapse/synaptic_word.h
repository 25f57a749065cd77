// The 32-bit synaptic word: index | type | delay | weight, from the low end.
// Field widths are per core (chosen by the host from the core's sizes and
// stored in its system region); the weight is always the top 16 bits.
#pragma once

#include <cstdint>

namespace spindle::fw {

struct SynapticWordLayout {
  uint32_t index_bits = 8;
  uint32_t type_bits = 1;
  uint32_t delay_bits = 4;

  static constexpr uint32_t kWeightShift = 16;
  static constexpr bool valid(uint32_t index_bits, uint32_t type_bits, uint32_t delay_bits) {
    // Summed in 64 bits: huge widths (from a bad image) must not wrap into range.
    return uint64_t{index_bits} + type_bits + delay_bits <= kWeightShift;
  }

  constexpr uint32_t index(uint32_t w) const { return w & mask(index_bits); }
  constexpr uint32_t type(uint32_t w) const { return (w >> index_bits) & mask(type_bits); }
  constexpr uint32_t delay(uint32_t w) const { return (w >> (index_bits + type_bits)) & mask(delay_bits); }
  static constexpr uint32_t weight(uint32_t w) { return w >> kWeightShift; }
  // Ring-buffer column: type and index together, as the ring buffer lays them out.
  constexpr uint32_t type_index(uint32_t w) const { return w & mask(index_bits + type_bits); }
  // The delay, type and index fields together (RingBuffer::add_row).
  constexpr uint32_t delay_type_index_mask() const { return mask(index_bits + type_bits + delay_bits); }

  constexpr uint32_t pack(uint32_t weight, uint32_t delay, uint32_t type, uint32_t index) const {
    return (weight << kWeightShift) | (delay << (index_bits + type_bits)) | (type << index_bits) | index;
  }

  static constexpr uint32_t mask(uint32_t bits) { return bits >= 32 ? ~0u : (1u << bits) - 1u; }
};

}  // namespace spindle::fw
