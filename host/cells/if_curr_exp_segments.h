// IF_curr_exp with active dendrite segments (cells/dendrite_segments.h;
// docs/models.md): PyNN's IF_curr_exp parameters plus the segments'. Its
// conversion to the core's fixed-point blocks and its descriptor in the
// cell-type registry.
#pragma once

#include "cells/cell_type.h"
#include "cells/dendrite_segments.h"
#include "cells/if_curr_exp.h"

namespace spindle::host {

struct IfCurrExpSegmentsParams : IfCurrExpParams, DendriteSegmentParams {};

fw::IfCurrExpSegments::Params to_fixed(const IfCurrExpSegmentsParams& p, double dt, QuantizationReport* r = nullptr);
fw::IfCurrExpSegments::State initial_state(const IfCurrExpSegmentsParams& p, QuantizationReport* r = nullptr);

namespace cells {
extern const CellType if_curr_exp_segments_type;
}  // namespace cells

}  // namespace spindle::host
