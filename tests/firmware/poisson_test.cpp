// Spike sources: the Poisson draw (Knuth's method in u0.32) on its own and in
// a Poisson core, and spike-array replay.
//
// Statistical bounds. With N independent Poisson(lambda) counts:
//   mean:  SE = sqrt(lambda / N)
//   Fano factor F = s^2 / mean of n window counts: by the delta method, with
//   Var(s^2) ~ (mu4 - sigma^4)/n = (l + 2 l^2)/n, Cov(s^2, mean) = mu3/n = l/n
//   and Var(mean) = l/n for Poisson(l), Var(F) ~ (l + 2l^2 - 2l + l)/(n l^2)
//   = 2/n, so SE(F) = sqrt(2/n) whatever the window's mean l.
// Every check allows 5 standard errors (two-sided p ~ 6e-7 per check), and
// the seeds are fixed, so the tests are deterministic.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "image/core_image_builder.h"
#include "quantize/quantize.h"
#include "source/poisson.h"
#include "support/image_edit.h"
#include "support/test_images.h"

namespace spindle::test {
namespace {

namespace img = fw::image;
using fw::kMaxSpikesPerSourcePerTick;
using fw::Rng;

constexpr double kSigmas = 5.0;

uint32_t threshold(double lambda) { return host::to_ufract32(std::exp(-lambda)).raw; }

// The same draw written out independently, without the cap: the number of
// uniform factors before the u0.32 product falls to the threshold.
uint32_t uncapped_draw(Rng& rng, uint32_t exp_minus_lambda) {
  uint64_t p = uint64_t{1} << 32;
  for (uint32_t k = 0;; ++k) {
    p = (p * rng.next()) >> 32;
    if (p <= exp_minus_lambda) return k;
  }
}

struct Moments {
  double mean = 0, var = 0;
  size_t n = 0;
};
template <class T>
Moments moments(const std::vector<T>& xs) {
  Moments m;
  m.n = xs.size();
  for (T x : xs) m.mean += static_cast<double>(x);
  m.mean /= static_cast<double>(m.n);
  for (T x : xs) m.var += (static_cast<double>(x) - m.mean) * (static_cast<double>(x) - m.mean);
  m.var /= static_cast<double>(m.n - 1);
  return m;
}

void expect_poisson_mean_and_fano(const std::vector<uint32_t>& counts, double lambda, const char* what) {
  const Moments m = moments(counts);
  const double n = static_cast<double>(m.n);
  EXPECT_NEAR(m.mean, lambda, kSigmas * std::sqrt(lambda / n)) << what << " lambda " << lambda;
  EXPECT_NEAR(m.var / m.mean, 1.0, kSigmas * std::sqrt(2.0 / (n - 1))) << what << " lambda " << lambda;
}

// --- the draw on its own ---------------------------------------------------

TEST(PoissonDraw, MeanFanoAndDistribution) {
  const double lambdas[] = {0.01, 0.1, 1.0, 3.0};
  for (double lambda : lambdas) {
    const std::array<uint32_t, 4> s = host::core_seed(0xABCD, static_cast<uint32_t>(lambda * 1000));
    const uint32_t seed[4] = {s[0], s[1], s[2], s[3]};
    Rng rng(seed);
    const uint32_t L = threshold(lambda);
    constexpr int kN = 1'000'000;
    std::vector<uint32_t> counts(kN);
    std::vector<uint64_t> histogram(kMaxSpikesPerSourcePerTick + 1, 0);
    for (uint32_t& c : counts) {
      c = fw::poisson_draw(rng, L);
      ASSERT_LE(c, kMaxSpikesPerSourcePerTick);
      ++histogram[c];
    }
    expect_poisson_mean_and_fano(counts, lambda, "poisson_draw");
    // Each probability P(k) within 5 binomial standard errors.
    double pk = std::exp(-lambda);
    for (uint32_t k = 0; k <= 8; ++k) {
      const double expected = pk * kN;
      if (expected >= 50) {
        const double sd = std::sqrt(kN * pk * (1 - pk));
        EXPECT_NEAR(static_cast<double>(histogram[k]), expected, kSigmas * sd) << "lambda " << lambda << " k " << k;
      }
      pk *= lambda / (k + 1);
    }
  }
}

TEST(PoissonDraw, SameSeedSameCountsDifferentSeedDifferent) {
  const uint32_t a[4] = {0x9E3779B9u, 0x7F4A7C15u, 0xBF58476Du, 0x1CE4E5B9u};
  const uint32_t b[4] = {0x9E3779B9u, 0x7F4A7C15u, 0xBF58476Du, 0x1CE4E5BAu};
  Rng r1(a), r2(a), r3(b);
  const uint32_t L = threshold(0.5);
  int differ = 0;
  for (int i = 0; i < 10000; ++i) {
    const uint32_t x = fw::poisson_draw(r1, L), y = fw::poisson_draw(r2, L), z = fw::poisson_draw(r3, L);
    ASSERT_EQ(x, y);
    differ += x != z;
  }
  EXPECT_GT(differ, 1000);
}

TEST(PoissonDraw, RateZeroNeverFires) {
  const uint32_t s[4] = {9, 9, 9, 9};
  Rng rng(s);
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(fw::poisson_draw(rng, UINT32_MAX), 0u);  // exp(-0) saturated to u0.32
}

TEST(PoissonDraw, CapAtMaxSpikesIsReportedExactly) {
  // lambda = 30: exp(-30) is 0 in u0.32, so most draws run into the cap.
  // Against the uncapped draw on a copy of the stream: returned = min(k, cap)
  // and capped <=> k > cap.
  const uint32_t s[4] = {0x0BADF00Du, 0xDEADBEEFu, 0x8BADF00Du, 0xFEEDFACEu};
  for (double lambda : {30.0, 12.0, 1.0}) {
    Rng rng(s);
    const uint32_t L = threshold(lambda);
    uint32_t capped_draws = 0, exact_caps = 0;
    for (int i = 0; i < 200000; ++i) {
      Rng copy = rng;
      const uint32_t k = uncapped_draw(copy, L);
      bool capped = false;
      const uint32_t got = fw::poisson_draw(rng, L, &capped);
      ASSERT_EQ(got, std::min(k, kMaxSpikesPerSourcePerTick)) << "draw " << i;
      ASSERT_EQ(capped, k > kMaxSpikesPerSourcePerTick) << "draw " << i;
      capped_draws += capped;
      exact_caps += k == kMaxSpikesPerSourcePerTick;
    }
    if (lambda == 30.0) {
      EXPECT_GT(capped_draws, 150000u);
    }
    if (lambda == 12.0) {
      EXPECT_GT(capped_draws, 1000u);  // P(k > 16) = 0.101
      EXPECT_GT(exact_caps, 1000u);    // P(k = 16) = 0.054: a real 16 is not a cap
    }
    if (lambda == 1.0) {
      EXPECT_EQ(capped_draws, 0u);
    }
  }
}

// --- a Poisson core ----------------------------------------------------------

// Runs a core for n ticks; returns its spike records (drained every tick).
std::vector<fw::SpikeRecord> run(LoadedCore& c, uint32_t ticks) {
  std::vector<fw::SpikeRecord> out;
  for (uint32_t t = 0; t < ticks; ++t) {
    c.core().tick();
    for (uint32_t k = 0; k < c.core().spikes().size(); ++k) out.push_back(c.core().spikes()[k]);
    c.core().clear_records();
    c.platform().clear_outbox();
  }
  return out;
}

std::vector<uint8_t> poisson_core(uint32_t n, double rate_hz, double dt_ms, std::array<uint32_t, 4> seed) {
  std::vector<img::PoissonSource> sources(n, host::poisson_source(rate_hz, 0.0, 1e9, dt_ms));
  host::CoreImageSpec spec = poisson_spec(sources, 0x40000, seed);
  spec.timestep_us = static_cast<uint32_t>(std::lround(dt_ms * 1000));
  return host::build_core_image(spec);
}

TEST(PoissonCore, MeanAndFanoOverALongRun) {
  constexpr uint32_t kSources = 200, kTicks = 10000, kWindow = 100;
  // rate x dt = 0.01, 0.1, 1.0 with dt = 1 ms; and 0.1 with dt = 0.1 ms.
  struct Case {
    double rate_hz, dt_ms;
  };
  const Case cases[] = {{10.0, 1.0}, {100.0, 1.0}, {1000.0, 1.0}, {1000.0, 0.1}};
  for (const Case& cs : cases) {
    const double lambda = cs.rate_hz * cs.dt_ms / 1000.0;
    SCOPED_TRACE(testing::Message() << cs.rate_hz << " Hz, dt " << cs.dt_ms << " ms");
    LoadedCore c(poisson_core(kSources, cs.rate_hz, cs.dt_ms, host::core_seed(7, static_cast<uint32_t>(cs.rate_hz))));
    ASSERT_TRUE(c.status().ok());
    const std::vector<fw::SpikeRecord> spikes = run(c, kTicks);
    std::vector<uint32_t> per_tick(size_t{kSources} * kTicks, 0);
    for (const auto& s : spikes) {
      ASSERT_LT(s.neuron, kSources);
      ASSERT_LT(s.tick, kTicks);
      ++per_tick[size_t{s.neuron} * kTicks + s.tick];
    }
    expect_poisson_mean_and_fano(per_tick, lambda, "per tick");
    std::vector<uint32_t> windows;
    for (uint32_t n = 0; n < kSources; ++n)
      for (uint32_t w = 0; w < kTicks / kWindow; ++w) {
        uint32_t sum = 0;
        for (uint32_t t = 0; t < kWindow; ++t) sum += per_tick[size_t{n} * kTicks + w * kWindow + t];
        windows.push_back(sum);
      }
    expect_poisson_mean_and_fano(windows, lambda * kWindow, "100-tick windows");
    // Every source on its own has the rate (6 SE: 200 sources are compared).
    for (uint32_t n = 0; n < kSources; ++n) {
      uint64_t total = 0;
      for (uint32_t t = 0; t < kTicks; ++t) total += per_tick[size_t{n} * kTicks + t];
      ASSERT_NEAR(static_cast<double>(total), lambda * kTicks, 6.0 * std::sqrt(lambda * kTicks)) << "source " << n;
    }
    const fw::Provenance& p = c.core().provenance();
    EXPECT_EQ(p.spikes_emitted, spikes.size());
    EXPECT_EQ(p.packets_sent, spikes.size());
    EXPECT_EQ(p.spike_records_dropped, 0u);
    EXPECT_EQ(p.poisson_capped, 0u);
    EXPECT_EQ(p.ticks, kTicks);
  }
}

TEST(PoissonCore, SameSeedSameTrainsDifferentSeedDifferent) {
  auto train = [](std::array<uint32_t, 4> seed) {
    LoadedCore c(poisson_core(50, 80.0, 1.0, seed));
    return run(c, 2000);
  };
  auto same = [](const std::vector<fw::SpikeRecord>& a, const std::vector<fw::SpikeRecord>& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
             return x.tick == y.tick && x.neuron == y.neuron;
           });
  };
  const auto a1 = train(host::core_seed(1, 0)), a2 = train(host::core_seed(1, 0));
  const auto b = train(host::core_seed(1, 1)), c = train(host::core_seed(2, 0));
  ASSERT_GT(a1.size(), 5000u);
  EXPECT_TRUE(same(a1, a2));
  EXPECT_FALSE(same(a1, b));
  EXPECT_FALSE(same(a1, c));
  EXPECT_FALSE(same(b, c));
}

