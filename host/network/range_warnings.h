// Values a core cannot hold: a parameter outside the s16.15 range of the
// core's fixed point (|x| >= 65536 mV, nA, ...) is saturated to the range's
// end, and a refractory period longer than 2^31 timesteps to that. The
// network still runs, so these are warnings, each with its field path
// (`spindle validate`, `run`, `map` print them; spindled returns them with
// SubmitNetwork). Checked by bounds, like validation: O(file size).
#pragma once

#include <vector>

#include "network/validate.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host::network {

// Call on a valid network.
std::vector<ValidationError> range_warnings(const spindle::v1::Network& net);

}  // namespace spindle::host::network
