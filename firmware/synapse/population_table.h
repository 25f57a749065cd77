// Master population table: maps an incoming spike key to the row of synapses
// its source neuron has on this core. Sorted, disjoint (key, mask) entries;
// binary search as sPyNNaker does. Validated once at load, so lookups need
// no bounds checks.
#pragma once

#include <cstdint>

#include "image/format.h"

namespace spindle::fw {

struct RowRef {
  uint32_t first_word = 0;  // word offset in the synaptic matrix (row count word)
  bool found = false;
};

class PopulationTable {
 public:
  void set(const image::PopulationTableEntry* entries, uint32_t n) {
    entries_ = entries;
    n_ = n;
  }
  uint32_t size() const { return n_; }

  RowRef lookup(uint32_t key) const {
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
    return {e.first_row + row * e.row_stride, true};
  }

 private:
  const image::PopulationTableEntry* entries_ = nullptr;
  uint32_t n_ = 0;
};

}  // namespace spindle::fw