TEST(PoissonCore, StartAndEndTicksRespected) {
  struct Window {
    uint32_t start, end;
  };
  const Window windows[] = {{0, 50}, {100, 200}, {150, 150}, {300, 250}, {0, 1}, {399, 400}, {10, UINT32_MAX}, {0, 0}};
  std::vector<img::PoissonSource> sources;
  const uint32_t L = threshold(3.0);  // P(no spike in a tick) = 5%
  for (const Window& w : windows) sources.push_back({L, w.start, w.end});
  LoadedCore c(host::build_core_image(poisson_spec(sources, 0x40000, host::core_seed(3, 1))));
  ASSERT_TRUE(c.status().ok());
  const std::vector<fw::SpikeRecord> spikes = run(c, 400);
  std::vector<std::vector<bool>> fired(sources.size(), std::vector<bool>(400, false));
  for (const auto& s : spikes) {
    const Window& w = windows[s.neuron];
    ASSERT_GE(s.tick, w.start) << "source " << s.neuron;
    ASSERT_LT(s.tick, w.end) << "source " << s.neuron;
    fired[s.neuron][s.tick] = true;
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    const uint32_t active = windows[i].end > windows[i].start ? std::min(windows[i].end, 400u) - windows[i].start : 0;
    const auto ticks_fired = static_cast<uint32_t>(std::count(fired[i].begin(), fired[i].end(), true));
    // With P(silent tick) = e^-3, at least ~80% of a long window's ticks fire.
    if (active >= 50) {
      EXPECT_GE(ticks_fired * 10, active * 8) << "source " << i;
    }
    if (active == 0) {
      EXPECT_EQ(ticks_fired, 0u) << "source " << i;
    }
  }
  // The host's conversion from ms: start 10 ms, 20 ms long, dt 0.1 ms.
  const img::PoissonSource s = host::poisson_source(1000.0, 10.0, 20.0, 0.1);
  EXPECT_EQ(s.start_tick, 100u);
  EXPECT_EQ(s.end_tick, 300u);
  EXPECT_EQ(s.exp_minus_lambda, threshold(0.1));
  EXPECT_EQ(host::poisson_source(10.0, 0, 1e12, 1.0).end_tick, UINT32_MAX);
}

