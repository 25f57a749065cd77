// The one place where real numbers become core fixed point. Every conversion
// rounds to nearest and reports what it lost: the quantization error, and
// whether the value had to be clamped to the format's range.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fixed/fixed_point.h"

namespace spindle::host {

struct QuantizationEntry {
  std::string what;     // e.g. "IF_curr_exp.tau_m decay"
  double value = 0;     // requested
  double quantized = 0; // what the core will use
  bool clamped = false; // outside the format's range
  double abs_error() const { return quantized > value ? quantized - value : value - quantized; }
};

// Collects the conversions of one build; optional everywhere.
struct QuantizationReport {
  std::vector<QuantizationEntry> entries;
  bool any_clamped() const;
  double max_abs_error() const;
};

fw::Accum to_accum(double v, const char* what = "", QuantizationReport* report = nullptr);
fw::Accum47 to_accum47(double v, const char* what = "", QuantizationReport* report = nullptr);
fw::UFract32 to_ufract32(double v, const char* what = "", QuantizationReport* report = nullptr);
fw::SFract31 to_sfract31(double v, const char* what = "", QuantizationReport* report = nullptr);
fw::SFract15 to_sfract15(double v, const char* what = "", QuantizationReport* report = nullptr);

// A mean interval in ticks as the Poisson core reads it (image::PoissonSource):
// ticks = mantissa x 2^-(shift + 5), mantissa normalised into [2^31, 2^32) for
// 32 significant bits. Infinity (rate 0) is mantissa 0, which the core reads
// as "never fires". Beyond the range (over 2^27 ticks, or a mantissa that
// would round to 0 at the largest shift) it is clamped and reported.
struct MeanInterval {
  uint32_t mantissa = 0;
  uint32_t shift = 0;
};
MeanInterval to_mean_interval(double ticks, const char* what = "", QuantizationReport* report = nullptr);
double to_double(MeanInterval m);

double to_double(fw::Accum a);
double to_double(fw::Accum47 a);
double to_double(fw::UFract32 f);
double to_double(fw::SFract31 f);
double to_double(fw::SFract15 f);

// Smallest step of s16.15 (the resolution tolerances are derived from).
inline constexpr double kAccumResolution = 1.0 / (1 << fw::Accum::kFracBits);

}  // namespace spindle::host
