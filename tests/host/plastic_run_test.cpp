// Plastic synapses end to end on the native engine: a network with an STDP
// projection is mapped, its cores run pair STDP, and the weights read back
// (job/plastic_weights.h) agree with pair STDP computed independently in
// double precision from the spikes the run produced (the pre spike trains
// given, the post spikes recorded), within a bound derived from the
// fixed-point representation. Reading weights between two runs changes
// nothing, and the thread count changes nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "job/plastic_weights.h"
#include "job/prepare.h"
#include "network/load.h"
#include "support/plastic_run.h"

namespace spindle::host {
namespace {

constexpr double kDt = 1.0;          // ms: tau is 20 ticks, so the tables' bins are single ticks
constexpr uint32_t kDelayTicks = 3;   // 3 ms, all dendritic
constexpr double kTau = 20.0;         // ms, both windows
constexpr double kAPlus = 0.05, kAMinus = 0.06, kWMax = 1.0, kWInit = 0.3;  // nA

// pre: 3 neurons with their own trains; drive: one neuron whose strong
// static synapses make both post neurons fire a few ms after each of its
// spikes; post: 2 IF_curr_exp neurons; pre -> post plastic, all to all.
v1::Network plastic_network(bool nearest) {
  std::string text = R"(run { timestep_ms: 1.0 duration_ms: 400 }
populations { label: "pre" size: 3 spike_source_array {
  per_neuron { times: [5, 42, 43.3, 120, 121, 200, 260, 330] }
  per_neuron { times: [30, 31.7, 90, 150.2, 151, 152, 290, 300.5] }
  per_neuron { times: [60, 61, 62, 63, 64, 180, 181, 390] } } }
populations { label: "drive" size: 1 spike_source_array { shared { times: [40, 70, 100, 130, 135, 140, 170, 250, 280, 310, 320, 398] } } }
populations { label: "post" size: 2 if_curr_exp { tau_refrac { constant: 2 } } }
projections { label: "drive" pre: "drive" post: "post" receptor: EXCITATORY connector { all_to_all {} }
  weight { constant: 5 } delay { constant: 1 } }
projections { label: "plastic" pre: "pre" post: "post" receptor: EXCITATORY connector { all_to_all {} }
  weight { constant: 0.3 } delay { constant: 3 }
  synapse_dynamics { stdp { timing_dependence { tau_plus: 20 tau_minus: 20 A_plus: 0.05 A_minus: 0.06 NEAREST }
                            additive { w_min: 0 w_max: 1 } } } }
recordings { population: "post" variables: [SPIKES] }
)";
  const std::string flag = nearest ? "nearest: true" : "";
  text.replace(text.find("NEAREST"), 7, flag);
  return network::parse_network(text, network::NetworkFormat::kText, "plastic");
}

using Outcome = PlasticOutcome;
Outcome run(const v1::Network& net, const std::vector<uint32_t>& chunks, unsigned threads) {
  return run_plastic(net, chunks, threads);
}

// Pair STDP in double precision, online in time order (post before pre at
// equal times), all-to-all or nearest pair; and a bound on what the cores'
// fixed point can differ by: per applied term A x, A times the trace's
// error (each decay's dt truncated to the table's 2^shift-tick bins, up to
// 1 - exp(-(2^shift - 1) ticks / tau) of what it decays, and its rounding),
// and half a weight unit per rounded update, plus the initial weight's
// rounding.
struct Reference {
  double w = 0, bound = 0;
};
Reference reference(const std::vector<uint32_t>& pre, const std::vector<uint32_t>& post, uint32_t end, bool nearest,
                    double unit, uint32_t shift) {
  const double tau = kTau / kDt;  // ticks
  const double bin_error = 1.0 - std::exp(-static_cast<double>((1u << shift) - 1) / tau);
  struct Event {
    uint32_t tick;
    bool is_pre;
  };
  std::vector<Event> events;
  for (uint32_t t : pre) events.push_back({t, true});
  for (uint32_t p : post)
    if (p + kDelayTicks <= end) events.push_back({p + kDelayTicks, false});
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.tick != b.tick ? a.tick < b.tick : (!a.is_pre && b.is_pre);
  });
  Reference r{kWInit, unit / 2};
  std::vector<uint32_t> seen_pre, seen_post;
  // The trace at t from the spikes before t (or at t too), and a bound on
  // its fixed-point error: spike i's contribution goes through one table
  // decay per spike after it (its bin error each), and each decay rounds.
  struct Trace {
    double x = 0, error = 0;
  };
  auto trace = [&](const std::vector<uint32_t>& spikes, uint32_t t, bool strictly_before) {
    std::vector<uint32_t> in;
    for (uint32_t s : spikes)
      if (s < t || (!strictly_before && s == t)) in.push_back(s);
    Trace out;
    const size_t m = in.size();
    for (size_t i = 0; i < m; ++i) {
      if (nearest && i + 1 != m) continue;
      const double e = std::exp(-static_cast<double>(t - in[i]) / tau);
      const double decays = nearest ? 1.0 : static_cast<double>(m - i);
      out.x += e;
      out.error += e * decays * bin_error;
    }
    // Each decay rounds its table value and its product (2^-12 each,
    // relative and absolute), at most one decay per spike behind the value.
    const double steps = nearest ? std::min<double>(1.0, static_cast<double>(m)) : static_cast<double>(m);
    out.error += steps * std::ldexp(1.0, -12) * (1.0 + out.x);
    return out;
  };
  for (const Event& e : events) {
    if (e.is_pre) {
      const Trace y = trace(seen_post, e.tick, false);
      if (!seen_post.empty()) {
        r.w = std::clamp(r.w - kAMinus * y.x, 0.0, kWMax);
        r.bound += kAMinus * y.error + unit / 2;
      }
      seen_pre.push_back(e.tick);
    } else {
      const Trace x = trace(seen_pre, e.tick, true);
      if (!seen_pre.empty()) {
        r.w = std::clamp(r.w + kAPlus * x.x, 0.0, kWMax);
        r.bound += kAPlus * x.error + unit / 2;
      }
      seen_post.push_back(e.tick);
    }
  }
  return r;
}