TEST(PoissonCore, CappedDrawsAreCountedInProvenance) {
  // 40 sources at rate x dt = 20 (most draws capped) replayed exactly:
  // every tick, each source's count equals the uncapped draw cut at the cap,
  // and every cut is counted.
  constexpr uint32_t kSources = 40, kTicks = 300;
  const std::array<uint32_t, 4> seed = host::core_seed(77, 3);
  std::vector<img::PoissonSource> sources(kSources, {threshold(20.0), 0, UINT32_MAX});
  sources[3].exp_minus_lambda = threshold(0.5);  // one ordinary source in between
  LoadedCore c(host::build_core_image(poisson_spec(sources, 0x40000, seed)));
  ASSERT_TRUE(c.status().ok());
  const std::vector<fw::SpikeRecord> spikes = run(c, kTicks);

  std::vector<uint32_t> got(size_t{kSources} * kTicks, 0), want(size_t{kSources} * kTicks, 0);
  for (const auto& s : spikes) ++got[size_t{s.tick} * kSources + s.neuron];
  const uint32_t raw_seed[4] = {seed[0], seed[1], seed[2], seed[3]};
  Rng rng(raw_seed);
  uint32_t capped = 0;
  uint64_t total = 0;
  for (uint32_t t = 0; t < kTicks; ++t)
    for (uint32_t i = 0; i < kSources; ++i) {
      Rng copy = rng;
      const uint32_t k = uncapped_draw(copy, sources[i].exp_minus_lambda);
      // Advance the real stream exactly as the core does (the capped draw).
      (void)fw::poisson_draw(rng, sources[i].exp_minus_lambda);
      want[size_t{t} * kSources + i] = std::min(k, kMaxSpikesPerSourcePerTick);
      capped += k > kMaxSpikesPerSourcePerTick;
      total += std::min(k, kMaxSpikesPerSourcePerTick);
    }
  EXPECT_EQ(got, want);
  const fw::Provenance& p = c.core().provenance();
  EXPECT_GT(capped, kTicks * (kSources - 1) / 2);
  EXPECT_EQ(p.poisson_capped, capped);
  EXPECT_EQ(p.spikes_emitted, total);
  EXPECT_EQ(p.packets_sent, total);
  EXPECT_EQ(p.spike_records_dropped, 0u);
}

