// Validation of a network before any other stage sees it. Every problem is
// reported (not just the first), each with the field path in text-format
// spelling, e.g. `projections[3].connector.fixed_probability.p: must be in
// [0, 1], got 1.5`. The rules are listed in docs/network-format.md.
//
// The cost follows the file's size, never the network's: constants and
// distributions are checked by their bounds (network/value_rules.h), lists
// value by value; nothing is expanded or drawn.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spindle/v1/network.pb.h"

namespace spindle::host::network {

// The largest population: 2^22 neurons (4096 full native cores).
inline constexpr uint32_t kMaxPopulationSize = 1u << 22;
// The longest delay in timesteps: a core's ring buffer has
// fw::kMaxRingSlots slots (network/validate.cpp checks they agree).
inline constexpr int64_t kMaxDelayTicks = 63;

struct ValidationError {
  std::string path;
  std::string message;
  bool operator==(const ValidationError&) const = default;
};

// Empty when the network is valid.
std::vector<ValidationError> validate_network(const spindle::v1::Network& net);

// One "path: message" line per error, each ending in '\n'.
std::string format_errors(const std::vector<ValidationError>& errors);

}  // namespace spindle::host::network
