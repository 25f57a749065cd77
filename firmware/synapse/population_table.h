// Master population table: maps an incoming spike key to the row of synapses
// its source neuron has on this core. Sorted, disjoint (key, mask) entries;
// binary search as sPyNNaker does, but only over the entries of the packet's
// bucket (the key range split into kPopulationBuckets equal spans, indexed
// once at load), so a look-up among tens of entries takes one or two steps
// instead of log2(n). Each entry names its row offsets in the synaptic
// matrix (image/format.h). Validated once at load, so lookups need no bounds
// checks. The image format is unchanged: the index lives in the core.
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

// Buckets of the look-up index: 65 words per core; CUBA's cores hold ~37
// entries, so most buckets hold at most one.
inline constexpr uint32_t kPopulationBuckets = 64;

class PopulationTable {
 public:
  // `entries` sorted by key with disjoint ranges (the loader checks).
  void set(const image::PopulationTableEntry* entries, uint32_t n, const uint32_t* matrix) {
    entries_ = entries;
    n_ = n;
    matrix_ = matrix;
    first_key_ = n != 0 ? entries[0].key : 0;
    // Smallest shift that puts the last entry's key in the last bucket or before.
    const uint32_t span = n != 0 ? entries[n - 1].key - first_key_ : 0;
    shift_ = 0;
    while ((span >> shift_) >= kPopulationBuckets) ++shift_;
    uint32_t i = 0;
    for (uint32_t b = 0; b <= kPopulationBuckets; ++b) {
      while (i < n && ((entries[i].key - first_key_) >> shift_) < b) ++i;
      first_[b] = i;
    }
  }
  uint32_t size() const { return n_; }
  const image::PopulationTableEntry* entries() const { return entries_; }

  SynapticRow lookup(uint32_t key) const {
    const uint32_t* offsets = row_offsets(key);
    if (offsets == nullptr) return {};
    // Row r is [offsets[r], offsets[r + 1]): two adjacent loads, no count word.
    const uint32_t begin = offsets[0];
    return {matrix_ + begin, offsets[1] - begin, true};
  }

  // Where the key's row bounds are (offsets[0], offsets[1]), or null if no
  // entry holds the key; touches only the table, not the rows. The core
  // reads rows through it (Core::add_row; the host's prefetch_rows keeps
  // its results for receive_packets).
  const uint32_t* row_offsets(uint32_t key) const {
    // Last entry whose key <= packet key; disjoint ranges mean it is the only
    // candidate. Entries of earlier buckets all have smaller keys and those
    // of later buckets larger ones, so the search needs only the packet's
    // bucket; a key past the last bucket's span belongs to the last bucket.
    if (key < first_key_) return nullptr;
    uint32_t bucket = (key - first_key_) >> shift_;
    if (bucket >= kPopulationBuckets) bucket = kPopulationBuckets - 1;
    uint32_t lo = first_[bucket], hi = first_[bucket + 1];
    while (lo < hi) {
      const uint32_t mid = lo + (hi - lo) / 2;
      if (entries_[mid].key <= key) lo = mid + 1; else hi = mid;
    }
    if (lo == 0) return nullptr;
    const image::PopulationTableEntry& e = entries_[lo - 1];
    if ((key & e.mask) != e.key) return nullptr;
    const uint32_t row = key & ~e.mask;
    if (row >= e.n_rows) return nullptr;
    return matrix_ + e.row_offsets + row;
  }

  const uint32_t* matrix() const { return matrix_; }

 private:
  const image::PopulationTableEntry* entries_ = nullptr;
  uint32_t n_ = 0;
  const uint32_t* matrix_ = nullptr;
  uint32_t first_key_ = 0;  // the first entry's key: bucket 0 starts there
  uint32_t shift_ = 0;      // bucket = (key - first_key_) >> shift_
  // first_[b]: entries in buckets before b; bucket b's are [first_[b], first_[b + 1]).
  uint32_t first_[kPopulationBuckets + 1] = {};
};

}  // namespace spindle::fw
