#include "mapping/keys.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "image/synaptic_matrix.h"

namespace spindle::host {

KeyAllocation allocate_keys(const ApplicationGraph& graph, const Partition& partition) {
  uint32_t max_atoms = 1, max_slices = 1;
  for (const Slice& s : partition.slices) max_atoms = std::max(max_atoms, s.n_atoms);
  for (uint32_t v = 0; v < graph.vertices.size(); ++v) max_slices = std::max(max_slices, partition.n_slices(v));
  KeyAllocation a;
  a.layout.atom_bits = bits_for(max_atoms);
  a.layout.slice_bits = bits_for(max_slices);
  a.layout.vertex_bits = bits_for(uint32_t(graph.vertices.size()));
  const uint32_t total = a.layout.vertex_bits + a.layout.slice_bits + a.layout.atom_bits;
  if (total > 32)
    throw std::runtime_error("keys need " + std::to_string(total) + " bits (" + std::to_string(a.layout.vertex_bits) +
                             " vertex + " + std::to_string(a.layout.slice_bits) + " slice + " +
                             std::to_string(a.layout.atom_bits) + " atom), more than the 32 of a key");
  const uint32_t mask = a.layout.atom_bits >= 32 ? 0u : ~((1u << a.layout.atom_bits) - 1u);
  a.keys.reserve(partition.slices.size());
  for (const Slice& s : partition.slices) {
    const uint64_t base = (uint64_t(s.vertex) << a.layout.vertex_shift()) | (uint64_t(s.index) << a.layout.slice_shift());
    a.keys.push_back(SliceKey{uint32_t(base), mask});
  }
  return a;
}

}  // namespace spindle::host
