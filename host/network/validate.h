// Validation of a network before any other stage sees it. Every problem is
// reported (not just the first), each with the field path in text-format
// spelling, e.g. `projections[3].connector.fixed_probability.p: must be in
// [0, 1], got 1.5`. The rules are listed in docs/network-format.md.
#pragma once

#include <string>
#include <vector>

#include "spindle/v1/network.pb.h"

namespace spindle::host::network {

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
