// Key allocation stage: one key range and mask per slice. A key is
//   vertex | slice | atom    (from the most significant end)
// with every field as wide as the largest value needs, the same for all
// slices. So a slice's mask covers all but the atom bits, all slices of a
// population share the vertex prefix, and a chip's entries for one
// population's slices merge into a single entry when their routes agree.
#pragma once

#include <cstdint>
#include <vector>

#include "mapping/graph.h"
#include "mapping/partition.h"

namespace spindle::host {

struct KeyLayout {
  uint32_t vertex_bits = 0;
  uint32_t slice_bits = 0;
  uint32_t atom_bits = 0;
  uint32_t vertex_shift() const { return slice_bits + atom_bits; }
  uint32_t slice_shift() const { return atom_bits; }
};

struct SliceKey {
  uint32_t base = 0;  // spike key of neuron i = base | i
  uint32_t mask = 0;  // all but the atom bits
};

struct KeyAllocation {
  KeyLayout layout;
  std::vector<SliceKey> keys;  // by slice index
};

// Throws std::runtime_error when the fields need more than 32 bits.
KeyAllocation allocate_keys(const ApplicationGraph& graph, const Partition& partition);

}  // namespace spindle::host
