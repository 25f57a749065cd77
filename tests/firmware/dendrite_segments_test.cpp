// Active dendrite segments (neuron/parts/dendrite_segments.h) in the
// composed model IfCurrExpSegments: the coincidence window, the NMDA spike
// at theta, the plateau's length and its two effects on the soma, against
// the definitions step by step; with no effect configured the soma is
// bit-identical to IF_curr_exp's.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "cells/if_curr_exp.h"
#include "cells/if_curr_exp_segments.h"
#include "neuron/models.h"
#include "quantize/quantize.h"

namespace spindle {
namespace {

using fw::Accum;
using fw::DendriteSegments;
using fw::IfCurrExpSegments;

constexpr double kDt = 0.1;  // ms
constexpr uint32_t kInputs = IfCurrExpSegments::kInputs;

struct Neuron {
  IfCurrExpSegments::Params p;
  IfCurrExpSegments::State s;
  explicit Neuron(const host::IfCurrExpSegmentsParams& c) : p(host::to_fixed(c, kDt)), s(host::initial_state(c)) {}
  // One step with these whole-synapse counts on the segments and this
  // excitatory current (nA).
  bool step(const std::vector<int>& counts, double exc_na = 0) {
    std::array<Accum, kInputs> in{};
    in[0] = host::to_accum(exc_na * 256);  // the receptor's state is in nA x 2^8
    for (size_t k = 0; k < counts.size(); ++k) in[IfCurrExpSegments::kReceptors + k] = Accum::from_int(counts[k]);
    return IfCurrExpSegments::step(p, s, in.data());
  }
  uint32_t nmda() const { return DendriteSegments::spikes(s.dendrites); }
  double v() const { return host::to_double(s.membrane.v); }
};

host::IfCurrExpSegmentsParams params(int segments, int theta, double window_ms, double plateau_ms) {
  host::IfCurrExpSegmentsParams c;
  c.n_segments = segments;
  c.segment_threshold = theta;
  c.coincidence_window = window_ms;
  c.plateau_duration = plateau_ms;
  return c;
}

// The window sums the last W steps' counts; a segment spikes in every step
// the sum reaches theta, each segment on its own.
TEST(DendriteSegments, WindowSumReachesThreshold) {
  for (int window = 1; window <= 4; ++window) {
    Neuron n(params(3, 5, window * kDt, 0));
    std::mt19937 rng(static_cast<uint32_t>(window));
    std::vector<std::vector<int>> history(3);
    for (int t = 0; t < 2000; ++t) {
      std::vector<int> counts(3);
      for (int k = 0; k < 3; ++k) counts[k] = static_cast<int>(rng() % 4);
      n.step(counts);
      uint32_t want = 0;
      for (int k = 0; k < 3; ++k) {
        history[k].push_back(counts[k]);
        int sum = 0;
        for (int j = 0; j < window && j < static_cast<int>(history[k].size()); ++j)
          sum += history[k][history[k].size() - 1 - j];
        if (sum >= 5) want |= 1u << k;
      }
      ASSERT_EQ(n.nmda(), want) << "window " << window << " step " << t;
    }
  }
}

// A step's count is a byte: 300 active synapses count as 255.
TEST(DendriteSegments, CountSaturatesAtAByte) {
  Neuron n(params(1, 255, 2 * kDt, 0));
  n.step({300});
  EXPECT_EQ(n.nmda(), 1u);
  Neuron m(params(1, 256, 2 * kDt, 0));
  m.step({300});
  EXPECT_EQ(m.nmda(), 0u);
  m.step({1});
  EXPECT_EQ(m.nmda(), 1u);  // 255 + 1 in the window
}

// An NMDA spike starts a plateau of exactly P steps, this one included; a
// new spike during it restarts it.
TEST(DendriteSegments, PlateauLastsItsDuration) {
  host::IfCurrExpSegmentsParams c = params(2, 2, kDt, 0.5);  // P = 5 steps
  c.i_plateau = 1.0;
  c.v_thresh = 1000;  // never fires: the membrane shows the plateau current
  c.tau_refrac = 0;
  Neuron with(c);
  c.i_plateau = 0;
  Neuron without(c);
  auto plateau_steps = [&](const std::vector<std::vector<int>>& inputs) {
    std::vector<int> on;
    for (size_t t = 0; t < inputs.size(); ++t) {
      with.step(inputs[t]);
      without.step(inputs[t]);
      if (with.v() != without.v()) on.push_back(static_cast<int>(t));
      with.s.membrane = without.s.membrane;  // compare one step at a time
    }
    return on;
  };
  std::vector<std::vector<int>> in(20, std::vector<int>{0, 0});
  in[2] = {2, 0};  // spike at step 2: plateau 2..6
  in[5] = {0, 3};  // again at 5 (the other segment): plateau 5..9
  EXPECT_EQ(plateau_steps(in), (std::vector<int>{2, 3, 4, 5, 6, 7, 8, 9}));
}

// The predictive state: during a plateau the soma fires at v_thresh -
// v_thresh_drop, otherwise at v_thresh.
TEST(DendriteSegments, ThresholdDropGatesFiring) {
  host::IfCurrExpSegmentsParams c = params(1, 1, kDt, 1.0);
  c.v_thresh = -50;
  c.v_thresh_drop = 4;
  c.i_offset = 0.8;  // v -> v_rest + 16 mV = -49: between -54 and -50 at rest
  c.v_init = -52;
  c.tau_refrac = 2;
  Neuron idle(c);
  for (int t = 0; t < 5; ++t) EXPECT_FALSE(idle.step({0})) << t;
  Neuron predicted(c);
  EXPECT_TRUE(predicted.step({1}));  // v about -52 >= -54 during the plateau
}

// With no plateau effect, the soma is IF_curr_exp's, bit for bit, whatever
// the segments do.
TEST(DendriteSegments, NoEffectIsIfCurrExp) {
  host::IfCurrExpSegmentsParams c = params(4, 3, 3 * kDt, 2.0);
  c.v_thresh = -60;
  c.tau_refrac = 1;
  Neuron seg(c);
  fw::IfCurrExp::Params pp = host::to_fixed(static_cast<const host::IfCurrExpParams&>(c), kDt);
  fw::IfCurrExp::State ps = host::initial_state(static_cast<const host::IfCurrExpParams&>(c));
  std::mt19937 rng(7);
  int spikes = 0;
  for (int t = 0; t < 20000; ++t) {
    const double exc = static_cast<double>(rng() % 100) * 0.05;
    std::vector<int> counts(4);
    for (int& x : counts) x = static_cast<int>(rng() % 3);
    const Accum in[2] = {host::to_accum(exc * 256), Accum::zero()};
    const bool a = fw::IfCurrExp::step(pp, ps, in);
    const bool b = seg.step(counts, exc);
    ASSERT_EQ(a, b) << t;
    ASSERT_EQ(ps.membrane.v.raw, seg.s.membrane.v.raw) << t;
    spikes += a;
  }
  EXPECT_GT(spikes, 100);
}

// The parameters a core takes: as many segments as it has dendrite types,
// a window of 1..4 steps, a threshold of at least one synapse.
TEST(DendriteSegments, ParamsCheckedAgainstTheCore) {
  const auto p = host::to_fixed(params(3, 2, 4 * kDt, 1), kDt);
  EXPECT_TRUE(IfCurrExpSegments::dendrites_ok(p, 3));
  EXPECT_FALSE(IfCurrExpSegments::dendrites_ok(p, 2));
  EXPECT_FALSE(IfCurrExpSegments::dendrites_ok(p, 0));
  auto q = p;
  q.dendrites.shape = DendriteSegments::shape(3, 5, 2);
  EXPECT_FALSE(IfCurrExpSegments::dendrites_ok(q, 3));
  q.dendrites.shape = DendriteSegments::shape(3, 1, 0);
  EXPECT_FALSE(IfCurrExpSegments::dendrites_ok(q, 3));
  q.dendrites.shape = DendriteSegments::shape(9, 1, 1);
  EXPECT_FALSE(IfCurrExpSegments::dendrites_ok(q, 9));
}

}  // namespace
}  // namespace spindle
