// The daemon's parts on their own: bearer-token digests and their compare,
// the first-come first-served line of runs waiting for a slot, and
// injected spikes merged into a population's recorded spikes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "daemon/auth.h"
#include "daemon/client_quota.h"
#include "daemon/injected_spikes.h"
#include "daemon/run_queue.h"

namespace spindle::daemon {
namespace {

namespace fs = std::filesystem;

std::string hex(const TokenDigest& d) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

TEST(TokenDigest, IsSha256) {
  // FIPS 180-2's example "abc".
  EXPECT_EQ(hex(token_digest("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenDigest, EqualOnlyWhenEveryByteIs) {
  const TokenDigest a = token_digest("0123456789abcdef-alice");
  EXPECT_TRUE(digests_equal(a, a));
  EXPECT_TRUE(digests_equal(a, token_digest("0123456789abcdef-alice")));
  EXPECT_FALSE(digests_equal(a, token_digest("0123456789abcdef-alicf")));
  for (size_t i : {size_t{0}, size_t{15}, a.size() - 1}) {  // a difference anywhere counts
    TokenDigest b = a;
    b[i] ^= 1;
    EXPECT_FALSE(digests_equal(a, b)) << i;
  }
}

class TokenFileTest : public ::testing::Test {
 protected:
  fs::path write(const std::string& text) {
    const fs::path p = fs::temp_directory_path() / ("spindle_tokens_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::ofstream(p) << text;
    files_.push_back(p);
    return p;
  }
  void TearDown() override {
    for (const auto& f : files_) fs::remove(f);
  }
  std::string error_of(const std::string& text) {
    const fs::path p = write(text);
    try {
      Auth::from_token_file(p.string());
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "no error";
  }
  std::vector<fs::path> files_;
};

TEST_F(TokenFileTest, NamesByToken) {
  const Auth auth = Auth::from_token_file(write("# who token\nalice 0123456789abcdef-alice\n\nbob 0123456789abcdef-bob # x\n"));
  EXPECT_TRUE(auth.requires_token());
  EXPECT_EQ(auth.name_of("0123456789abcdef-alice"), "alice");
  EXPECT_EQ(auth.name_of("0123456789abcdef-bob"), "bob");
  EXPECT_EQ(auth.name_of("0123456789abcdef-carol"), "");
  EXPECT_EQ(auth.name_of("0123456789abcdef-alic"), "");    // a prefix
  EXPECT_EQ(auth.name_of("0123456789abcdef-alicee"), "");  // longer
  EXPECT_EQ(auth.name_of(""), "");
}

TEST_F(TokenFileTest, BadFilesNameFileAndLine) {
  EXPECT_NE(error_of("alice 0123456789abcdef\nbob short\n").find(":2: token of 'bob' is shorter than 16"),
            std::string::npos);
  EXPECT_NE(error_of("alice 0123456789abcdef\nbob 0123456789abcdef\n").find(":2: token repeated"), std::string::npos);
  EXPECT_NE(error_of("alice\n").find(":1: expected \"NAME TOKEN\""), std::string::npos);
  EXPECT_NE(error_of("# nothing\n").find(": no tokens"), std::string::npos);
  EXPECT_THROW(Auth::from_token_file("/nonexistent/tokens"), std::runtime_error);
}

TEST(RunQueue, RunsUpToItsSlotsAndLinesUpTheRest) {
  RunQueue q(1, 2);
  const auto a = q.join(), b = q.join(), c = q.join();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(q.position(*a), 0u);  // runs
  EXPECT_EQ(q.position(*b), 1u);  // next
  EXPECT_EQ(q.position(*c), 2u);
  EXPECT_FALSE(q.join());         // the line is full: refused
  EXPECT_EQ(q.running(), 1u);
  EXPECT_EQ(q.waiting(), 2u);

  q.leave(*b);  // gave up waiting (cancelled)
  EXPECT_EQ(q.position(*c), 1u);
  const auto d = q.join();
  ASSERT_TRUE(d);
  EXPECT_EQ(q.position(*d), 2u);  // behind c: first come, first served
  q.leave(*a);
  EXPECT_EQ(q.position(*c), 0u);
  EXPECT_EQ(q.position(*d), 1u);
  q.leave(*c);
  q.leave(*d);
  EXPECT_EQ(q.running(), 0u);
  EXPECT_EQ(q.waiting(), 0u);
}

TEST(RunQueue, NoLineWhenNothingMayWait) {
  RunQueue q(2, 0);
  const auto a = q.join(), b = q.join();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(q.join());
  q.leave(*a);
  EXPECT_TRUE(q.join());
}

TEST(RunQueue, WaiterSeesItsTurn) {
  RunQueue q(1, 4);
  const auto a = q.join(), b = q.join();
  ASSERT_TRUE(a && b);
  std::thread leaver([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    q.leave(*a);
  });
  uint32_t place = q.position(*b);
  for (int i = 0; i < 600 && place != 0; ++i) place = q.wait_for_change(*b, place, std::chrono::milliseconds(100));
  leaver.join();
  EXPECT_EQ(place, 0u);
}

PopulationSpikes spikes(std::vector<std::pair<uint64_t, uint32_t>> list) {
  PopulationSpikes s;
  for (auto [t, n] : list) {
    s.ticks.push_back(t);
    s.neurons.push_back(n);
  }
  return s;
}

std::vector<std::pair<uint64_t, uint32_t>> pairs(const PopulationSpikes& s) {
  std::vector<std::pair<uint64_t, uint32_t>> out;
  for (size_t i = 0; i < s.neurons.size(); ++i) out.push_back({s.ticks[i], s.neurons[i]});
  return out;
}

TEST(InjectedSpikes, MergeInTickThenNeuronOrder) {
  InjectedSpikes inj(2);
  inj.add(0, 12, 3);
  inj.add(0, 10, 5);
  inj.add(0, 10, 1);
  inj.add(1, 30, 0);
  std::vector<PopulationSpikes> out = {spikes({{10, 2}, {10, 5}, {11, 0}, {12, 9}}), {}};
  EXPECT_EQ(inj.merge_new(12, out), 2u);  // tick 12 has not run yet
  EXPECT_EQ(pairs(out[0]), (std::vector<std::pair<uint64_t, uint32_t>>{{10, 1}, {10, 2}, {10, 5}, {10, 5}, {11, 0}, {12, 9}}));
  EXPECT_TRUE(out[1].neurons.empty());

  out = {spikes({{12, 0}, {13, 4}}), {}};
  EXPECT_EQ(inj.merge_new(40, out), 2u);  // the rest, and nothing twice
  EXPECT_EQ(pairs(out[0]), (std::vector<std::pair<uint64_t, uint32_t>>{{12, 0}, {12, 3}, {13, 4}}));
  EXPECT_EQ(pairs(out[1]), (std::vector<std::pair<uint64_t, uint32_t>>{{30, 0}}));
  out = {{}, {}};
  EXPECT_EQ(inj.merge_new(50, out), 0u);

  std::vector<PopulationSpikes> all = {spikes({{11, 0}}), {}};
  inj.merge_all(12, all);
  EXPECT_EQ(pairs(all[0]), (std::vector<std::pair<uint64_t, uint32_t>>{{10, 1}, {10, 5}, {11, 0}}));
  EXPECT_EQ(inj.recorded(12), 2u);
  EXPECT_EQ(inj.recorded(31), 4u);
}

}  // namespace
}  // namespace spindle::daemon

// Many spikes for far ticks, added in any order: they come out in tick then
// neuron order, and only the due ones are merged.
TEST(InjectedSpikes, ManyFutureSpikesInAnyOrder) {
  spindle::daemon::InjectedSpikes record(1);
  constexpr uint32_t kTicks = 2000, kNeurons = 50;
  for (uint32_t t = kTicks; t-- > 0;)
    for (uint32_t n = kNeurons; n-- > 0;) record.add(0, 100 + t, n);
  EXPECT_EQ(record.recorded(100), 0u);
  EXPECT_EQ(record.recorded(100 + kTicks), uint64_t{kTicks} * kNeurons);
  std::vector<spindle::daemon::PopulationSpikes> out(1);
  EXPECT_EQ(record.merge_new(150, out), 50u * kNeurons);
  ASSERT_EQ(out[0].ticks.size(), 50u * kNeurons);
  for (size_t i = 1; i < out[0].ticks.size(); ++i)
    EXPECT_TRUE(out[0].ticks[i - 1] < out[0].ticks[i] ||
                (out[0].ticks[i - 1] == out[0].ticks[i] && out[0].neurons[i - 1] < out[0].neurons[i]));
  std::vector<spindle::daemon::PopulationSpikes> all(1);
  record.merge_all(200, all);
  EXPECT_EQ(all[0].ticks.size(), 100u * kNeurons);
}

TEST(ClientQuota, SharesPerClient) {
  spindle::daemon::ClientQuota quota("runs", 2);
  EXPECT_EQ(quota.take("ada", 2), "");
  EXPECT_EQ(quota.take("ada", 1), "a client may hold 2 runs at once; this one holds 2 and asked for 1 more");
  EXPECT_EQ(quota.take("bob", 1), "");
  quota.give_back("ada", 1);
  EXPECT_EQ(quota.in_use("ada"), 1u);
  EXPECT_EQ(quota.take("ada", 1), "");
}
