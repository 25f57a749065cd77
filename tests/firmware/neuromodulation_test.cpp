// Dopamine-modulated STDP kernel (firmware/synapse/plasticity/
// neuromodulated_row_rule.h): its fixed point against exp and the closed
// form, the dopamine history, scripted pre / post / dopamine sequences
// against the exact piecewise solution in double and against Brian2
// (tests/reference/izhikevich_da_brian2.py, data/izhikevich_da_brian2.csv),
// and the contract that reading weights out (a flush) changes nothing that
// follows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "image/format.h"
#include "support/izhikevich_da_reference.h"
#include "synapse/plasticity/dopamine_history.h"
#include "synapse/plasticity/neuromodulated_row_rule.h"
#include "synapse/plasticity/neuromodulation_fixed.h"
#include "synapse/plasticity/plastic_row.h"
#include "synapse/plasticity/post_history.h"
#include "synapse/plasticity/spike_pair_rule.h"
#include "synapse/plasticity/stdp_lut_builder.h"
#include "synapse/ring_buffer.h"
#include "synapse/synaptic_word.h"

namespace spindle::test {
namespace {

using namespace fw::stdp;
using fw::RingBuffer;
using fw::SynapticWordLayout;
using Scenario = DaScenario;
using Params = DaParams;
using Exact = DaExact;

constexpr SynapticWordLayout kLayout{4, 2, 4};  // 16 post neurons, 4 types, delays 0..15
constexpr uint32_t kNeurons = 16;
constexpr uint32_t kSlots = 16;
constexpr double kDopamineOne = double(1u << kDopamineFracBits);

// --- fixed point ------------------------------------------------------------------

TEST(NeuromodulationFixed, DecayOverAnyIntervalIsExpWithinItsBound) {
  for (double tau : {1.0, 20.0, 200.0, 1000.0, 10000.0, 1e6}) {
    uint32_t powers[kDecayPowers];
    build_decay_powers(tau, powers);
    EXPECT_EQ(decay_over(powers, 0), kDecayOne);
    for (uint32_t dt : {1u, 2u, 3u, 7u, 100u, 255u, 1000u, 4097u, 65535u, 1000000u, 0xFFFFFFFFu}) {
      const double exact = std::exp(-double(dt) / tau);
      // Each of at most 32 products rounds by 2^-32 and each entry by 2^-32.
      EXPECT_NEAR(decay_over(powers, dt) / double(kDecayOne), exact, 64.0 / 4294967296.0) << tau << " " << dt;
    }
  }
}

TEST(NeuromodulationFixed, DecaySignedIsSymmetric) {
  uint32_t powers[kDecayPowers];
  build_decay_powers(200.0, powers);
  for (int32_t x : {1, 2, 255, 256, 65536, 1 << 30, INT32_MAX}) {
    for (uint32_t dt : {1u, 5u, 100u, 2000u}) {
      const uint32_t f = decay_over(powers, dt);
      EXPECT_EQ(decay_signed(-x, f), -decay_signed(x, f));
      EXPECT_NEAR(decay_signed(x, f), x * (f / double(kDecayOne)), 0.5 + 1e-9 * x);
    }
  }
}

TEST(NeuromodulationFixed, WeightChangeIsTheIntegral) {
  const double tau_c = 1000.0, tau_d = 200.0, tau = tau_c * tau_d / (tau_c + tau_d);
  uint32_t cp[kDecayPowers], dp[kDecayPowers];
  build_decay_powers(tau_c, cp);
  build_decay_powers(tau_d, dp);
  const uint32_t g = integral_scale(tau_c, tau_d);
  EXPECT_NEAR(g / 65536.0, tau, 0.5 / 65536);
  for (int32_t c : {1, 2048, 1000 * 2048, -1000 * 2048, 65535 * 2048}) {
    for (double d : {1.0 / 128, -1.0 / 128, 0.5, 3.0, -255.0}) {
      const auto draw = static_cast<int32_t>(std::lround(d * kDopamineOne));
      for (uint32_t dt : {1u, 10u, 200u, 5000u}) {
        const uint32_t k = integral_factor(g, decay_over(cp, dt), decay_over(dp, dt));
        const double exact = double(c) * (draw / kDopamineOne) * tau * (1 - std::exp(-double(dt) / tau));  // s.11 units
        const int64_t got = weight_change(c, draw, k);
        // K's rounding (2^-16 ms, plus the decays') times |c d|; c d's
        // rounding (half of 2^-7 s.11 units) times K; the last rounding.
        const double bound =
            std::fabs(double(c) * draw / kDopamineOne) * (1.5 / 65536 + tau * 1e-8) + k / 65536.0 / 256 + 0.5;
        EXPECT_NEAR(double(got), exact, bound) << c << " " << d << " " << dt;
        EXPECT_EQ(weight_change(-c, draw, k), -got);
      }
    }
  }
}

// --- dopamine history -------------------------------------------------------------

TEST(DopamineHistory, LevelsSaturateAt256AndSaySo) {
  uint32_t dp[kDecayPowers];
  build_decay_powers(200.0, dp);
  DopamineHistory<1, 4> h;
  const int32_t big = 200 << kDopamineFracBits;
  EXPECT_TRUE(h.add(0, 1, big, dp));
  EXPECT_FALSE(h.add(0, 1, big, dp));  // same tick: 400 > 256
  EXPECT_EQ(h.levels(0)[0], INT32_MAX);
  EXPECT_FALSE(h.add(0, 2, big, dp));
  EXPECT_TRUE(h.add(0, 3, -big, dp));
}

TEST(DopamineHistory, LevelsDecayAndAdd) {
  uint32_t dp[kDecayPowers];
  build_decay_powers(200.0, dp);
  DopamineHistory<2, 4> h;
  const int32_t a = 1 << 16;  // 1/128
  h.add(1, 10, a, dp);
  h.add(1, 10, a, dp);  // same tick: adds to it
  EXPECT_EQ(h.count(1), 1u);
  EXPECT_EQ(h.levels(1)[0], 2 * a);
  h.add(1, 210, -a, dp);
  EXPECT_EQ(h.levels(1)[1], decay_signed(2 * a, decay_over(dp, 200)) - a);
  EXPECT_NEAR(h.levels(1)[1] / kDopamineOne, 2.0 / 128 * std::exp(-1.0) - 1.0 / 128, 1e-6);
  for (uint32_t t = 300; t < 306; ++t) h.add(1, t, a, dp);
  EXPECT_EQ(h.count(1), 8u);
  EXPECT_TRUE(h.has_boundary(1));
  EXPECT_EQ(h.boundary_tick(1), 301u);  // the entry overwritten last
  EXPECT_EQ(h.first(1), 4u);
  EXPECT_EQ(h.count(0), 0u);
}

// --- scripted sequences -----------------------------------------------------------

// The kernel on one synapse (post neuron 3, delay 1, weight units scale per
// 1.0), driven tick by tick as a core would: events reaching the synapse at
// T (post spikes and dopamine of tick T - 1) enter the histories before a
// pre spike arriving at T is processed. flush_every > 0 reads the weights
// out every that many ticks (flush without commit).
struct KernelResult {
  double w = 0, c = 0;   // in units of 1.0
  uint16_t w16 = 0;      // the 16-bit weight after a final flush
  uint32_t missed = 0;
  std::vector<uint32_t> row;
};

template <PairScheme kScheme = PairScheme::kAllToAll>
KernelResult run_kernel(const Params& p, const Scenario& s, double scale, uint32_t flush_every = 0) {
  using Timing = SpikePairRule<kScheme>;
  Timing timing;
  timing.plus = build_exp_lut(p.tau_plus);
  timing.minus = build_exp_lut(p.tau_minus);
  auto units = [&](double v) { return static_cast<uint16_t>(std::lround(v * scale)); };
  const auto weight = AdditiveWeightDependence::make(units(p.w_min), units(p.w_max), units(p.a_plus), units(p.a_minus));
  auto nm = std::make_unique<fw::image::NeuromodulationRegionHeader>();
  nm->c_max = units(p.c_max);
  nm->integral_scale = integral_scale(p.tau_c, p.tau_d);
  nm->history_size = kDopamineHistorySize;
  build_decay_powers(p.tau_c, nm->c_decay);
  build_decay_powers(p.tau_d, nm->d_decay);
  auto history = std::make_unique<PostHistory<kNeurons>>();
  auto dopamine = std::make_unique<DopamineHistory<kNeurons>>();
  auto ring = std::make_unique<RingBuffer>();
  EXPECT_TRUE(ring->configure(kSlots, kLayout.type_bits, kLayout.index_bits));
  NeuromodulatedRowRule<Timing> rule;
  rule.configure(timing, weight, kLayout, *nm, *dopamine);

  const uint16_t w0 = units(s.w0);
  const uint16_t control = static_cast<uint16_t>(kLayout.pack(0, 1, 0, 3));
  KernelResult out;
  out.row.assign(neuromodulated_row_words(1), 0);
  init_neuromodulated_row(out.row.data(), 1, &w0, &control);
  for (uint32_t T = 0; T <= s.t_end; ++T) {
    // Events of tick T - 1 at the neuron reach the synapse at T.
    for (auto [t, a] : s.dopamine)
      if (t == T) dopamine->add(3, T - 1, static_cast<int32_t>(std::lround(a * kDopamineOne)), nm->d_decay);
    for (auto t : s.post)
      if (t == T) history->add_post_spike(3, T - 1, timing);
    for (auto t : s.pre)
      if (t == T) rule.process_row(*ring, T, out.row.data(), 1, *history);
    if (flush_every != 0 && T % flush_every == 0) rule.flush(T, out.row.data(), 1, *history, false);
  }
  rule.flush(s.t_end, out.row.data(), 1, *history, true);
  const NeuromodulatedRow r = NeuromodulatedRow::of(out.row.data(), 1);
  out.w = r.weight_state[0] / 2048.0 / scale;
  out.c = r.eligibility[0] / 2048.0 / scale;
  out.w16 = r.weights[0];
  out.missed = history->missed();
  return out;
}

std::vector<Scenario> scripted() {
  std::vector<Scenario> v;
  v.push_back({"reward_after_pairing", 0.5, 1000, {10}, {15}, {{100, 1.0 / 128}, {200, 1.0 / 128}, {300, 1.0 / 128}}});
  v.push_back({"depression_then_reward", 0.5, 1000, {15}, {10}, {{50, 1.0 / 128}, {500, 1.0 / 128}}});
  v.push_back({"punishment", 0.5, 800, {10, 30}, {12, 33}, {{60, -1.0 / 128}}});
  Scenario many{"many_pairs", 0.5, 1200, {}, {}, {}};
  for (uint32_t t = 5; t <= 455; t += 50) {
    many.pre.push_back(t);
    many.post.push_back(t + 4);
  }
  for (uint32_t t = 50; t <= 950; t += 100) many.dopamine.push_back({t, 1.0 / 128});
  v.push_back(many);
  v.push_back({"clip_high", 0.9, 1500, {10, 20}, {11, 21}, {{30, 0.0625}}});
  v.push_back({"clip_low", 0.1, 1500, {11, 21}, {10, 20}, {{30, 0.0625}}});
  v.push_back({"long_gap", 0.5, 5000, {10, 3000}, {20}, {{25, 1.0 / 128}, {3100, 1.0 / 128}}});
  Scenario sat{"c_saturates", 0.5, 600, {}, {}, {{200, 1.0 / 128}}};
  for (uint32_t k = 1; k <= 8; ++k) {
    sat.pre.push_back(10 * k);
    sat.post.push_back(10 * k + 1);
  }
  v.push_back(sat);
  return v;
}

TEST(NeuromodulatedStdp, ScriptedSequencesEqualTheExactSolution) {
  const Params p;
  const double scale = 10000;  // weight units per 1.0: A+ 1000, A- 1200, w_max 10000
  for (const Scenario& s : scripted()) {
    const Exact e = da_exact_solution(p, s);
    const KernelResult k = run_kernel(p, s, scale);
    const double bound = da_kernel_bound(p, s, scale);
    EXPECT_NEAR(k.w, e.w, bound) << s.name;
    EXPECT_NEAR(k.c, e.c, bound) << s.name;
    EXPECT_EQ(k.missed, 0u) << s.name;
    EXPECT_EQ(k.w16, static_cast<uint16_t>(std::lround(k.w * scale))) << s.name;
  }
}

TEST(NeuromodulatedStdp, WeightsMoveOnlyWithDopamine) {
  const Params p;
  Scenario s{"no_dopamine", 0.5, 2000, {10, 30, 50}, {12, 33, 51}, {}};
  const KernelResult k = run_kernel(p, s, 10000);
  EXPECT_EQ(k.w16, 5000);
  EXPECT_NE(k.c, 0.0);
  // A reward raises the weights of a positive trace, a punishment lowers them.
  s.dopamine = {{100, 1.0 / 128}};
  EXPECT_GT(run_kernel(p, s, 10000).w16, 5000);
  s.dopamine = {{100, -1.0 / 128}};
  EXPECT_LT(run_kernel(p, s, 10000).w16, 5000);
}

TEST(NeuromodulatedStdp, ClampsHold) {
  const Params p;
  for (const Scenario& s : scripted()) {
    if (s.name == "clip_high") {
      EXPECT_EQ(run_kernel(p, s, 10000).w16, 10000);
    }
    if (s.name == "clip_low") {
      EXPECT_EQ(run_kernel(p, s, 10000).w16, 0);
    }
    EXPECT_LE(std::fabs(run_kernel(p, s, 10000).c), p.c_max) << s.name;
  }
}

// Reading the weights out (flush without commit) at any ticks changes
// nothing after it: the same rows bit for bit.
TEST(NeuromodulatedStdp, ReadingWeightsOutChangesNothing) {
  const Params p;
  std::mt19937 gen(7);
  for (int trial = 0; trial < 20; ++trial) {
    Scenario s{"random", 0.5, 3000, {}, {}, {}};
    for (uint32_t t = 1; t < 3000; ++t) {
      if (gen() % 40 == 0) s.pre.push_back(t);
      if (gen() % 50 == 0) s.post.push_back(t);
      if (gen() % 200 == 0) s.dopamine.push_back({t, (gen() % 2 ? 1.0 : -0.5) / 128});
    }
    // Some trials lose events (a dopamine burst past the history): their
    // count must not depend on the read-outs either.
    if (trial % 4 == 0)
      for (uint32_t t = 1500; t < 1500 + 2 * kDopamineHistorySize; ++t) s.dopamine.push_back({t, 1.0 / 256});
    std::sort(s.dopamine.begin(), s.dopamine.end());
    const KernelResult once = run_kernel(p, s, 10000);
    for (uint32_t every : {1u, 7u, 113u}) {
      const KernelResult read = run_kernel(p, s, 10000, every);
      EXPECT_EQ(read.row, once.row) << trial << " " << every;
      EXPECT_EQ(read.missed, once.missed) << trial << " " << every;
    }
  }
}

// Long silences overflow the histories; what a row still needed is counted.
TEST(NeuromodulatedStdp, LostEventsAreCounted) {
  const Params p;
  Scenario s{"flood", 0.5, 400, {5, 300}, {}, {}};
  for (uint32_t t = 10; t < 10 + 6 * kPostHistorySize; t += 3) s.post.push_back(t);
  EXPECT_GT(run_kernel(p, s, 10000).missed, 0u);
  Scenario d{"dopamine_flood", 0.5, 400, {5, 300}, {8}, {}};
  for (uint32_t t = 10; t < 10 + 2 * kDopamineHistorySize; ++t) d.dopamine.push_back({t, 1.0 / 128});
  EXPECT_GT(run_kernel(p, d, 10000).missed, 0u);
}

TEST(NeuromodulatedStdp, NearestPairUsesTheLatestSpikeOnly) {
  const Params p;
  Scenario s{"burst", 0.5, 1000, {10, 12, 14}, {20}, {{50, 1.0 / 128}}};
  const KernelResult all = run_kernel<PairScheme::kAllToAll>(p, s, 10000);
  const KernelResult nearest = run_kernel<PairScheme::kNearestPair>(p, s, 10000);
  EXPECT_GT(all.c, nearest.c);
  // Nearest pair: c = A+ exp(-6 / 20) decayed to 1000.
  EXPECT_NEAR(nearest.c, 0.1 * std::exp(-6.0 / 20) * std::exp(-980.0 / 1000), 1e-4);
}

// --- against Brian2 -----------------------------------------------------------------

// tests/reference/izhikevich_da_brian2.py runs the same sequences through
// Brian2's Izhikevich_2007 equations; the kernel agrees with its final
// weight within the fixed-point bound plus Brian2's own integration error
// (|Brian2 - exact|, in the file).
TEST(NeuromodulatedStdp, AgreesWithBrian2) {
  std::ifstream in(std::string(SPINDLE_REFERENCE_DIR) + "/izhikevich_da_brian2.csv");
  ASSERT_TRUE(in.good()) << "tests/reference/data/izhikevich_da_brian2.csv: run tests/reference/izhikevich_da_brian2.py";
  Params p;
  std::map<std::string, Scenario> scenarios;
  struct Ref {
    double w_brian2, c_brian2, w_exact, c_exact;
  };
  std::map<std::string, Ref> refs;
  std::string line;
  auto ms = [](const std::string& v) { return static_cast<uint32_t>(std::lround(std::stod(v))); };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    if (f[0] == "param") {
      const double v = std::stod(f[2]);
      if (f[1] == "tau_plus_ms") p.tau_plus = v;
      if (f[1] == "tau_minus_ms") p.tau_minus = v;
      if (f[1] == "A_plus") p.a_plus = v;
      if (f[1] == "A_minus") p.a_minus = v;
      if (f[1] == "tau_c_ms") p.tau_c = v;
      if (f[1] == "tau_d_ms") p.tau_d = v;
      if (f[1] == "w_min") p.w_min = v;
      if (f[1] == "w_max") p.w_max = v;
      if (f[1] == "c_max") p.c_max = v;
    } else if (f[0] == "scenario") {
      Scenario& s = scenarios[f[1]];
      s.name = f[1];
      s.w0 = std::stod(f[2]);
      s.t_end = ms(f[3]);
    } else if (f[0] == "pre") {
      scenarios[f[1]].pre.push_back(ms(f[2]));
    } else if (f[0] == "post") {
      scenarios[f[1]].post.push_back(ms(f[2]));
    } else if (f[0] == "dopamine") {
      scenarios[f[1]].dopamine.push_back({ms(f[2]), std::stod(f[3])});
    } else if (f[0] == "result") {
      refs[f[1]] = {std::stod(f[2]), std::stod(f[3]), std::stod(f[4]), std::stod(f[5])};
    }
  }
  ASSERT_GE(refs.size(), 8u);
  const double scale = 10000;
  for (const auto& [name, ref] : refs) {
    const Scenario& s = scenarios.at(name);
    // The file's closed form is this test's (a check of both).
    const Exact e = da_exact_solution(p, s);
    EXPECT_NEAR(e.w, ref.w_exact, 1e-9) << name;
    EXPECT_NEAR(e.c, ref.c_exact, 1e-9) << name;
    const KernelResult k = run_kernel(p, s, scale);
    const double brian2_error = std::fabs(ref.w_brian2 - ref.w_exact);
    EXPECT_NEAR(k.w, ref.w_brian2, da_kernel_bound(p, s, scale) + brian2_error) << name;
    std::printf("%-24s w kernel %.6f Brian2 %.6f exact %.6f  |kernel - Brian2| %.2e bound %.2e\n", name.c_str(), k.w,
                ref.w_brian2, ref.w_exact, std::fabs(k.w - ref.w_brian2), da_kernel_bound(p, s, scale) + brian2_error);
  }
}

}  // namespace
}  // namespace spindle::test
