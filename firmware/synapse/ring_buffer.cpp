#include "synapse/ring_buffer.h"

namespace spindle::fw {

bool RingBuffer::configure(uint32_t slots, uint32_t type_bits, uint32_t index_bits) {
  if (slots == 0 || (slots & (slots - 1)) != 0 || slots > kMaxRingSlots) return false;
  if (uint64_t{type_bits} + index_bits >= 32) return false;  // 64-bit sum: no wrap
  const uint64_t words = uint64_t{slots} << (type_bits + index_bits);
  if (words > kRingBufferWords) return false;
  slot_mask_ = slots - 1;
  column_bits_ = type_bits + index_bits;
  index_bits_ = index_bits;
  clear();
  return true;
}

void RingBuffer::clear() {
  for (uint32_t& w : words_) w = 0;
  saturations_ = 0;
}

}  // namespace spindle::fw
