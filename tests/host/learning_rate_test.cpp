// Learning-rate scales on the native engine (job/neuron_modes.h, the cores'
// Core::set_learning_scale): scale 1 is the file's rule bit for bit, scale
// 0 freezes every plastic weight from its tick on, a scale set live between
// two runs gives the weights and spikes of the same switch in the network
// file, and a scale multiplies the weight changes it governs.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "job/neuron_modes.h"
#include "job/plastic_weights.h"
#include "job/prepare.h"
#include "network/load.h"
#include "network/validate.h"

namespace spindle::host {
namespace {

// 30 Poisson inputs onto 20 IF_curr_exp neurons through additive pair STDP
// (with a drive so that the neurons fire), 2 s at dt 1 ms.
std::string network_text(const std::string& extra, const std::string& dependence = "additive") {
  return R"(run { timestep_ms: 1.0 duration_ms: 2000 seed: 4 }
populations { label: "in" size: 30 spike_source_poisson { rate { constant: 20 } } }
populations { label: "drive" size: 5 spike_source_poisson { rate { constant: 6 } } }
populations { label: "post" size: 20 if_curr_exp { tau_refrac { constant: 2 } } }
projections { label: "drive" pre: "drive" post: "post" receptor: EXCITATORY connector { all_to_all {} }
  weight { constant: 2 } delay { constant: 1 } }
projections { label: "plastic" pre: "in" post: "post" receptor: EXCITATORY connector { fixed_probability { p: 0.5 } }
  weight { random { uniform { low: 0.2 high: 0.6 } } } delay { constant: 2 }
  synapse_dynamics { stdp { timing_dependence { tau_plus: 20 tau_minus: 20 A_plus: 0.02 A_minus: 0.021 }
                            )" + dependence + R"( { w_min: 0 w_max: 1 } } } }
recordings { population: "post" variables: [SPIKES] }
)" + extra;
}

struct Job {
  v1::Network net;
  PreparedNetwork prepared;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<emu::Engine> engine;
};

Job start(const std::string& text) {
  const emu::MachineDescription machine = emu::machine_from_shape("1");
  Job j{network::parse_network(text, network::NetworkFormat::kText, "learning"), {}, nullptr, nullptr};
  const auto errors = network::validate_network(j.net);
  EXPECT_TRUE(errors.empty()) << network::format_errors(errors);
  j.prepared = prepare(j.net, machine, 1);
  j.backend = make_backend(BackendOptions{});
  j.engine = start_engine(machine, emu::EngineConfig{.threads = 1}, j.prepared, *j.backend);
  return j;
}

std::vector<double> weights(Job& j) {
  const auto all = read_plastic_weights(*j.engine, j.prepared.load);
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? std::vector<double>{} : all[0].weight;
}

std::vector<std::pair<uint32_t, uint32_t>> post_spikes(const Job& j) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  for (const CoreLoad& c : j.prepared.load.cores) {
    const Slice& s = j.prepared.mapped.result.partition.slices[c.slice];
    if (j.net.populations(static_cast<int>(s.vertex)).label() != "post") continue;
    for (const fw::SpikeRecord& r : j.engine->find({c.chip, c.core})->spikes) out.emplace_back(s.lo_atom + r.neuron, r.tick);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Outcome {
  std::vector<double> initial, final;
  std::vector<std::pair<uint32_t, uint32_t>> spikes;
  uint64_t missed = 0;  // stdp_pairs_missed over the cores
};

Outcome run(const std::string& text) {
  Job j = start(text);
  Outcome o;
  o.initial = weights(j);
  j.engine->run(2000);
  o.final = weights(j);
  o.spikes = post_spikes(j);
  for (const auto& slot : j.engine->cores()) o.missed += slot->provenance().stdp_pairs_missed;
  return o;
}

double total_change(const Outcome& o) {
  double s = 0;
  for (size_t k = 0; k < o.final.size(); ++k) s += std::fabs(o.final[k] - o.initial[k]);
  return s;
}

TEST(LearningRate, ScaleOneIsTheFilesRule) {
  for (const std::string dependence : {"additive", "multiplicative"}) {
    SCOPED_TRACE(dependence);
    const Outcome plain = run(network_text("", dependence));
    const Outcome one = run(network_text("learning_rate_switches { at_ms: 500 population: \"post\" scale: 1 }", dependence));
    EXPECT_GT(total_change(plain), 0.5);
    // A change applies pending potentiation first (Core::flush_plastic),
    // which changes nothing only while no pair is lost to the post-spike
    // history's bound (docs/network-format.md, "Post-spike history").
    EXPECT_EQ(plain.missed, 0u);
    EXPECT_EQ(one.final, plain.final);
    EXPECT_EQ(one.spikes, plain.spikes);
  }
}

TEST(LearningRate, ScaleZeroFreezesTheWeightsFromItsTick) {
  // The weights at 800 ms (read between two runs: pending potentiation
  // applied) are the weights at the end.
  Job j = start(network_text("learning_rate_switches { at_ms: 800 population: \"post\" scale: 0 }"));
  const std::vector<double> initial = weights(j);
  j.engine->run(800);
  const std::vector<double> at_switch = weights(j);
  j.engine->run(1200);
  EXPECT_NE(at_switch, initial);
  EXPECT_EQ(weights(j), at_switch);
}

TEST(LearningRate, LiveScaleEqualsTheSameSwitchInTheFile) {
  for (const std::string dependence : {"additive", "multiplicative"}) {
    SCOPED_TRACE(dependence);
    const Outcome from_file = run(network_text(
        "learning_rate_switches { at_ms: 700 population: \"post\" scale: 3.5 }\n"
        "learning_rate_switches { at_ms: 1400 population: \"post\" scale: 0.25 }",
        dependence));
    Job j = start(network_text("", dependence));
    j.engine->run(700);
    const auto slices = population_slices(j.prepared.mapped.result, 2);
    schedule_mode_changes(*j.engine, learning_scale_changes(slices, network::learning_scale_value(3.5), 700));
    schedule_mode_changes(*j.engine, learning_scale_changes(slices, network::learning_scale_value(0.25), 1400));
    j.engine->run(1300);
    EXPECT_EQ(weights(j), from_file.final);
    EXPECT_EQ(post_spikes(j), from_file.spikes);
    EXPECT_NE(from_file.final, run(network_text("", dependence)).final);
  }
}

TEST(LearningRate, AScaleMultipliesTheWeightChanges) {
  // Over the first 300 ms (weights far from their bounds, the same spikes
  // until a changed weight changes one), scale 2 changes the weights about
  // twice as much as scale 1, scale 0.5 about half.
  auto change = [](const std::string& scale) {
    Job j = start(network_text("learning_rate_switches { at_ms: 0 population: \"post\" scale: " + scale + " }"));
    const std::vector<double> initial = weights(j);
    j.engine->run(300);
    const std::vector<double> now = weights(j);
    double s = 0;
    for (size_t k = 0; k < now.size(); ++k) s += std::fabs(now[k] - initial[k]);
    return s;
  };
  const double one = change("1"), two = change("2"), half = change("0.5");
  EXPECT_GT(one, 0.05);
  EXPECT_NEAR(two / one, 2.0, 0.3);
  EXPECT_NEAR(half / one, 0.5, 0.08);
}

TEST(LearningRate, TheEngineRefusesCoresWithoutPlasticSynapses) {
  Job j = start(network_text(""));
  const auto in_slices = population_slices(j.prepared.mapped.result, 0);
  EXPECT_THROW(j.engine->schedule_learning_scale(0, in_slices[0].where, fw::stdp::kLearningScaleOne),
               std::invalid_argument);
  const auto post_slices = population_slices(j.prepared.mapped.result, 2);
  EXPECT_THROW(j.engine->schedule_learning_scale(0, post_slices[0].where, fw::stdp::kLearningScaleMax + 1),
               std::invalid_argument);
  // schedule_mode_changes leaves out cores no plastic synapse reaches.
  schedule_mode_changes(*j.engine, learning_scale_changes(in_slices, fw::stdp::kLearningScaleOne, 0));
  EXPECT_EQ(j.engine->scheduled_modes(), 0u);
}

}  // namespace
}  // namespace spindle::host
