#include "cli/csv_numbers.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace spindle::cli {

TickTimeFormat::TickTimeFormat(double dt_ms) : dt_ms_(dt_ms), decimals_(-1) {
  double scaled = dt_ms;
  for (int d = 0; d <= kMaxDecimals; ++d, scaled *= 10) {
    // dt as a decimal with d places, to within the double's own error.
    if (std::fabs(scaled - std::nearbyint(scaled)) <= 1e-12 * std::fabs(scaled)) {
      decimals_ = d;
      return;
    }
  }
}

size_t TickTimeFormat::write(char* out, uint64_t tick) const {
  const double t = static_cast<double>(tick) * dt_ms_;
  if (decimals_ >= 0) {
    const int n = std::snprintf(out, kMaxChars, "%.*f", decimals_, t);
    if (n > 0 && static_cast<size_t>(n) < kMaxChars) return static_cast<size_t>(n);
  }
  return write_value(out, t);
}

size_t write_value(char* out, double value) {
  // Any double's shortest form fits (at most 24 characters).
  const auto r = std::to_chars(out, out + kMaxValueChars, value);
  return static_cast<size_t>(r.ptr - out);
}

}  // namespace spindle::cli
