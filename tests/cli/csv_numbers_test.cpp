// Numbers in spikes.csv and state.csv (host/cli/csv_numbers.h): times keep
// every decimal of the timestep at any run length, values read back exactly.
#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <random>
#include <string>

#include "cli/csv_numbers.h"

namespace spindle::cli {
namespace {

std::string time_text(const TickTimeFormat& f, uint64_t tick) {
  char buf[TickTimeFormat::kMaxChars];
  return std::string(buf, f.write(buf, tick));
}

std::string value_text(double v) {
  char buf[kMaxValueChars];
  return std::string(buf, write_value(buf, v));
}

TEST(TickTimeFormat, UsesTheTimestepsDecimals) {
  EXPECT_EQ(TickTimeFormat(1.0).decimals(), 0);
  EXPECT_EQ(TickTimeFormat(0.1).decimals(), 1);
  EXPECT_EQ(TickTimeFormat(0.25).decimals(), 2);
  EXPECT_EQ(TickTimeFormat(0.001).decimals(), 3);
  EXPECT_EQ(TickTimeFormat(1.0 / 3.0).decimals(), -1);
}

TEST(TickTimeFormat, KeepsTenthsOfLongRuns) {
  const TickTimeFormat f(0.1);
  EXPECT_EQ(time_text(f, 0), "0.0");
  EXPECT_EQ(time_text(f, 3), "0.3");  // 3 x 0.1 is 0.30000000000000004 as a double
  EXPECT_EQ(time_text(f, 1000001), "100000.1");     // %g wrote 100000
  EXPECT_EQ(time_text(f, 12345678), "1234567.8");   // %g wrote 1.23457e+06
  EXPECT_EQ(time_text(f, 36000000007ull), "3600000000.7");  // 100 hours
  EXPECT_EQ(time_text(TickTimeFormat(1.0), 200), "200");
  EXPECT_EQ(time_text(TickTimeFormat(0.025), 7), "0.175");
}

TEST(TickTimeFormat, EveryTickReadsBackAsItsOwnTime) {
  // Each printed time, parsed and divided by dt, is its tick again.
  for (double dt : {0.1, 0.05, 0.025, 1.0, 0.2}) {
    const TickTimeFormat f(dt);
    for (uint64_t tick : {0ull, 1ull, 7ull, 999ull, 123456ull, 9999999ull, 4000000001ull}) {
      const std::string s = time_text(f, tick);
      double t = 0;
      std::from_chars(s.data(), s.data() + s.size(), t);
      EXPECT_EQ(static_cast<uint64_t>(t / dt + 0.5), tick) << "dt " << dt << " text " << s;
    }
  }
}

TEST(TickTimeFormat, OddTimestepsRoundTrip) {
  const double dt = 1.0 / 3.0;
  const TickTimeFormat f(dt);
  const std::string s = time_text(f, 1000);
  double t = 0;
  std::from_chars(s.data(), s.data() + s.size(), t);
  EXPECT_EQ(t, 1000 * dt);
}

TEST(WriteValue, FixedPointValuesReadBackExactly) {
  EXPECT_EQ(value_text(-65.0), "-65");
  EXPECT_EQ(value_text(-49.999969482421875), "-49.999969482421875");  // s16.15: the stream's 6 digits wrote -50
  std::mt19937 gen(5);
  std::uniform_int_distribution<int32_t> raw(INT32_MIN, INT32_MAX);
  for (int i = 0; i < 10000; ++i) {
    const double v = raw(gen) / 32768.0;
    const std::string s = value_text(v);
    double back = 0;
    std::from_chars(s.data(), s.data() + s.size(), back);
    ASSERT_EQ(back, v) << s;
  }
}

}  // namespace
}  // namespace spindle::cli
