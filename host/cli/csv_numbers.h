// Numbers in the CSV results (spikes.csv, state.csv) written so that
// nothing is lost: a spike's time is tick x timestep, printed with exactly
// the timestep's decimals (0.1 ms -> 1234567.8, where printf's %g gave
// 1.23457e+06 past 10^6 ms and dropped the tenths past 10^5 ms, i.e. after
// 100 s of biological time); a state value is a fixed-point number, printed
// in the shortest form that reads back as the same double (std::to_chars),
// where the stream's 6 significant digits rounded -64.99997 mV to -65.
#pragma once

#include <cstddef>
#include <cstdint>

namespace spindle::cli {

class TickTimeFormat {
 public:
  // Decimals: the fewest (at most kMaxDecimals) that write dt_ms exactly;
  // a timestep with more is written in the shortest round-trip form.
  explicit TickTimeFormat(double dt_ms);
  static constexpr int kMaxDecimals = 9;
  // Writes tick x dt into out (no terminator); returns the length.
  // `out` holds at least kMaxChars (> kMaxValueChars: a time too long for
  // its decimals falls back to the round-trip form).
  static constexpr size_t kMaxChars = 48;
  size_t write(char* out, uint64_t tick) const;
  int decimals() const { return decimals_; }  // -1: round-trip form

 private:
  double dt_ms_;
  int decimals_;
};

// The shortest text that parses back to `value` exactly; returns the length
// (at most kMaxValueChars, no terminator).
inline constexpr size_t kMaxValueChars = 32;
size_t write_value(char* out, double value);

}  // namespace spindle::cli
