#include "quantize/quantize.h"

#include <cmath>
#include <cstdint>
#include <limits>

namespace spindle::host {
namespace {

// Rounds v x 2^frac_bits to nearest (ties away from zero, as the cores do)
// and clamps into [lo, hi].
template <class Raw>
Raw quantize(double v, int frac_bits, double lo, double hi, const char* what, QuantizationReport* report,
             double& quantized_out) {
  bool clamped = false;
  double scaled = std::ldexp(v, frac_bits);
  if (std::isnan(scaled)) {
    scaled = 0;
    clamped = true;
  }
  double r = std::round(scaled);
  if (r < lo) { r = lo; clamped = true; }
  if (r > hi) { r = hi; clamped = true; }
  quantized_out = std::ldexp(r, -frac_bits);
  if (report) report->entries.push_back({what, v, quantized_out, clamped});
  return static_cast<Raw>(r);
}

}  // namespace

bool QuantizationReport::any_clamped() const {
  for (const auto& e : entries)
    if (e.clamped) return true;
  return false;
}

double QuantizationReport::max_abs_error() const {
  double m = 0;
  for (const auto& e : entries) m = std::max(m, e.abs_error());
  return m;
}

fw::Accum to_accum(double v, const char* what, QuantizationReport* report) {
  double q;
  return fw::Accum::from_raw(quantize<int32_t>(v, fw::Accum::kFracBits, INT32_MIN, INT32_MAX, what, report, q));
}
fw::Accum47 to_accum47(double v, const char* what, QuantizationReport* report) {
  double q;
  // The largest double below 2^63 is 2^63 - 2^10: the clamp stays inside int64.
  const double hi = std::ldexp(1.0, 63) - 1024.0;
  return fw::Accum47::of(quantize<int64_t>(v, fw::Accum47::kFracBits, -std::ldexp(1.0, 63), hi, what, report, q));
}
fw::UFract32 to_ufract32(double v, const char* what, QuantizationReport* report) {
  double q;
  return fw::UFract32::from_raw(quantize<uint32_t>(v, 32, 0, UINT32_MAX, what, report, q));
}
fw::SFract31 to_sfract31(double v, const char* what, QuantizationReport* report) {
  double q;
  return fw::SFract31::from_raw(quantize<int32_t>(v, 31, INT32_MIN, INT32_MAX, what, report, q));
}
fw::SFract15 to_sfract15(double v, const char* what, QuantizationReport* report) {
  double q;
  return fw::SFract15::from_raw(quantize<int16_t>(v, 15, INT16_MIN, INT16_MAX, what, report, q));
}

MeanInterval to_mean_interval(double ticks, const char* what, QuantizationReport* report) {
  constexpr int kBias = 5;         // ticks = mantissa x 2^-(shift + kBias)
  constexpr uint32_t kMaxShift = 63;
  MeanInterval m;
  bool clamped = false;
  if (std::isinf(ticks) && ticks > 0) {
    m = {0, 0};  // never fires
  } else if (!(ticks > 0)) {
    m = {1, kMaxShift};  // NaN, 0 or negative: the shortest interval there is
    clamped = true;
  } else {
    // The largest shift whose rounded mantissa still fits in 32 bits.
    int e = 0;
    std::frexp(ticks, &e);  // ticks in [2^(e-1), 2^e)
    int shift = 32 - e - kBias;
    double r = 0;
    for (;; --shift) {
      if (shift < 0) {
        shift = 0;
        r = UINT32_MAX;
        clamped = true;
        break;
      }
      r = std::round(std::ldexp(ticks, shift + kBias));
      if (shift > static_cast<int>(kMaxShift)) continue;
      if (r <= UINT32_MAX) break;
    }
    if (r < 1) {
      r = 1;
      clamped = true;
    }
    m = {static_cast<uint32_t>(r), static_cast<uint32_t>(shift)};
  }
  if (report) report->entries.push_back({what, ticks, to_double(m), clamped});
  return m;
}

double to_double(MeanInterval m) {
  if (m.mantissa == 0) return std::numeric_limits<double>::infinity();
  return std::ldexp(static_cast<double>(m.mantissa), -static_cast<int>(m.shift) - 5);
}

double to_double(fw::Accum a) { return std::ldexp(a.raw, -fw::Accum::kFracBits); }
double to_double(fw::Accum47 a) { return std::ldexp(static_cast<double>(a.value()), -fw::Accum47::kFracBits); }
double to_double(fw::UFract32 f) { return std::ldexp(static_cast<double>(f.raw), -32); }
double to_double(fw::SFract31 f) { return std::ldexp(f.raw, -31); }
double to_double(fw::SFract15 f) { return std::ldexp(f.raw, -15); }

}  // namespace spindle::host
