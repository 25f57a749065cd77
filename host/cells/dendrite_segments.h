// The host side of active dendrite segments
// (firmware/neuron/parts/dendrite_segments.h; docs/models.md): their
// PyNN-style parameters, rules and conversion, for the types that add them
// to a base type (if_curr_exp_segments), and how many synapse types a
// population's segments take.
#pragma once

#include <array>
#include <cstdint>

#include "cells/cell_type.h"

namespace spindle::host {

struct DendriteSegmentParams {
  double n_segments = 1;          // 1..fw::kMaxSegments
  double segment_threshold = 1;   // active synapses
  double coincidence_window = 0;  // ms; 0: one timestep
  double plateau_duration = 0;    // ms
  double i_plateau = 0;           // nA
  double v_thresh_drop = 0;       // mV
};

// The window and plateau in timesteps (rounded; validation checks they are
// whole numbers of timesteps).
uint32_t coincidence_window_ticks(double window_ms, double dt);
uint32_t plateau_ticks(double duration_ms, double dt);

fw::DendriteSegments::Params dendrite_segments(const DendriteSegmentParams& p, double dt, QuantizationReport* r);

namespace cells {

inline constexpr std::array<ParameterRule, 2> kDendriteSegmentRules = {{
    {Rule::kNonNegative, "plateau_duration"},
    {Rule::kNonNegative, "v_thresh_drop"},
}};

template <class P>
constexpr std::array<Field<P>, 6> dendrite_segment_fields() {
  return {{
      Field<P>{"n_segments", "segments", &P::n_segments},
      Field<P>{"segment_threshold", "synapses", &P::segment_threshold},
      Field<P>{"coincidence_window", "ms", &P::coincidence_window},
      Field<P>{"plateau_duration", "ms", &P::plateau_duration},
      Field<P>{"i_plateau", "nA", &P::i_plateau},
      Field<P>{"v_thresh_drop", "mV", &P::v_thresh_drop},
  }};
}

}  // namespace cells
}  // namespace spindle::host