std::vector<uint32_t> pre_ticks(const v1::Network& net, uint32_t neuron) {
  std::vector<uint32_t> t;
  for (double ms : net.populations(0).spike_source_array().per_neuron(static_cast<int>(neuron)).times())
    t.push_back(static_cast<uint32_t>(std::lround(ms / kDt)));
  return t;
}

void check_against_reference(bool nearest) {
  const v1::Network net = plastic_network(nearest);
  const uint32_t ticks = 400;
  const Outcome o = run(net, {ticks}, 1);
  ASSERT_EQ(o.weights.size(), 1u);
  const ProjectionWeights& w = o.weights[0];
  EXPECT_EQ(w.projection, 1u);
  ASSERT_EQ(w.weight.size(), 6u);
  ASSERT_EQ(o.missed, 0u);
  // The drive makes both post neurons fire (the test means nothing otherwise).
  ASSERT_GE(o.post_ticks.at(0).size(), 8u);
  ASSERT_GE(o.post_ticks.at(1).size(), 8u);
  // The weight unit and table resolution the cores use: the receptor's
  // range covers the drive's 5 nA (2^13 units per nA); tau 20 ticks fits
  // 256 single-tick entries past tau ln 4096, so the only fixed-point error
  // is rounding.
  const double unit = 1.0 / 8192;
  const uint32_t shift = 0;
  int changed = 0;
  for (size_t k = 0; k < w.weight.size(); ++k) {
    EXPECT_EQ(w.pre[k], k / 2);  // PyNN's list order: by pre, then post
    EXPECT_EQ(w.post[k], k % 2);
    const Reference r = reference(pre_ticks(net, w.pre[k]), o.post_ticks.at(w.post[k]), ticks - 1, nearest, unit, shift);
    EXPECT_NEAR(w.weight[k], r.w, r.bound) << "pre " << w.pre[k] << " post " << w.post[k];
    if (std::fabs(r.w - kWInit) > 0.05) ++changed;
  }
  EXPECT_GE(changed, 3) << "too few synapses changed for the test to mean much";
}

TEST(PlasticRun, WeightsAgreeWithPairStdpComputedFromTheSpikes) { check_against_reference(false); }

TEST(PlasticRun, NearestPairWeightsAgreeWithTheirReference) { check_against_reference(true); }

TEST(PlasticRun, ReadingWeightsBetweenRunsAndThreadsChangeNothing) {
  const v1::Network net = plastic_network(false);
  const Outcome whole = run(net, {400}, 1);
  const Outcome chunked = run(net, {100, 1, 199, 100}, 1);
  const Outcome threaded = run(net, {400}, 2);
  for (const Outcome* o : {&chunked, &threaded}) {
    ASSERT_EQ(o->weights.size(), 1u);
    EXPECT_EQ(o->weights[0].weight, whole.weights[0].weight);
    EXPECT_EQ(o->post_ticks, whole.post_ticks);
  }
}

}  // namespace
}  // namespace spindle::host
