// Spike sources: the exponential intervals of the Poisson process (integer
// -ln(u), util/neg_log.h), the per-tick counts they give in PoissonSources
// against the Poisson pmf, and a Poisson core; spike-array replay.
//
// Statistical bounds. With N independent Poisson(lambda) counts:
//   mean:  SE = sqrt(lambda / N)
//   Fano factor F = s^2 / mean of n window counts: by the delta method, with
//   Var(s^2) ~ (mu4 - sigma^4)/n = (l + 2 l^2)/n, Cov(s^2, mean) = mu3/n = l/n
//   and Var(mean) = l/n for Poisson(l), Var(F) ~ (l + 2l^2 - 2l + l)/(n l^2)
//   = 2/n, so SE(F) = sqrt(2/n) whatever the window's mean l.
// Every check allows 5 standard errors (two-sided p ~ 6e-7 per check);
// chi-square tests reject above the 1 - 1e-6 quantile (Wilson-Hilferty). The
// seeds are fixed, so the tests are deterministic.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "image/core_image_builder.h"
#include "quantize/quantize.h"
#include "source/poisson.h"
#include "support/image_edit.h"
#include "support/test_images.h"
#include "util/neg_log.h"

namespace spindle::test {
namespace {

namespace img = fw::image;
using fw::kMaxSpikesPerSourcePerTick;
using fw::Rng;

constexpr double kSigmas = 5.0;

Rng seeded(uint64_t a, uint32_t b) {
  const std::array<uint32_t, 4> s = host::core_seed(a, b);
  const uint32_t seed[4] = {s[0], s[1], s[2], s[3]};
  return Rng(seed);
}

// A source of rate x dt = lambda over [start, end) as the host writes it.
img::PoissonSource source(double lambda, uint32_t start = 0, uint32_t end = UINT32_MAX) {
  const host::MeanInterval m = host::to_mean_interval(1.0 / lambda);
  return {m.mantissa, m.shift, start, end};
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

// Chi-square of observed bin counts against bin probabilities (summing to 1);
// bins with fewer than 20 expected are merged into their neighbour towards
// the middle. Fails above the 1 - 1e-6 quantile for the degrees of freedom.
void expect_chi_square_fits(const std::vector<uint64_t>& observed, const std::vector<double>& p, const std::string& what) {
  ASSERT_EQ(observed.size(), p.size());
  uint64_t n = 0;
  for (uint64_t o : observed) n += o;
  std::vector<double> exp_bins, obs_bins;
  double e_acc = 0, o_acc = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    e_acc += p[i] * static_cast<double>(n);
    o_acc += static_cast<double>(observed[i]);
    if (e_acc >= 20) {
      exp_bins.push_back(e_acc);
      obs_bins.push_back(o_acc);
      e_acc = o_acc = 0;
    }
  }
  if (exp_bins.empty()) FAIL() << what << ": too few samples";
  exp_bins.back() += e_acc;  // the tail
  obs_bins.back() += o_acc;
  double chi2 = 0;
  for (size_t i = 0; i < exp_bins.size(); ++i) chi2 += (obs_bins[i] - exp_bins[i]) * (obs_bins[i] - exp_bins[i]) / exp_bins[i];
  const double df = static_cast<double>(exp_bins.size() - 1);
  if (df < 1) return;  // one bin: nothing to compare
  constexpr double kZ = 4.753;  // standard normal 1 - 1e-6 quantile
  const double h = 2.0 / (9.0 * df);
  const double critical = df * std::pow(1.0 - h + kZ * std::sqrt(h), 3.0);
  EXPECT_LT(chi2, critical) << what << ": chi-square " << chi2 << " on " << df << " degrees of freedom";
}

// --- -ln(u) ----------------------------------------------------------------

TEST(NegLog, TableIsLnToTheLastBit) {
  for (uint32_t i = 0; i < fw::kLnTableSize; ++i) {
    const double want = std::ldexp(std::log1p(i / 256.0), 32);
    EXPECT_LE(std::fabs(static_cast<double>(fw::kLnTable[i]) - want), 0.5 + 1e-6) << "entry " << i;
  }
}

TEST(NegLog, WithinTheInterpolationBoundEverywhere) {
  // Linear interpolation over 1/256: error <= (1/256)^2 / 8 = 1.9e-6, plus
  // the table's and the result's rounding; the chord lies under ln, so
  // -ln(u) is never below the truth by more than the rounding.
  constexpr double kInterp = 1.0 / (256.0 * 256.0 * 8.0), kUlp = 1.0 / (1 << 27);
  Rng rng = seeded(11, 0);
  std::vector<uint32_t> xs = {0u, 1u, 2u, 3u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
  for (uint32_t b = 0; b < 32; ++b) xs.push_back(1u << b), xs.push_back((1u << b) - 1), xs.push_back((1u << b) + 1);
  for (int i = 0; i < 1'000'000; ++i) xs.push_back(rng.next());
  for (int i = 0; i < 100'000; ++i) xs.push_back(rng.next() >> (rng.next() & 31));  // small u: large -ln(u)
  for (uint32_t x : xs) {
    const double u = std::ldexp(static_cast<double>(x | 1u), -32);
    const double got = std::ldexp(static_cast<double>(fw::neg_log_uniform(x)), -27);
    const double want = -std::log(u);
    ASSERT_LE(got - want, kInterp + kUlp) << "x " << x;
    ASSERT_GE(got - want, -kUlp) << "x " << x;
  }
  EXPECT_EQ(fw::neg_log_uniform(0xFFFFFFFFu), 0u);  // u = 1 - 2^-32: rounds to 0
  EXPECT_EQ(fw::neg_log_uniform(0u), static_cast<uint32_t>(std::lround(std::ldexp(32 * std::log(2.0), 27))));
}

TEST(NegLog, NonIncreasingInU) {
  // Over a sweep of the whole range in small steps, and around each power of two.
  uint32_t prev = UINT32_MAX;
  for (uint64_t x = 1; x <= UINT32_MAX; x += 4099) {
    const uint32_t v = fw::neg_log_uniform(static_cast<uint32_t>(x));
    ASSERT_LE(v, prev) << "x " << x;
    prev = v;
  }
  for (uint32_t b = 6; b < 32; ++b)
    for (uint32_t d = 0; d < 64; d += 2) {
      const uint32_t x = (1u << b) - 32 + d;
      ASSERT_GE(fw::neg_log_uniform(x), fw::neg_log_uniform(x + 2)) << "x " << x;
    }
}

// --- exponential intervals ----------------------------------------------------

TEST(PoissonInterval, ExponentialWithTheMeanInterval) {
  for (double mean_ticks : {0.05, 1.0, 5.0, 333.3}) {
    const host::MeanInterval m = host::to_mean_interval(mean_ticks);
    EXPECT_NEAR(host::to_double(m), mean_ticks, mean_ticks * 1e-9);
    Rng rng = seeded(12, static_cast<uint32_t>(mean_ticks * 100));
    constexpr int kN = 1'000'000, kBins = 40;
    std::vector<uint64_t> observed(kBins + 1, 0);
    double sum = 0;
    for (int i = 0; i < kN; ++i) {
      const double t = std::ldexp(static_cast<double>(fw::poisson_interval(rng, m.mantissa, m.shift)), -32);
      sum += t;
      // Bins of 0.1 mean intervals, then the tail.
      ++observed[std::min<size_t>(kBins, static_cast<size_t>(t / mean_ticks * 10.0))];
    }
    std::vector<double> p(kBins + 1);
    for (int b = 0; b < kBins; ++b) p[b] = std::exp(-b / 10.0) - std::exp(-(b + 1) / 10.0);
    p[kBins] = std::exp(-kBins / 10.0);
    EXPECT_NEAR(sum / kN, mean_ticks, kSigmas * mean_ticks / std::sqrt(kN)) << "mean " << mean_ticks;
    expect_chi_square_fits(observed, p, "intervals of mean " + std::to_string(mean_ticks));
  }
}

TEST(PoissonInterval, HostEncodingOfMeanIntervals) {
  host::QuantizationReport report;
  EXPECT_EQ(host::to_mean_interval(std::numeric_limits<double>::infinity(), "rate 0", &report).mantissa, 0u);
  EXPECT_FALSE(report.any_clamped());
  for (double t : {1e-9, 0.01, 0.7, 1.0, 5.0, 1234.5, 1e7, 1e8}) {
    const host::MeanInterval m = host::to_mean_interval(t, "t", &report);
    EXPECT_GE(m.mantissa, 0x80000000u) << t;  // 32 significant bits
    EXPECT_LE(m.shift, fw::kMaxPoissonIntervalShift) << t;
    EXPECT_NEAR(host::to_double(m), t, t * std::ldexp(1.0, -31)) << t;
  }
  EXPECT_FALSE(report.any_clamped());
  // Over 2^27 ticks: clamped to the longest and reported.
  const host::MeanInterval longest = host::to_mean_interval(1e9, "too long", &report);
  EXPECT_EQ(longest.mantissa, UINT32_MAX);
  EXPECT_EQ(longest.shift, 0u);
  EXPECT_TRUE(report.any_clamped());
}

// --- counts per tick ----------------------------------------------------------

// Runs n sources of one lambda through PoissonSources for `ticks`; returns
// counts[tick * n + source] and the capped draws.
struct TickCounts {
  std::vector<uint32_t> counts;
  uint64_t capped = 0;
};
TickCounts run_sources(double lambda, uint32_t n, uint32_t ticks, uint32_t seed) {
  const std::vector<img::PoissonSource> sources(n, source(lambda));
  Rng rng = seeded(13, seed);
  auto ps = std::make_unique<fw::PoissonSources>();
  ps->set(sources.data(), n, rng);
  TickCounts out;
  out.counts.assign(size_t{n} * ticks, 0);
  for (uint32_t t = 0; t < ticks; ++t)
    out.capped += ps->tick(t, rng, [&](uint32_t i, uint32_t count) {
      EXPECT_EQ(out.counts[size_t{t} * n + i], 0u);  // one call per source and tick
      EXPECT_GE(count, 1u);
      out.counts[size_t{t} * n + i] = count;
    });
  return out;
}

double poisson_pmf(double lambda, uint32_t k) { return std::exp(-lambda + k * std::log(lambda) - std::lgamma(k + 1.0)); }

TEST(PoissonSourcesTick, CountsFollowThePoissonPmf) {
  // Slow to fast: 0.01 (10 Hz at 1 ms) .. 12 spikes a tick (the cap cuts 10%).
  for (double lambda : {0.01, 0.2, 1.0, 3.0, 12.0}) {
    constexpr uint32_t kSources = 256;
    const uint32_t ticks = lambda < 0.1 ? 20000 : 4000;
    const TickCounts r = run_sources(lambda, kSources, ticks, static_cast<uint32_t>(lambda * 100));
    // Bins 0..15 and "16 or more" (what the cap returns as 16).
    std::vector<uint64_t> observed(kMaxSpikesPerSourcePerTick + 1, 0);
    for (uint32_t c : r.counts) {
      ASSERT_LE(c, kMaxSpikesPerSourcePerTick);
      ++observed[c];
    }
    std::vector<double> p(kMaxSpikesPerSourcePerTick + 1);
    double below = 0, over_cap = 0;
    for (uint32_t k = 0; k < kMaxSpikesPerSourcePerTick; ++k) below += p[k] = poisson_pmf(lambda, k);
    p[kMaxSpikesPerSourcePerTick] = 1.0 - below;
    expect_chi_square_fits(observed, p, "counts at lambda " + std::to_string(lambda));
    // Capped exactly when the tick held more than the cap.
    over_cap = std::max(0.0, 1.0 - below - poisson_pmf(lambda, kMaxSpikesPerSourcePerTick));
    const double n = static_cast<double>(r.counts.size());
    EXPECT_NEAR(static_cast<double>(r.capped), over_cap * n, kSigmas * std::sqrt(n * over_cap * (1 - over_cap)) + 1e-9)
        << "lambda " << lambda;
    if (lambda <= 3.0) {
      EXPECT_EQ(r.capped, 0u);
      expect_poisson_mean_and_fano(r.counts, lambda, "tick counts");
    }
    // Ticks independent: lag-1 correlation of a source's counts ~ 0 (SE 1/sqrt(N)).
    const Moments m = moments(r.counts);
    double cov = 0;
    for (uint32_t t = 1; t < ticks; ++t)
      for (uint32_t i = 0; i < kSources; ++i)
        cov += (r.counts[size_t{t} * kSources + i] - m.mean) * (r.counts[size_t{t - 1} * kSources + i] - m.mean);
    const double pairs = static_cast<double>(ticks - 1) * kSources;
    EXPECT_NEAR(cov / pairs / m.var, 0.0, kSigmas / std::sqrt(pairs)) << "lambda " << lambda;
  }
}

TEST(PoissonSourcesTick, GapsBetweenFiringTicksAreGeometric) {
  // A source fires in a tick with p = 1 - exp(-lambda); ticks from one firing
  // tick to the next are geometric: P(g) = (1 - p)^(g - 1) p.
  for (double lambda : {0.02, 0.2, 1.5}) {
    constexpr uint32_t kSources = 64, kTicks = 40000;
    const TickCounts r = run_sources(lambda, kSources, kTicks, 1000 + static_cast<uint32_t>(lambda * 100));
    const double p = 1.0 - std::exp(-lambda);
    constexpr uint32_t kMaxGap = 400;
    std::vector<uint64_t> observed(kMaxGap + 1, 0);
    for (uint32_t i = 0; i < kSources; ++i) {
      int64_t last = -1;
      for (uint32_t t = 0; t < kTicks; ++t)
        if (r.counts[size_t{t} * kSources + i] != 0) {
          if (last >= 0) ++observed[std::min<uint64_t>(kMaxGap, t - static_cast<uint64_t>(last))];
          last = t;
        }
    }
    std::vector<double> pg(kMaxGap + 1, 0.0);
    for (uint32_t g = 1; g < kMaxGap; ++g) pg[g] = std::pow(1 - p, g - 1) * p;
    pg[kMaxGap] = std::pow(1 - p, kMaxGap - 1);
    observed.erase(observed.begin());  // gap 0 cannot happen
    ASSERT_EQ(r.counts.empty(), false);
    pg.erase(pg.begin());
    expect_chi_square_fits(observed, pg, "gaps at lambda " + std::to_string(lambda));
  }
}

TEST(PoissonSourcesTick, RateZeroNeverFiresAndNoStreamIsUsed) {
  const std::vector<img::PoissonSource> sources(8, source(0.0));
  EXPECT_EQ(sources[0].mean_interval, 0u);
  Rng rng = seeded(14, 0), untouched = seeded(14, 0);
  fw::PoissonSources ps;
  ps.set(sources.data(), 8, rng);
  for (uint32_t t = 0; t < 10000; ++t) ps.tick(t, rng, [](uint32_t, uint32_t) { FAIL() << "a silent source fired"; });
  EXPECT_EQ(rng.next(), untouched.next());
}

TEST(PoissonSourcesTick, CapAtMaxSpikesIsReportedExactly) {
  // Against an independent replay of the process: each tick's count is
  // min(events in the tick, cap), a tick over the cap is counted and the
  // process restarts at the tick's end.
  for (double lambda : {30.0, 12.0, 1.0}) {
    constexpr uint32_t kSources = 16, kTicks = 2000;
    const img::PoissonSource s = source(lambda);
    const std::vector<img::PoissonSource> sources(kSources, s);
    Rng rng = seeded(15, static_cast<uint32_t>(lambda));
    Rng replay = rng;
    fw::PoissonSources ps;
    ps.set(sources.data(), kSources, rng);
    // Times in u32.32 ticks with the interval draw tested above: the replay
    // re-implements only the bookkeeping.
    auto interval = [&] { return fw::poisson_interval(replay, s.mean_interval, s.interval_shift); };
    auto tick_start = [](uint64_t t) { return t << 32; };
    std::vector<uint64_t> next(kSources);
    for (uint64_t& x : next) x = interval();
    uint64_t capped = 0, capped_want = 0, exact_caps = 0;
    for (uint32_t t = 0; t < kTicks; ++t) {
      std::vector<uint32_t> got(kSources, 0);
      capped += ps.tick(t, rng, [&](uint32_t i, uint32_t c) { got[i] = c; });
      for (uint32_t i = 0; i < kSources; ++i) {
        uint32_t k = 0;
        while (next[i] < tick_start(t + 1)) {
          if (k == kMaxSpikesPerSourcePerTick) {
            ++capped_want;
            next[i] = tick_start(t + 1) + interval();
            break;
          }
          ++k;
          next[i] += interval();
        }
        exact_caps += k == kMaxSpikesPerSourcePerTick;
        ASSERT_EQ(got[i], k) << "lambda " << lambda << " tick " << t << " source " << i;
      }
    }
    EXPECT_EQ(capped, capped_want);
    if (lambda == 30.0) {
      EXPECT_GT(capped, kTicks * kSources * 99 / 100);
    }
    if (lambda == 12.0) {
      EXPECT_GT(capped, 2000u);      // P(k > 16) = 0.101
      EXPECT_GT(exact_caps, capped + 1000u);  // P(k >= 16) = 0.155: a real 16 is not a cap
    }
    if (lambda == 1.0) {
      EXPECT_EQ(capped, 0u);
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
  spec.timer_period_us = static_cast<uint32_t>(std::lround(dt_ms * 1000));
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
  for (const Window& w : windows) sources.push_back(source(3.0, w.start, w.end));  // P(no spike in a tick) = 5%
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
  EXPECT_EQ(s.mean_interval, source(0.1).mean_interval);
  EXPECT_EQ(s.interval_shift, source(0.1).interval_shift);
  EXPECT_EQ(host::poisson_source(10.0, 0, 1e12, 1.0).end_tick, UINT32_MAX);
}

TEST(PoissonCore, CappedDrawsAreCountedInProvenance) {
  // 40 sources at rate x dt = 20 (most ticks capped) and one at 0.5: the
  // core's spikes and provenance equal PoissonSources run on its own from the
  // same seed (whose counts and caps are checked above).
  constexpr uint32_t kSources = 40, kTicks = 300;
  const std::array<uint32_t, 4> seed = host::core_seed(77, 3);
  std::vector<img::PoissonSource> sources(kSources, source(20.0));
  sources[3] = source(0.5);  // one ordinary source in between
  LoadedCore c(host::build_core_image(poisson_spec(sources, 0x40000, seed)));
  ASSERT_TRUE(c.status().ok());
  const std::vector<fw::SpikeRecord> spikes = run(c, kTicks);

  std::vector<uint32_t> got(size_t{kSources} * kTicks, 0), want(size_t{kSources} * kTicks, 0);
  for (const auto& s : spikes) ++got[size_t{s.tick} * kSources + s.neuron];
  const uint32_t raw_seed[4] = {seed[0], seed[1], seed[2], seed[3]};
  Rng rng(raw_seed);
  fw::PoissonSources alone;
  alone.set(sources.data(), kSources, rng);
  uint64_t capped = 0, total = 0;
  for (uint32_t t = 0; t < kTicks; ++t)
    capped += alone.tick(t, rng, [&](uint32_t i, uint32_t k) {
      want[size_t{t} * kSources + i] = k;
      total += k;
    });
  EXPECT_EQ(got, want);
  const fw::Provenance& p = c.core().provenance();
  EXPECT_GT(capped, kTicks * (kSources - 1) / 2);
  EXPECT_EQ(p.poisson_capped, capped);
  EXPECT_EQ(p.spikes_emitted, total);
  EXPECT_EQ(p.packets_sent, total);
  EXPECT_EQ(p.spike_records_dropped, 0u);
}

#if defined(__x86_64__)
TEST(PoissonDueMask, Avx2MaskEqualsTheScalarCompare) {
  // Every source count around the 8-lane and 32-bit word edges; stale ticks
  // equal to the current one past n must not show, nor any bit past n.
  if (!fw::poisson_due_avx2_available()) GTEST_SKIP() << "no AVX2 on this CPU";
  constexpr uint32_t kTick = 7;
  Rng rng = seeded(11, 0);
  for (uint32_t n = 0; n <= fw::kMaxSourcesPerCore; ++n) {
    std::array<uint32_t, fw::kMaxSourcesPerCore> due_tick{};
    for (uint32_t i = 0; i < fw::kMaxSourcesPerCore; ++i)
      due_tick[i] = i >= n ? kTick : kTick - 1 + rng.next() % 3;  // 6, 7 or 8
    std::array<uint32_t, fw::kPoissonDueWords> got{}, want{};
    fw::poisson_due_mask_avx2(due_tick.data(), n, kTick, got.data());
    for (uint32_t i = 0; i < n; ++i)
      if (due_tick[i] == kTick) want[i / fw::kPoissonDueWordBits] |= uint32_t{1} << (i % fw::kPoissonDueWordBits);
    const uint32_t words = (n + fw::kPoissonDueWordBits - 1) / fw::kPoissonDueWordBits;
    for (uint32_t w = 0; w < words; ++w) EXPECT_EQ(got[w], want[w]) << "n " << n << " word " << w;
  }
}
#endif

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
