// Dopamine-modulated STDP end to end on the native engine: a network with a
// neuromodulated STDP projection and reward / punishment sources is mapped,
// its cores run the rule, and the weights read back agree with the model
// solved exactly in double (tests/support/izhikevich_da_reference.h) from
// the spikes the run produced, within the kernel's fixed-point bound.
// Without dopamine no weight moves; reading weights between runs and the
// thread count change nothing.
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
#include "support/izhikevich_da_reference.h"

namespace spindle::host {
namespace {

constexpr uint32_t kDelayTicks = 3;  // the plastic projection's, all dendritic
constexpr double kWInit = 0.3;       // nA
constexpr double kReward = 1.0 / 64, kPunishment = 1.0 / 128;
constexpr uint32_t kRewardDelay = 1, kPunishmentDelay = 2;

// pre: 3 neurons with their own trains; drive: strong static synapses make
// both post neurons fire a few ms after each of its spikes; post: 2
// IF_curr_exp neurons; pre -> post neuromodulated STDP, all to all; reward
// and punishment: one source each, onto every post neuron.
v1::Network dopamine_network(bool with_dopamine) {
  std::string text = R"(run { timestep_ms: 1.0 duration_ms: 600 }
populations { label: "pre" size: 3 spike_source_array {
  per_neuron { times: [5, 42, 43.3, 120, 121, 200, 260, 330, 450] }
  per_neuron { times: [30, 31.7, 90, 150.2, 151, 152, 290, 300.5, 500] }
  per_neuron { times: [60, 61, 62, 63, 64, 180, 181, 390, 520] } } }
populations { label: "drive" size: 1 spike_source_array { shared { times: [40, 70, 100, 130, 135, 140, 170, 250, 280, 310, 320, 398, 455, 530] } } }
populations { label: "post" size: 2 if_curr_exp { tau_refrac { constant: 2 } } }
populations { label: "reward" size: 1 spike_source_array { shared { times: [150, 340, 470] } } }
populations { label: "punishment" size: 1 spike_source_array { shared { times: [220, 540] } } }
projections { label: "drive" pre: "drive" post: "post" receptor: EXCITATORY connector { all_to_all {} }
  weight { constant: 5 } delay { constant: 1 } }
projections { label: "plastic" pre: "pre" post: "post" receptor: EXCITATORY connector { all_to_all {} }
  weight { constant: 0.3 } delay { constant: 3 }
  synapse_dynamics { stdp { timing_dependence { tau_plus: 20 tau_minus: 20 A_plus: 0.05 A_minus: 0.06 }
                            additive { w_min: 0 w_max: 1 }
                            neuromodulation { tau_c: 1000 tau_d: 200 } } } }
DOPAMINE
recordings { population: "post" variables: [SPIKES] }
)";
  const std::string dopamine = with_dopamine ? R"(
projections { label: "reward" pre: "reward" post: "post" receptor: REWARD connector { all_to_all {} }
  weight { constant: 0.015625 } delay { constant: 1 } }
projections { label: "punishment" pre: "punishment" post: "post" receptor: PUNISHMENT connector { all_to_all {} }
  weight { constant: 0.0078125 } delay { constant: 2 } })"
                                             : "";
  text.replace(text.find("DOPAMINE"), 8, dopamine);
  return network::parse_network(text, network::NetworkFormat::kText, "dopamine");
}

using Outcome = PlasticOutcome;
Outcome run(const v1::Network& net, const std::vector<uint32_t>& chunks, unsigned threads) {
  return run_plastic(net, chunks, threads);
}

std::vector<uint32_t> source_ticks(const v1::Network& net, const char* label, uint32_t neuron) {
  for (const auto& pop : net.populations()) {
    if (pop.label() != label) continue;
    const auto& a = pop.spike_source_array();
    const auto& times = a.has_shared() ? a.shared().times() : a.per_neuron(static_cast<int>(neuron)).times();
    std::vector<uint32_t> t;
    for (double ms : times) t.push_back(static_cast<uint32_t>(std::lround(ms)));
    return t;
  }
  return {};
}

TEST(NeuromodulatedRun, WeightsAgreeWithTheModelSolvedFromTheSpikes) {
  const v1::Network net = dopamine_network(true);
  const uint32_t ticks = 600, end = ticks - 1;
  const Outcome o = run(net, {ticks}, 1);
  ASSERT_EQ(o.weights.size(), 1u);
  const ProjectionWeights& w = o.weights[0];
  ASSERT_EQ(w.weight.size(), 6u);
  ASSERT_EQ(o.missed, 0u);
  ASSERT_GE(o.post_ticks.at(0).size(), 8u);
  ASSERT_GE(o.post_ticks.at(1).size(), 8u);
  // Times at the synapse: a pre spike at its tick, a post spike or a
  // dopamine event of the post neuron kDelayTicks later; dopamine reaches
  // the neuron after its projection's delay.
  test::DaParams params;
  params.a_plus = 0.05;
  params.a_minus = 0.06;
  const double scale = 8192;  // weight units per nA: the receptor's range covers the drive's 5 nA
  int changed = 0;
  for (size_t k = 0; k < w.weight.size(); ++k) {
    test::DaScenario s;
    s.w0 = kWInit;
    s.t_end = end;
    s.pre = source_ticks(net, "pre", w.pre[k]);
    for (uint32_t p : o.post_ticks.at(w.post[k]))
      if (p + kDelayTicks <= end) s.post.push_back(p + kDelayTicks);
    for (uint32_t t : source_ticks(net, "reward", 0)) s.dopamine.push_back({t + kRewardDelay + kDelayTicks, kReward});
    for (uint32_t t : source_ticks(net, "punishment", 0))
      s.dopamine.push_back({t + kPunishmentDelay + kDelayTicks, -kPunishment});
    const test::DaExact e = test::da_exact_solution(params, s);
    // The initial weight's rounding to a weight unit, on top of the kernel's bound.
    const double bound = test::da_kernel_bound(params, s, scale) + 0.5 / scale;
    EXPECT_NEAR(w.weight[k], e.w, bound) << "pre " << w.pre[k] << " post " << w.post[k];
    if (std::fabs(e.w - kWInit) > 0.02) ++changed;
  }
  EXPECT_GE(changed, 3) << "too few synapses changed for the test to mean much";
}

TEST(NeuromodulatedRun, WithoutDopamineNoWeightMoves) {
  const Outcome o = run(dopamine_network(false), {600}, 1);
  ASSERT_EQ(o.weights.size(), 1u);
  ASSERT_GE(o.post_ticks.at(0).size(), 8u);
  for (double v : o.weights[0].weight) EXPECT_NEAR(v, kWInit, 0.5 / 8192);
}

TEST(NeuromodulatedRun, ReadingWeightsBetweenRunsAndThreadsChangeNothing) {
  const v1::Network net = dopamine_network(true);
  const Outcome whole = run(net, {600}, 1);
  const Outcome chunked = run(net, {100, 1, 199, 151, 149}, 1);
  const Outcome threaded = run(net, {600}, 2);
  for (const Outcome* o : {&chunked, &threaded}) {
    ASSERT_EQ(o->weights.size(), 1u);
    EXPECT_EQ(o->weights[0].weight, whole.weights[0].weight);
    EXPECT_EQ(o->post_ticks, whole.post_ticks);
  }
}

}  // namespace
}  // namespace spindle::host
