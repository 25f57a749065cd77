// The progress display of `spindle run` (cli/progress.h): a bar redrawn with
// '\r' on a terminal; anywhere else a plain line after a second, then one
// every 10 s.
#include "cli/progress.h"

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

namespace spindle::cli {
namespace {

// What a Progress wrote to a temporary file, fed (seconds, done) pairs of
// a 1000-tick run.
std::string shown(bool terminal, const std::vector<std::pair<double, uint32_t>>& calls) {
  std::FILE* f = std::tmpfile();
  double now = 0;
  {
    Progress p(f, terminal, [&] { return now; });
    for (const auto& [t, done] : calls) {
      now = t;
      p(done, 1000);
    }
  }
  std::string text(static_cast<size_t>(std::ftell(f)), '\0');
  std::rewind(f);
  text.resize(std::fread(text.data(), 1, text.size(), f));
  std::fclose(f);
  return text;
}

TEST(Progress, NothingInTheFirstSecond) {
  EXPECT_EQ(shown(true, {{0.2, 100}, {0.9, 900}, {0.95, 1000}}), "");
  EXPECT_EQ(shown(false, {{0.2, 100}, {0.9, 900}, {0.95, 1000}}), "");
}

TEST(Progress, TerminalBarIsRedrawnInPlace) {
  const std::string s = shown(true, {{1.5, 250}, {2.0, 1000}});
  EXPECT_EQ(s, "\rrunning [##########                              ]  25% 250/1000 ticks"
               "\rrunning [########################################] 100% 1000/1000 ticks\n");
}

TEST(Progress, ElsewherePlainLinesEveryTenSecondsAndNoCarriageReturn) {
  std::vector<std::pair<double, uint32_t>> calls;
  for (int i = 1; i <= 25; ++i) calls.push_back({i, static_cast<uint32_t>(i * 40)});  // 1 s apart
  const std::string s = shown(false, calls);
  EXPECT_EQ(s.find('\r'), std::string::npos) << s;
  EXPECT_EQ(s, "running: 4%, 40 of 1000 ticks, 1 s\n"
               "running: 44%, 440 of 1000 ticks, 11 s\n"
               "running: 84%, 840 of 1000 ticks, 21 s\n");
}

}  // namespace
}  // namespace spindle::cli
