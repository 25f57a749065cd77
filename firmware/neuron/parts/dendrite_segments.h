// Dendrites: active segments, coincidence detectors on sparse input (Ahmad &
// Hawkins 2016; the distal segments of Numenta's HTM neurons). A neuron has
// S segments, each with its own synapse type (after the model's receptors);
// a synapse's weight is how many active synapses it counts as (the host
// writes whole numbers). Per step, for each segment k:
//   x_k(t)  this step's count of active synapses (the ring input, whole
//           synapses, at most 255 a step);
//   c_k(t)  = x_k(t) + ... + x_k(t - W + 1), the count in the coincidence
//           window of W steps (1 <= W <= kMaxCoincidenceWindow);
//   an NMDA spike when c_k(t) >= theta (every step it holds).
// Any NMDA spike (re)starts the neuron's plateau: for the P steps from this
// one on, the soma gets plateau_current in its drive and fires when
// V + threshold_drop reaches its threshold ("predictive": its threshold is
// lower by threshold_drop). Either effect may be 0: a population uses the
// dendritic bias, the gating, or both.
//
// Integers only. The window keeps the last W counts of a segment one byte
// each in one word (newest lowest), so the sum is two masked adds; the
// plateau is one countdown per neuron, and the segments that spiked in the
// step are kept for recording (segment_spikes).
#pragma once

#include <cstdint>

#include "config/limits.h"
#include "fixed/fixed_point.h"
#include "neuron/parts/dendrites_none.h"

namespace spindle::fw {

struct DendriteSegments {
  static constexpr uint32_t kInputs = kMaxSegments;
  static constexpr uint32_t kMaxCount = 255;            // a step's count, a byte
  static constexpr uint32_t kMaxPlateauTicks = 0xFFFF;  // the countdown's width
  struct Params {
    uint32_t shape;          // n_segments (bits 0-7) | window W (8-15) | theta (16-31)
    uint32_t plateau_ticks;  // P, <= kMaxPlateauTicks
    Accum plateau_current;   // added to the soma's drive during a plateau
    Accum threshold_drop;    // mV, the threshold's drop during a plateau
  };
  struct State {
    uint32_t window[kMaxSegments];  // each segment's last W counts, a byte each, newest lowest
    uint32_t plateau;               // steps of plateau left (bits 0-15) | segments that spiked (16-23)
  };

  static constexpr uint32_t shape(uint32_t n_segments, uint32_t window, uint32_t theta) {
    return n_segments | window << 8 | theta << 16;
  }
  static constexpr uint32_t segments(const Params& p) { return p.shape & 0xFF; }
  static constexpr uint32_t window(const Params& p) { return (p.shape >> 8) & 0xFF; }
  static constexpr uint32_t theta(const Params& p) { return p.shape >> 16; }

  // The neuron has exactly the core's segment types, a window the word
  // holds, a threshold of at least one synapse and a plateau the countdown holds.
  static constexpr bool params_ok(const Params& p, uint32_t n_inputs) {
    return segments(p) == n_inputs && n_inputs >= 1 && n_inputs <= kMaxSegments && window(p) >= 1 &&
           window(p) <= kMaxCoincidenceWindow && theta(p) >= 1 && p.plateau_ticks <= kMaxPlateauTicks;
  }

  // The sum of a word's four bytes.
  static constexpr uint32_t byte_sum(uint32_t w) {
    const uint32_t pairs = (w & 0x00FF00FFu) + ((w >> 8) & 0x00FF00FFu);
    return (pairs & 0xFFFFu) + (pairs >> 16);
  }

  // input[k]: segment k's ring input this step, in whole synapses (s16.15).
  static DendriteEffect update(const Params& p, State& s, const Accum* input) {
    const uint32_t n = segments(p), theta_ = theta(p);
    const uint32_t keep = window(p) >= 4 ? ~0u : (1u << (8 * window(p))) - 1u;
    uint32_t fired = 0;
    for (uint32_t k = 0; k < n; ++k) {
      const int32_t raw = input[k].raw;
      const uint32_t whole = raw <= 0 ? 0u : static_cast<uint32_t>(raw) >> 15;
      const uint32_t count = whole > kMaxCount ? kMaxCount : whole;
      const uint32_t w = ((s.window[k] << 8) | count) & keep;
      s.window[k] = w;
      if (byte_sum(w) >= theta_) fired |= 1u << k;
    }
    uint32_t left = s.plateau & 0xFFFFu;
    if (fired != 0) left = p.plateau_ticks;
    DendriteEffect e{};
    if (left > 0) {
      e.current = p.plateau_current;
      e.threshold_drop = p.threshold_drop;
      --left;
    }
    s.plateau = left | fired << 16;
    return e;
  }
  static constexpr uint32_t spikes(const State& s) { return (s.plateau >> 16) & 0xFFu; }
};

}  // namespace spindle::fw
