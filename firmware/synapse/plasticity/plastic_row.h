// A plastic synaptic row, in memory the core may write (32-bit words):
//   header   4 words: last pre-spike tick, the potentiation window's start,
//            the pre trace right after the last pre spike (u4.11), and
//            the row's synapse count (written by the host, checked at load)
//   plastic  count 16-bit weights, padded to a word: written back at every
//            pre spike and by flush; what the host reads out
//   fixed    count 16-bit control words, padded to a word: delay | type |
//            index, the low 16 bits of a static synaptic word (same layout)
// Host and core agree on the layout through plastic_row_words() and
// PlasticRow::of(). A neuromodulated row (dopamine-modulated STDP) is a
// plastic row followed by
//   eligibility  count 32-bit eligibility traces c (s20.11 weight units)
//   weight state count 32-bit weights with 11 fraction bits (u16.11): the
//                weight the rule integrates; the 16-bit weight above is it
//                rounded to nearest (what the ring buffer adds and the host
//                reads)
// (neuromodulated_row_words(), NeuromodulatedRow::of()).
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

constexpr uint32_t neuromodulated_row_words(uint32_t count) { return plastic_row_words(count) + 2 * count; }

struct NeuromodulatedRow : PlasticRow {
  int32_t* eligibility;
  uint32_t* weight_state;

  static NeuromodulatedRow of(uint32_t* row, uint32_t count) {
    uint32_t* const extra = row + plastic_row_words(count);
    return {PlasticRow::of(row, count), reinterpret_cast<int32_t*>(extra), extra + count};
  }
};

// Fraction bits of a neuromodulated row's weight state and eligibility trace.
inline constexpr uint32_t kWeightStateFracBits = 11;
inline constexpr uint32_t kEligibilityFracBits = 11;

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

// A fresh neuromodulated row: c = 0, weight state = weight << 11.
inline void init_neuromodulated_row(uint32_t* row, uint32_t count, const uint16_t* weights, const uint16_t* control) {
  init_plastic_row(row, count, weights, control);
  NeuromodulatedRow r = NeuromodulatedRow::of(row, count);
  for (uint32_t k = 0; k < count; ++k) {
    r.eligibility[k] = 0;
    r.weight_state[k] = uint32_t{weights[k]} << kWeightStateFracBits;
  }
}

}  // namespace spindle::fw::stdp
