// Master population table: maps an incoming spike key to the row of synapses
// its source neuron has on this core. Sorted, disjoint (key, mask) entries;
// binary search as sPyNNaker does. Each entry names its row offsets in the
// synaptic matrix (image/format.h). Validated once at load, so lookups need
// no bounds checks.
#pragma once

#include <cstdint>

#include "image/format.h"

namespace spindle::fw {

// A source neuron's synaptic words: count words from words.
struct SynapticRow {
  const uint32_t* words = nullptr;
  uint32_t count = 0;
  bool found = false;
};

class PopulationTable {
 public:
  void set(const image::PopulationTableEntry* entries, uint32_t n, const uint32_t* matrix) {
    entries_ = entries;
    n_ = n;
    matrix_ = matrix;
  }
  uint32_t size() const { return n_; }

  SynapticRow lookup(uint32_t key) const {
    // Last entry whose key <= packet key; disjoint ranges mean it is the only candidate.
    uint32_t lo = 0, hi = n_;
    while (lo < hi) {
      const uint32_t mid = lo + (hi - lo) / 2;
      if (entries_[mid].key <= key) lo = mid + 1; else hi = mid;
    }
    if (lo == 0) return {};
    const image::PopulationTableEntry& e = entries_[lo - 1];
    if ((key & e.mask) != e.key) return {};
    const uint32_t row = key & ~e.mask;
    if (row >= e.n_rows) return {};
    // Row r is [offsets[r], offsets[r + 1]): two adjacent loads, no count word.
    const uint32_t* offsets = matrix_ + e.row_offsets + row;
    const uint32_t begin = offsets[0];
    return {matrix_ + begin, offsets[1] - begin, true};
  }

 private:
  const image::PopulationTableEntry* entries_ = nullptr;
  uint32_t n_ = 0;
  const uint32_t* matrix_ = nullptr;
};

}  // namespace spindle::fw
