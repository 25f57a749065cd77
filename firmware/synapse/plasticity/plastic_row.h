// A plastic synaptic row, in memory the core may write (32-bit words):
//   header   4 words: last pre-spike tick, the potentiation window's start,
//            the pre trace right after the last pre spike (u4.11), and
//            the row's synapse count (written by the host, checked at load)
//   plastic  count 16-bit weights, padded to a word: written back at every
//            pre spike and by flush; what the host reads out
//   fixed    count 16-bit control words, padded to a word: delay | type |
//            index, the low 16 bits of a static synaptic word (same layout)
// Host and core agree on the layout through plastic_row_words() and
// PlasticRow::of().
#pragma once

#include <cstdint>

namespace spindle::fw::stdp {

struct PlasticRowHeader {
  uint32_t last_pre_tick;  // arrival tick of the last pre spike (0 and trace 0: none yet)
  uint32_t window_begin;   // post spikes reaching the synapse at or before this are applied
  uint32_t pre_trace;      // u4.11, right after the last pre spike
  uint32_t count;          // synapses in the row
};
inline constexpr uint32_t kPlasticRowHeaderWords = sizeof(PlasticRowHeader) / sizeof(uint32_t);
static_assert(kPlasticRowHeaderWords == 4);

constexpr uint32_t plastic_half_words(uint32_t count) { return (count + 1) / 2; }
constexpr uint32_t plastic_row_words(uint32_t count) { return kPlasticRowHeaderWords + 2 * plastic_half_words(count); }

// Views of one row's three regions (row points at its header word).
struct PlasticRow {
  PlasticRowHeader* header;
  uint16_t* weights;
  const uint16_t* control;

  static PlasticRow of(uint32_t* row, uint32_t count) {
    uint32_t* const plastic = row + kPlasticRowHeaderWords;
    return {reinterpret_cast<PlasticRowHeader*>(row), reinterpret_cast<uint16_t*>(plastic),
            reinterpret_cast<const uint16_t*>(plastic + plastic_half_words(count))};
  }
};

// Writes a fresh row (no pre spike yet): the host's side, also used by tests.
inline void init_plastic_row(uint32_t* row, uint32_t count, const uint16_t* weights, const uint16_t* control) {
  for (uint32_t k = 0; k < plastic_row_words(count); ++k) row[k] = 0;
  PlasticRow r = PlasticRow::of(row, count);
  r.header->count = count;
  uint16_t* const fixed = reinterpret_cast<uint16_t*>(row + kPlasticRowHeaderWords + plastic_half_words(count));
  for (uint32_t k = 0; k < count; ++k) {
    r.weights[k] = weights[k];
    fixed[k] = control[k];
  }
}

}  // namespace spindle::fw::stdp