// --- spike arrays -----------------------------------------------------------

TEST(SpikeArrayCore, ReplaysExactlyTheListedSpikes) {
  // Several neurons in one tick, one neuron twice in a tick, gaps, and a
  // spike after the run ends.
  const std::vector<img::SpikeTime> list = {{0, 0}, {0, 4}, {1, 2}, {1, 2}, {7, 1}, {7, 3}, {7, 4},
                                            {8, 0}, {30, 4}, {31, 0}, {1000, 1}};
  LoadedCore c(host::build_core_image(array_spec(5, list, 0x50000)));
  ASSERT_TRUE(c.status().ok());
  std::vector<fw::Packet> sent;
  std::vector<fw::SpikeRecord> recorded;
  for (uint32_t t = 0; t < 100; ++t) {
    c.core().tick();
    for (uint32_t k = 0; k < c.core().spikes().size(); ++k) recorded.push_back(c.core().spikes()[k]);
    for (uint32_t k = 0; k < c.platform().outbox().size(); ++k) sent.push_back(c.platform().outbox()[k]);
    c.core().clear_records();
    c.platform().clear_outbox();
  }
  ASSERT_EQ(recorded.size(), list.size() - 1);
  ASSERT_EQ(sent.size(), list.size() - 1);
  for (size_t i = 0; i + 1 < list.size(); ++i) {
    EXPECT_EQ(recorded[i].tick, list[i].tick) << i;
    EXPECT_EQ(recorded[i].neuron, list[i].neuron) << i;
    EXPECT_EQ(sent[i].key, 0x50000u | list[i].neuron) << i;
    EXPECT_FALSE(sent[i].has_payload);
  }
  EXPECT_EQ(c.core().provenance().spikes_emitted, list.size() - 1);
  EXPECT_EQ(c.core().provenance().packets_sent, list.size() - 1);
}

TEST(SpikeArrayCore, SourceWithoutRecordingOrEmitting) {
  const std::vector<img::SpikeTime> list = {{2, 0}, {3, 1}};
  LoadedCore quiet(host::build_core_image(array_spec(2, list, 0x50000, false, false)));
  ASSERT_TRUE(quiet.status().ok());
  for (int t = 0; t < 10; ++t) quiet.core().tick();
  EXPECT_EQ(quiet.core().spikes().size(), 0u);
  EXPECT_EQ(quiet.platform().outbox().size(), 0u);
  EXPECT_EQ(quiet.core().provenance().spikes_emitted, 2u);
  EXPECT_EQ(quiet.core().provenance().packets_sent, 0u);
}

}  // namespace
}  // namespace spindle::test
