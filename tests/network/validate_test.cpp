// Validation: every rule, with the exact path and message text users see.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include <sys/resource.h>

#include "network/load.h"
#include "network/range_warnings.h"
#include "network/validate.h"
#include "network/neuron_modes.h"

using namespace spindle::host::network;
namespace v1 = spindle::v1;

namespace {

// A valid base network; each test breaks one thing.
const char* kBase = R"pb(
run { timestep_ms: 0.1 duration_ms: 100 seed: 3 }
populations { label: "a" size: 10 if_curr_exp {} }
populations { label: "b" size: 20 if_cond_exp {} }
populations { label: "src" size: 5 spike_source_poisson { rate { constant: 10 } } }
populations { label: "izh" size: 4 izhikevich {} }
projections {
  pre: "src" post: "a" receptor: EXCITATORY
  connector { all_to_all {} }
  weight { constant: 0.1 }
  delay { constant: 1 }
}
recordings { population: "a" variables: [SPIKES, V] }
)pb";

v1::Network base() { return parse_network(kBase, NetworkFormat::kText, "base"); }

std::string errors_of(const std::function<void(v1::Network&)>& mutate) {
  auto net = base();
  mutate(net);
  return format_errors(validate_network(net));
}

v1::Projection& proj0(v1::Network& n) { return *n.mutable_projections(0); }

}  // namespace

TEST(NetworkValidate, BaseIsValid) { EXPECT_EQ(errors_of([](v1::Network&) {}), ""); }

TEST(NetworkValidate, RunSettings) {
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_run()->set_timestep_ms(0); }),
            "run.timestep_ms: must be > 0, got 0\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_run()->set_duration_ms(-1); }),
            "run.duration_ms: must be >= 0, got -1\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_run()->set_time_scale_factor(-2); }),
            "run.time_scale_factor: must be > 0 (or 0 / unset for the default), got -2\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_run()->set_time_scale_factor(std::nan("")); }),
            "run.time_scale_factor: must be > 0 (or 0 / unset for the default), got nan\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_run()->set_time_scale_factor(1e9); }),
            "run.time_scale_factor: timestep x time_scale_factor must be at most 3600 s (a core's timer period), "
            "got 0.1 ms x 1000000000\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_run()->set_time_scale_factor(2.5); }), "");
  // The default factor (1 at timesteps of 1 ms and more) counts too.
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_run()->set_timestep_ms(5e6); }),
            "run.timestep_ms: timestep x time_scale_factor must be at most 3600 s (a core's timer period), "
            "got 5000000 ms x 1\n"
            "projections[0].delay: must round to >= 1 timestep of 5000000 ms (i.e. be >= 2500000 ms), got 1\n");
}

TEST(NetworkValidate, PopulationBasics) {
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_populations(1)->set_size(0); }),
            "populations[1].size: must be > 0\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_populations(1)->set_label("a"); }),
            "populations[1].label: duplicate label \"a\" (also populations[0])\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_populations(1)->set_label(""); }),
            "populations[1].label: must not be empty\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_populations(1)->clear_if_cond_exp(); }),
            "populations[1]: must set a cell type (if_curr_exp, if_cond_exp, izhikevich, if_nonleaky, "
            "spike_source_poisson, spike_source_array, if_curr_exp_adaptive, if_cond_exp_adaptive or "
            "if_curr_exp_segments)\n");
}

// The adaptive threshold's parameters, with field paths; target_rate is
// held as spikes per timestep, so it must stay below one a timestep.
TEST(NetworkValidate, AdaptiveThresholdParameters) {
  auto adaptive = [](v1::Network& n) -> v1::IfCondExpAdaptive& {
    auto* pop = n.mutable_populations(1);
    pop->mutable_if_cond_exp_adaptive();
    return *pop->mutable_if_cond_exp_adaptive();
  };
  EXPECT_EQ(errors_of([&](v1::Network& n) { adaptive(n); }), "");
  EXPECT_EQ(errors_of([&](v1::Network& n) { adaptive(n).mutable_tau_theta()->set_constant(0); }),
            "populations[1].if_cond_exp_adaptive.tau_theta: must be > 0, got 0\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) { adaptive(n).mutable_eta_h()->set_constant(-0.1); }),
            "populations[1].if_cond_exp_adaptive.eta_h: must be >= 0, got -0.1\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) { adaptive(n).mutable_theta_plus()->set_constant(-1); }),
            "populations[1].if_cond_exp_adaptive.theta_plus: must be >= 0, got -1\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) { adaptive(n).mutable_target_rate()->set_constant(9999); }), "");
  EXPECT_EQ(errors_of([&](v1::Network& n) { adaptive(n).mutable_target_rate()->set_constant(10000); }),
            "populations[1].if_cond_exp_adaptive.target_rate: must be below one spike a timestep, 10000 Hz at 0.1 "
            "ms, got 10000\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) {
              adaptive(n).mutable_target_rate()->mutable_random()->mutable_normal()->set_mean(10);
              adaptive(n).mutable_target_rate()->mutable_random()->mutable_normal()->set_sd(1);
              adaptive(n).mutable_target_rate()->mutable_random()->mutable_normal()->set_clip_low(0);
            }),
            "populations[1].if_cond_exp_adaptive.target_rate: must be below one spike a timestep, 10000 Hz at 0.1 "
            "ms, but the distribution is unbounded above (set clip_high)\n");
  // theta and theta_h are the adaptive types' state variables only.
  EXPECT_NE(errors_of([](v1::Network& n) {
              n.mutable_populations(1)->mutable_initial_values()->mutable_theta_h()->set_constant(1);
            }).find("populations[1].initial_values.theta_h: only"),
            std::string::npos);
}

TEST(NetworkValidate, ModeSwitches) {
  auto sw = [](v1::Network& n) -> v1::ModeSwitch& {
    auto* m = n.add_mode_switches();
    m->set_population("a");
    m->set_at_ms(5);
    return *m;
  };
  EXPECT_EQ(errors_of([&](v1::Network& n) {
              sw(n).add_neuron_ids(9);
              sw(n).set_gain(15.9);
              sw(n).set_threshold_offset(-1000);
            }),
            "");
  EXPECT_EQ(errors_of([&](v1::Network& n) { sw(n).set_population("nope"); }),
            "mode_switches[0].population: unknown population \"nope\"\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) { sw(n).set_population("src"); }),
            "mode_switches[0].population: \"src\" is a spike source; modes belong to neuron models\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) {
              auto& m = sw(n);
              m.add_neuron_ids(3);
              m.add_neuron_ids(10);
              m.add_neuron_ids(11);
            }),
            "mode_switches[0].neuron_ids[1]: index 10 out of range for population \"a\" of size 10\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) { sw(n).set_threshold_offset(1000.5); }),
            "mode_switches[0].threshold_offset: must be within +-1000 mV, got 1000.5\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) { sw(n).set_threshold_offset(std::nan("")); }),
            "mode_switches[0].threshold_offset: must be within +-1000 mV, got nan\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) { sw(n).set_gain(16); }), "mode_switches[0].gain: must be in [0, 16), got 16\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) { sw(n).set_gain(-0.25); }),
            "mode_switches[0].gain: must be in [0, 16), got -0.25\n");
  EXPECT_NE(errors_of([&](v1::Network& n) { sw(n).set_at_ms(-1); }).find("mode_switches[0].at_ms: "), std::string::npos);
  EXPECT_NE(errors_of([&](v1::Network& n) {
              for (uint32_t k = 0; k <= kMaxModeSwitches; ++k) sw(n);
            }).find("mode_switches: at most 10000 switches, got 10001"),
            std::string::npos);
}

TEST(NetworkValidate, LearningRateSwitches) {
  auto plastic = [](v1::Network& n) {
    auto* proj = n.mutable_projections(0);
    auto* stdp = proj->mutable_synapse_dynamics()->mutable_stdp();
    stdp->mutable_timing_dependence();
    stdp->mutable_additive()->set_w_max(1);
    return proj->post();
  };
  auto sw = [](v1::Network& n, const std::string& population) -> v1::LearningRateSwitch& {
    auto* m = n.add_learning_rate_switches();
    m->set_population(population);
    m->set_at_ms(10);
    m->set_scale(2);
    return *m;
  };
  v1::Network probe = base();
  const std::string post = plastic(probe);
  EXPECT_EQ(errors_of([&](v1::Network& n) { sw(n, plastic(n)).set_scale(15.9); }), "");
  EXPECT_EQ(errors_of([&](v1::Network& n) { sw(n, plastic(n)).clear_scale(); }),
            "learning_rate_switches[0].scale: must be set\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) { sw(n, plastic(n)).set_scale(-1); }),
            "learning_rate_switches[0].scale: must be in [0, 16), got -1\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) { sw(n, post); }),
            "learning_rate_switches[0].population: no plastic (STDP) projection onto \"" + post + "\": nothing to scale\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) { sw(n, "nope"); }),
            "learning_rate_switches[0].population: unknown population \"nope\"\n");
  EXPECT_NE(errors_of([&](v1::Network& n) { sw(n, plastic(n)).set_at_ms(std::nan("")); })
                .find("learning_rate_switches[0].at_ms: "),
            std::string::npos);
}

TEST(NetworkValidate, CellParameters) {
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(0)->mutable_if_curr_exp()->mutable_tau_m()->set_constant(-1);
            }),
            "populations[0].if_curr_exp.tau_m: must be > 0, got -1\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(1)->mutable_if_cond_exp()->mutable_tau_syn_i()->set_constant(0);
            }),
            "populations[1].if_cond_exp.tau_syn_I: must be > 0, got 0\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm()->set_constant(0);
            }),
            "populations[0].if_curr_exp.cm: must be > 0, got 0\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(0)->mutable_if_curr_exp()->mutable_tau_refrac()->set_constant(-0.5);
            }),
            "populations[0].if_curr_exp.tau_refrac: must be >= 0, got -0.5\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(0)->mutable_if_curr_exp()->mutable_v_reset()->set_constant(-40);
            }),
            "populations[0].if_curr_exp.v_reset: must be < v_thresh (-50), got -40\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(2)->mutable_spike_source_poisson()->mutable_rate()->set_constant(-3);
            }),
            "populations[2].spike_source_poisson.rate: must be >= 0, got -3\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(3)->mutable_izhikevich()->mutable_tau_syn_e()->set_constant(-3);
            }),
            "populations[3].izhikevich.tau_syn_E: must be > 0, got -3\n");
  // IF_curr_exp's input gain: R = tau_m / cm below 256 MOhm (IF_cond_exp has no such limit).
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm()->set_constant(0.05);
            }),
            "populations[0].if_curr_exp.cm: tau_m / cm must be < 256 MOhm (the fixed-point input gain), got 400 "
            "MOhm (neuron 0)\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm()->set_constant(0.1);
            }),
            "");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(1)->mutable_if_cond_exp()->mutable_cm()->set_constant(0.05);
            }),
            "");
}

TEST(NetworkValidate, PerNeuronRulesNameTheNeuron) {
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* l = n.mutable_populations(0)->mutable_if_curr_exp()->mutable_tau_m()->mutable_list();
              for (int i = 0; i < 10; ++i) l->add_values(i == 4 || i == 7 ? -2.0 : 10.0);
            }),
            "populations[0].if_curr_exp.tau_m: must be > 0, got -2 for neuron 4 (2 of 10 neurons)\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* u = n.mutable_populations(0)->mutable_if_curr_exp()->mutable_v_reset()->mutable_random()
                            ->mutable_uniform();
              u->set_low(-49);
              u->set_high(-48);
            }),
            "populations[0].if_curr_exp.v_reset: must be < v_thresh for every neuron, but v_reset reaches -48 while "
            "v_thresh goes down to -50\n");
  // A list against a constant: value by value, naming the first neuron.
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* l = n.mutable_populations(0)->mutable_if_curr_exp()->mutable_v_reset()->mutable_list();
              for (int i = 0; i < 10; ++i) l->add_values(i >= 6 ? -45.0 : -60.0);
            }),
            "populations[0].if_curr_exp.v_reset: must be < v_thresh, got v_reset -45 and v_thresh -50 for neuron 6 "
            "(4 of 10 neurons)\n");
}

// Distributions are checked by the bounds of what they can draw, never by
// drawing: validation's cost follows the file, not the population.
TEST(NetworkValidate, DistributionsAreCheckedByTheirBounds) {
  auto set_uniform = [](v1::ParameterValue* pv, double low, double high) {
    pv->mutable_random()->mutable_uniform()->set_low(low);
    pv->mutable_random()->mutable_uniform()->set_high(high);
  };
  // uniform [0, 1) can draw 0: cm must be > 0.
  EXPECT_EQ(errors_of([&](v1::Network& n) { set_uniform(n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm(), 0, 1); }),
            "populations[0].if_curr_exp.cm: must be > 0, but the distribution draws values down to 0\n");
  EXPECT_EQ(errors_of([&](v1::Network& n) {
              set_uniform(n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm(), 0.5, 1.5);
            }),
            "");
  // An unclipped normal reaches any value.
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* nd = n.mutable_populations(0)->mutable_if_curr_exp()->mutable_tau_m()->mutable_random()
                             ->mutable_normal();
              nd->set_mean(20);
              nd->set_sd(1);
            }),
            "populations[0].if_curr_exp.tau_m: must be > 0, but the distribution is unbounded below (set clip_low)\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* nd = n.mutable_populations(0)->mutable_if_curr_exp()->mutable_tau_m()->mutable_random()
                             ->mutable_normal();
              nd->set_mean(20);
              nd->set_sd(1);
              nd->set_clip_low(5);
            }),
            "");
  // uniform [-60, -50) for v_reset is below a v_thresh of -50: high is exclusive.
  EXPECT_EQ(errors_of([&](v1::Network& n) {
              set_uniform(n.mutable_populations(0)->mutable_if_curr_exp()->mutable_v_reset(), -60, -50);
            }),
            "");
  // The input gain bound by the worst pair of bounds.
  EXPECT_EQ(errors_of([&](v1::Network& n) {
              set_uniform(n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm(), 0.05, 1);
            }),
            "populations[0].if_curr_exp.cm: tau_m / cm must be < 256 MOhm (the fixed-point input gain) for every "
            "neuron, but the values' bounds allow up to 400 MOhm\n");
}

TEST(NetworkValidate, PopulationSizeIsBoundedBeforeAnythingElse) {
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_populations(0)->set_size(1'000'000'000); }),
            "populations[0].size: must be at most 4194304 (2^22), got 1000000000; split the population\n");
  // The largest population with per-neuron distributions validates without
  // expanding them: the peak memory of this process grows by far less than
  // one double per neuron and parameter (4M x 9 x 8 bytes = 300 MB).
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* pop = n.mutable_populations(0);
              pop->set_size(kMaxPopulationSize);
              auto* u = pop->mutable_if_curr_exp()->mutable_v_rest()->mutable_random()->mutable_uniform();
              u->set_low(-70);
              u->set_high(-60);
              pop->mutable_initial_values()->mutable_v()->mutable_random()->mutable_normal()->set_mean(-65);
            }),
            "");
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 32 * 1024) << "KB of peak memory grown while validating";
}

TEST(NetworkValidate, LabelsAreASafeSetOfCharacters) {
  auto label_error = [](const std::string& label) {
    return errors_of([&](v1::Network& n) {
      n.mutable_populations(0)->set_label(label);
      n.mutable_projections(0)->set_post(label);
      n.mutable_recordings(0)->set_population(label);
    });
  };
  using namespace std::string_literals;
  EXPECT_EQ(label_error("../victim.txt\0"s),
            "populations[0].label: character 3 ('/') is not allowed: labels use letters, digits, space and _ - . + > "
            "( ) [ ]\n");
  EXPECT_EQ(label_error("a,b"), "populations[0].label: character 2 (',') is not allowed: labels use letters, digits, "
                                "space and _ - . + > ( ) [ ]\n");
  EXPECT_EQ(label_error("a\nb"), "populations[0].label: character 2 (byte 0x0A) is not allowed: labels use letters, "
                                 "digits, space and _ - . + > ( ) [ ]\n");
  EXPECT_EQ(label_error(".hidden"), "populations[0].label: must not start with '.'\n");
  EXPECT_EQ(label_error("-rf"), "populations[0].label: must not start with '-'\n");
  EXPECT_EQ(label_error("trailing "), "populations[0].label: must not end with a space\n");
  EXPECT_EQ(label_error(std::string(65, 'x')), "populations[0].label: must be at most 64 characters, got 65\n");
  for (const char* ok : {"Population 0", "L23E", "exc_1", "a.b+c", "layer[2](exc)"}) EXPECT_EQ(label_error(ok), "") << ok;
  // Projections: optional, the same set when given ("L23E->L4E" is the usual form).
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).set_label("src->a"); }), "");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).set_label("src/a"); }),
            "projections[0].label: character 4 ('/') is not allowed: labels use letters, digits, space and _ - . + > ( "
            ") [ ]\n");
  // A reference to an unknown label is shown escaped.
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).set_pre("no\x1b[2Jpe"); }),
            "projections[0].pre: unknown population \"no\\x1b[2Jpe\"\n");
}

TEST(NetworkValidate, DelaysFitTheRingBuffer) {
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).mutable_delay()->set_constant(6.3); }), "");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).mutable_delay()->set_constant(6.4); }),
            "projections[0].delay: must be at most 63 timesteps (6.3 ms at 0.1 ms): a core's ring buffer holds 64 "
            "slots; got 6.4 ms\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).mutable_delay()->set_constant(1e300); }),
            "projections[0].delay: must be at most 63 timesteps (6.3 ms at 0.1 ms): a core's ring buffer holds 64 "
            "slots; got 1e+300 ms\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).mutable_delay()->set_constant(-1e300); }),
            "projections[0].delay: must round to >= 1 timestep of 0.1 ms (i.e. be >= 0.05 ms), got -1e+300\n");
  // Both bounds of a huge negative range are compared in doubles, never
  // converted to ticks (found by the network fuzz target).
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* u = proj0(n).mutable_delay()->mutable_random()->mutable_uniform();
              u->set_low(-1e300);
              u->set_high(-7.8e115);
            }),
            "projections[0].delay: must round to >= 1 timestep of 0.1 ms (i.e. be >= 0.05 ms), got -1e+300\n");
}

TEST(NetworkValidate, SamplingIntervalFitsTheTickCounter) {
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_recordings(0)->set_sampling_interval(1e300); }),
            "recordings[0].sampling_interval: must be at most 4294967295 timesteps, got 1e+300 ms\n");
}

TEST(NetworkValidate, RunLengthFitsTheTickCounter) {
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_run()->set_timestep_ms(1);
              n.mutable_run()->set_duration_ms(4294967295);
            }),
            "");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_run()->set_timestep_ms(1);
              n.mutable_run()->set_duration_ms(4294967297);
            }),
            "run.duration_ms: 4294967297 ms is 4294967297 ticks of 1 ms, more than the 4294967295 ticks a run can "
            "have\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_run()->set_duration_ms(1e300); }),
            "run.duration_ms: 1e+300 ms is 1e+301 ticks of 0.1 ms, more than the 4294967295 ticks a run can have\n");
}

TEST(NetworkValidate, ValuesTheCoreCannotHoldAreWarnings) {
  auto warnings_of = [](const std::function<void(v1::Network&)>& mutate) {
    auto net = base();
    mutate(net);
    EXPECT_EQ(format_errors(validate_network(net)), "");
    return format_errors(range_warnings(net));
  };
  EXPECT_EQ(warnings_of([](v1::Network&) {}), "");
  EXPECT_EQ(warnings_of([](v1::Network& n) { n.mutable_populations(0)->mutable_if_curr_exp()->mutable_v_rest()->set_constant(1e300); }),
            "populations[0].if_curr_exp.v_rest: 1e+300 is outside the core's fixed-point range [-65536, 65536) and is "
            "saturated to 65535.99996948242\n");
  EXPECT_EQ(warnings_of([](v1::Network& n) {
              auto* u = n.mutable_populations(1)->mutable_initial_values()->mutable_v()->mutable_random()->mutable_uniform();
              u->set_low(-1e6);
              u->set_high(0);
            }),
            "populations[1].initial_values.v: the distribution reaches -1000000, outside the core's fixed-point range "
            "[-65536, 65536); such values are saturated to -65536\n");
  // An unclipped normal's tails do not count beyond 10 sd.
  EXPECT_EQ(warnings_of([](v1::Network& n) {
              auto* nd = n.mutable_populations(0)->mutable_initial_values()->mutable_v()->mutable_random()->mutable_normal();
              nd->set_mean(-58);
              nd->set_sd(10);
            }),
            "");
  EXPECT_EQ(warnings_of([](v1::Network& n) { n.mutable_populations(0)->mutable_if_curr_exp()->mutable_tau_refrac()->set_constant(1e300); }),
            "populations[0].if_curr_exp.tau_refrac: 1e+300 ms is more than 2^31 timesteps; the core counts at most that "
            "many\n");
}

TEST(NetworkValidate, ParameterValues) {
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* l = n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm()->mutable_list();
              l->add_values(1);
              l->add_values(1);
              l->add_values(1);
            }),
            "populations[0].if_curr_exp.cm.list: has 3 values, must have 10 (one per neuron)\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm(); }),
            "populations[0].if_curr_exp.cm: must set one of constant, list or random\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm()->mutable_random();
            }),
            "populations[0].if_curr_exp.cm.random: must set a distribution (uniform or normal)\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* u = n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm()->mutable_random()
                            ->mutable_uniform();
              u->set_low(2);
              u->set_high(1);
            }),
            "populations[0].if_curr_exp.cm.random.uniform: low must be <= high, got low 2 > high 1\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* d = n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm()->mutable_random()
                            ->mutable_normal();
              d->set_mean(1);
              d->set_sd(-1);
            }),
            "populations[0].if_curr_exp.cm.random.normal.sd: must be >= 0, got -1\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* d = n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm()->mutable_random()
                            ->mutable_normal();
              d->set_mean(1);
              d->set_sd(0.1);
              d->set_clip_low(3);
              d->set_clip_high(2);
            }),
            "populations[0].if_curr_exp.cm.random.normal: clip_low must be <= clip_high, got 3 > 2\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* d = n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm()->mutable_random()
                            ->mutable_normal();
              d->set_mean(1);
              d->set_sd(0.1);
              d->set_clip_low(5);
            }),
            "populations[0].if_curr_exp.cm.random.normal: clip range [5, inf] holds 0 of the distribution; too "
            "little to redraw into (use clip_mode TO_BOUNDARY or widen it)\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(0)->mutable_if_curr_exp()->mutable_cm()->set_constant(std::nan(""));
            }),
            "populations[0].if_curr_exp.cm.constant: must be finite, got nan\n");
}

TEST(NetworkValidate, InitialValues) {
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(0)->mutable_initial_values()->mutable_u()->set_constant(1);
            }),
            "populations[0].initial_values.u: only izhikevich has u, this population is if_curr_exp\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(2)->mutable_initial_values()->mutable_v()->set_constant(1);
            }),
            "populations[2].initial_values: spike sources (spike_source_poisson) have no state variables\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_populations(3)->mutable_initial_values()->mutable_u()->mutable_list()->add_values(1);
            }),
            "populations[3].initial_values.u.list: has 1 values, must have 4 (one per neuron)\n");
}

TEST(NetworkValidate, SpikeSourceArray) {
  auto with_array = [](const char* text) {
    return errors_of([text](v1::Network& n) {
      auto* p = n.add_populations();
      *p = parse_network(text, NetworkFormat::kText, "x").populations(0);
    });
  };
  EXPECT_EQ(with_array(R"pb(populations { label: "s" size: 2 spike_source_array { shared { times: [1, 3, 2] } } })pb"),
            "populations[4].spike_source_array.shared.times[2]: spike times must be non-decreasing, got 2 after 3\n");
  EXPECT_EQ(with_array(R"pb(populations { label: "s" size: 2 spike_source_array { per_neuron { times: -1 } } })pb"),
            "populations[4].spike_source_array.per_neuron: has 1 spike trains, must have 2 (one per neuron)\n"
            "populations[4].spike_source_array.per_neuron[0].times[0]: must be a finite time >= 0 ms, got -1\n");
  EXPECT_EQ(with_array(R"pb(populations { label: "s" size: 1 spike_source_array { shared {} per_neuron {} } })pb"),
            "populations[4].spike_source_array: set either shared or per_neuron, not both\n");
}

TEST(NetworkValidate, ProjectionEndpoints) {
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).set_pre("nope"); }),
            "projections[0].pre: unknown population \"nope\"\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).set_post(""); }), "projections[0].post: must name a population\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).set_post("src"); }),
            "projections[0].post: population \"src\" is a spike source (spike_source_poisson) and cannot receive "
            "synapses\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).set_receptor(v1::RECEPTOR_UNSPECIFIED); }),
            "projections[0].receptor: must be EXCITATORY, INHIBITORY, REWARD, PUNISHMENT or DENDRITE_SEGMENT\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).clear_connector(); }),
            "projections[0].connector: must set a connector (all_to_all, one_to_one, fixed_probability, "
            "fixed_number_pre, fixed_number_post, from_list or low_rank)\n");
}

TEST(NetworkValidate, Connectors) {
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).mutable_connector()->mutable_fixed_probability()->set_p(1.5); }),
            "projections[0].connector.fixed_probability.p: must be in [0, 1], got 1.5\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).mutable_connector()->mutable_one_to_one(); }),
            "projections[0].connector.one_to_one: pre size 5 and post size 10 must be equal\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).mutable_connector()->mutable_fixed_number_pre()->set_n(6); }),
            "projections[0].connector.fixed_number_pre.n: must be <= 5 (pre population size) without replacement, "
            "got 6\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* c = proj0(n).mutable_connector()->mutable_fixed_number_pre();
              c->set_n(6);
              c->set_with_replacement(true);
            }),
            "");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              proj0(n).set_pre("a");
              auto* c = proj0(n).mutable_connector()->mutable_fixed_number_post();
              c->set_n(10);
              c->set_allow_self_connections(false);
            }),
            "projections[0].connector.fixed_number_post.n: must be <= 9 (post population size minus the excluded "
            "self connection) without replacement, got 10\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* c = proj0(n).mutable_connector()->mutable_from_list()->add_connections();
              c->set_pre(5);
              c->set_post(1);
            }),
            "projections[0].connector.from_list.connections[0].pre: index 5 out of range for population \"src\" of "
            "size 5\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              proj0(n).clear_weight();
              auto* c = proj0(n).mutable_connector()->mutable_from_list()->add_connections();
              c->set_post(10);
            }),
            "projections[0].connector.from_list.connections[0].post: index 10 out of range for population \"a\" of "
            "size 10\n"
            "projections[0].connector.from_list.connections[0].weight: must be set when the projection has no "
            "weight\n");
}

TEST(NetworkValidate, LowRank) {
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* lr = proj0(n).mutable_connector()->mutable_low_rank();
              lr->set_rank(2);
              for (int i = 0; i < 9; ++i) lr->add_u(1);
              for (int i = 0; i < 20; ++i) lr->add_v(1);
            }),
            "projections[0].connector.low_rank.u: must have n_pre x rank = 5 x 2 = 10 values, got 9\n"
            "projections[0].weight: must be unset for low_rank (the weights are U V^T)\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              proj0(n).clear_weight();
              auto* lr = proj0(n).mutable_connector()->mutable_low_rank();
              lr->set_rank(0);
            }),
            "projections[0].connector.low_rank.rank: must be > 0\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              proj0(n).clear_weight();
              auto* lr = proj0(n).mutable_connector()->mutable_low_rank();
              lr->set_rank(1);
              for (int i = 0; i < 5; ++i) lr->add_u(i == 2 ? -1.0 : 1.0);
              for (int i = 0; i < 10; ++i) lr->add_v(0.5);
            }),
            "projections[0].connector.low_rank: excitatory weights must be >= 0, got -0.5\n");
  // Below the threshold no synapse is made, so its sign does not matter.
  EXPECT_EQ(errors_of([](v1::Network& n) {
              proj0(n).clear_weight();
              auto* lr = proj0(n).mutable_connector()->mutable_low_rank();
              lr->set_rank(1);
              lr->set_threshold(0.6);
              for (int i = 0; i < 5; ++i) lr->add_u(i == 2 ? -1.0 : 2.0);
              for (int i = 0; i < 10; ++i) lr->add_v(0.5);
            }),
            "");
}

TEST(NetworkValidate, WeightSigns) {
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).mutable_weight()->set_constant(-0.1); }),
            "projections[0].weight: excitatory weights must be >= 0, got -0.1\n");
  // PyNN: inhibitory current weights may be negative, or positive.
  EXPECT_EQ(errors_of([](v1::Network& n) {
              proj0(n).set_receptor(v1::INHIBITORY);
              proj0(n).mutable_weight()->set_constant(-0.1);
            }),
            "");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).set_receptor(v1::INHIBITORY); }), "");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              proj0(n).set_receptor(v1::INHIBITORY);
              auto* u = proj0(n).mutable_weight()->mutable_random()->mutable_uniform();
              u->set_low(-1);
              u->set_high(1);
            }),
            "projections[0].weight: inhibitory weights must be all <= 0 or all >= 0, got values from -1 to 1\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              proj0(n).set_post("b");
              proj0(n).set_receptor(v1::INHIBITORY);
              proj0(n).mutable_weight()->set_constant(-0.1);
            }),
            "projections[0].weight: conductance weights (uS, onto if_cond_exp and if_cond_exp_adaptive) must be >= 0, got -0.1\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* d = proj0(n).mutable_weight()->mutable_random()->mutable_normal();
              d->set_mean(1);
              d->set_sd(0.1);
            }),
            "projections[0].weight: excitatory weights must be >= 0, but the distribution is unbounded below (set "
            "clip_low >= 0)\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).clear_weight(); }), "projections[0].weight: must be set\n");
}

TEST(NetworkValidate, WeightListsAndLengths) {
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).mutable_weight()->mutable_list()->add_values(1); }),
            "projections[0].weight.list: has 1 values, must have 50 (one per synapse in connector order)\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              proj0(n).mutable_connector()->mutable_fixed_probability()->set_p(0.5);
              proj0(n).mutable_weight()->mutable_list()->add_values(1);
            }),
            "projections[0].weight.list: needs a connector with a known number of synapses (all_to_all, "
            "one_to_one, fixed_number_pre, fixed_number_post, low_rank without threshold)\n");
}

TEST(NetworkValidate, Delays) {
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).mutable_delay()->set_constant(0.01); }),
            "projections[0].delay: must round to >= 1 timestep of 0.1 ms (i.e. be >= 0.05 ms), got 0.01\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).mutable_delay()->set_constant(0.05); }), "");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* u = proj0(n).mutable_delay()->mutable_random()->mutable_uniform();
              u->set_low(0);
              u->set_high(2);
            }),
            "projections[0].delay: must round to >= 1 timestep of 0.1 ms (i.e. be >= 0.05 ms), got 0\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              auto* d = proj0(n).mutable_delay()->mutable_random()->mutable_normal();
              d->set_mean(1);
              d->set_sd(0.1);
              d->set_clip_low(0.5);
            }),
            "projections[0].delay: delay distribution is unbounded above (set clip_high)\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              proj0(n).clear_weight();
              auto* c = proj0(n).mutable_connector()->mutable_from_list()->add_connections();
              c->set_weight(1);
              c->set_delay(-1);
            }),
            "projections[0].connector.from_list.connections[0].delay: must round to >= 1 timestep of 0.1 ms (i.e. "
            "be >= 0.05 ms), got -1\n");
}

TEST(NetworkValidate, Recordings) {
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_recordings(0)->set_population("zz"); }),
            "recordings[0].population: unknown population \"zz\"\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_recordings(0)->set_population("src"); }),
            "recordings[0].variables[1]: spike sources record only SPIKES, got V\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_recordings(0)->add_variables(v1::SPIKES); }),
            "recordings[0].variables[2]: SPIKES is listed twice\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_recordings(0)->clear_variables(); }),
            "recordings[0].variables: must name at least one variable\n");
  EXPECT_EQ(errors_of([](v1::Network& n) {
              n.mutable_recordings(0)->add_neurons(3);
              n.mutable_recordings(0)->add_neurons(10);
              n.mutable_recordings(0)->add_neurons(3);
            }),
            "recordings[0].neurons[1]: index 10 out of range for population \"a\" of size 10\n"
            "recordings[0].neurons[2]: neuron 3 is listed twice\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_recordings(0)->set_sampling_interval(0.25); }),
            "recordings[0].sampling_interval: must be a whole number of timesteps of 0.1 ms, got 0.25\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_recordings(0)->set_sampling_interval(0.3); }), "");
}

TEST(NetworkValidate, ReportsEveryErrorAtOnce) {
  auto net = base();
  net.mutable_run()->set_timestep_ms(-1);
  net.mutable_populations(1)->set_size(0);
  net.mutable_projections(0)->mutable_connector()->mutable_fixed_probability()->set_p(1.5);
  net.mutable_recordings(0)->set_population("nope");
  const auto errors = validate_network(net);
  ASSERT_EQ(errors.size(), 4u) << format_errors(errors);
  EXPECT_EQ(errors[0], (ValidationError{"run.timestep_ms", "must be > 0, got -1"}));
  EXPECT_EQ(errors[1], (ValidationError{"populations[1].size", "must be > 0"}));
  EXPECT_EQ(errors[2], (ValidationError{"projections[0].connector.fixed_probability.p", "must be in [0, 1], got 1.5"}));
  EXPECT_EQ(errors[3], (ValidationError{"recordings[0].population", "unknown population \"nope\""}));
}

// A projection's synapse type comes from the synapse-type registry
// (synapses/synapse_type.h): unset and static_synapse are static; a
// synapse_dynamics without a rule is refused with the known rules.
TEST(NetworkValidate, SynapseDynamics) {
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_projections(0)->mutable_synapse_dynamics()->mutable_static_synapse(); }),
            "");
  EXPECT_EQ(errors_of([](v1::Network& n) { n.mutable_projections(0)->mutable_synapse_dynamics(); }),
            "projections[0].synapse_dynamics: must set a rule this build knows (static_synapse, stdp)\n");
}

// STDP (StdpMechanism, synapses/stdp_params.h): each rule with its exact
// path. Projection 0 is src -> a (if_curr_exp), excitatory, weight 0.1.
namespace {

v1::StdpMechanism& stdp0(v1::Network& n) { return *proj0(n).mutable_synapse_dynamics()->mutable_stdp(); }

// A valid mechanism: PyNN's defaults (additive, w in [0, 1]).
void with_stdp(v1::Network& n) {
  stdp0(n).mutable_timing_dependence();
  stdp0(n).mutable_additive();
}

std::string stdp_errors(const std::function<void(v1::Network&)>& mutate) {
  return errors_of([&](v1::Network& n) {
    with_stdp(n);
    mutate(n);
  });
}

const std::string kStdp = "projections[0].synapse_dynamics.stdp";

}  // namespace

TEST(NetworkValidate, StdpValidWithDefaultsAndBothWeightDependences) {
  EXPECT_EQ(stdp_errors([](v1::Network&) {}), "");
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              auto& s = stdp0(n);
              s.mutable_timing_dependence()->set_tau_plus(16.8);
              s.mutable_timing_dependence()->set_tau_minus(33.7);
              s.mutable_timing_dependence()->set_a_plus(0);
              s.mutable_timing_dependence()->set_nearest(true);
              s.mutable_multiplicative()->set_w_min(0.05);
              s.mutable_multiplicative()->set_w_max(0.1);
              s.set_dendritic_delay_fraction(1.0);
              s.set_amplitude_units(v1::StdpMechanism::RELATIVE_TO_W_MAX);
            }),
            "");
}

TEST(NetworkValidate, StdpRequiresBothRules) {
  EXPECT_EQ(errors_of([](v1::Network& n) { stdp0(n).mutable_additive(); }),
            kStdp + ".timing_dependence: must be set (spike-pair timing; an empty timing_dependence {} takes PyNN's "
                    "SpikePairRule defaults)\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { stdp0(n).mutable_timing_dependence(); }),
            kStdp + ": must set a weight dependence (additive or multiplicative)\n");
}

TEST(NetworkValidate, StdpTimingRules) {
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).mutable_timing_dependence()->set_tau_plus(0); }),
            kStdp + ".timing_dependence.tau_plus: must be a finite time > 0 ms, got 0\n");
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).mutable_timing_dependence()->set_tau_minus(-5); }),
            kStdp + ".timing_dependence.tau_minus: must be a finite time > 0 ms, got -5\n");
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).mutable_timing_dependence()->set_tau_minus(INFINITY); }),
            kStdp + ".timing_dependence.tau_minus: must be a finite time > 0 ms, got inf\n");
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).mutable_timing_dependence()->set_a_plus(-0.01); }),
            kStdp + ".timing_dependence.A_plus: must be >= 0 (a magnitude; A_plus is the potentiation/depression "
                    "side), got -0.01\n");
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).mutable_timing_dependence()->set_a_minus(-1); }),
            kStdp + ".timing_dependence.A_minus: must be >= 0 (a magnitude; A_minus is the potentiation/depression "
                    "side), got -1\n");
}

TEST(NetworkValidate, StdpMechanismRules) {
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).set_dendritic_delay_fraction(0.5); }),
            kStdp + ".dendritic_delay_fraction: only 1.0 is supported (the whole delay is dendritic, as in "
                    "sPyNNaker), got 0.5\n");
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).set_amplitude_units(static_cast<v1::StdpMechanism::AmplitudeUnits>(7)); }),
            kStdp + ".amplitude_units: must be ABSOLUTE or RELATIVE_TO_W_MAX, got 7\n");
}

TEST(NetworkValidate, StdpWeightBounds) {
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              stdp0(n).mutable_additive()->set_w_min(0.5);
              stdp0(n).mutable_additive()->set_w_max(0.2);
            }),
            kStdp + ".additive.w_max: must be >= w_min (0.5), got 0.2\n");
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).mutable_multiplicative()->set_w_min(-0.1); }),
            kStdp + ".multiplicative.w_min: must be a finite weight >= 0 (the cores hold weight magnitudes: give "
                    "inhibitory bounds as magnitudes), got -0.1\n");
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).mutable_additive()->set_w_max(NAN); }),
            kStdp + ".additive.w_max: must be finite, got nan\n");
  // The default w_min 0 against an explicit w_max below it.
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).mutable_additive()->set_w_max(-1); }),
            kStdp + ".additive.w_max: must be >= w_min (0), got -1\n");
}

TEST(NetworkValidate, StdpInitialWeightsWithinBounds) {
  // A constant above w_max.
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).mutable_additive()->set_w_max(0.05); }),
            "projections[0].weight: an STDP projection's initial weights must lie in [w_min, w_max] = [0, 0.05], "
            "got 0.1\n");
  // Below w_min.
  EXPECT_EQ(stdp_errors([](v1::Network& n) { stdp0(n).mutable_additive()->set_w_min(0.2); }),
            "projections[0].weight: an STDP projection's initial weights must lie in [w_min, w_max] = [0.2, 1], "
            "got 0.1\n");
  // A list: its range.
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              auto* l = proj0(n).mutable_weight()->mutable_list();
              for (int k = 0; k < 50; ++k) l->add_values(k == 7 ? 1.5 : 0.1);
            }),
            "projections[0].weight: an STDP projection's initial weights must lie in [w_min, w_max] = [0, 1], "
            "got 0.1 to 1.5\n");
  // Uniform: its bounds.
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              auto* u = proj0(n).mutable_weight()->mutable_random()->mutable_uniform();
              u->set_low(0.5);
              u->set_high(2);
            }),
            "projections[0].weight: an STDP projection's initial weights must lie in [w_min, w_max] = [0, 1], "
            "got 0.5 to 2 (the distribution's bounds; clip it within [w_min, w_max])\n");
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              auto* u = proj0(n).mutable_weight()->mutable_random()->mutable_uniform();
              u->set_low(0.5);
              u->set_high(1);
            }),
            "");
  // An unclipped normal: clip bounds are asked for.
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              auto* d = proj0(n).mutable_weight()->mutable_random()->mutable_normal();
              d->set_mean(0.5);
              d->set_sd(0.1);
              d->set_clip_low(0);
            }),
            "projections[0].weight: an STDP projection's initial weights must lie in [w_min, w_max] = [0, 1], but "
            "the distribution is unbounded; clip it (clip_low and clip_high within [0, 1])\n");
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              auto* d = proj0(n).mutable_weight()->mutable_random()->mutable_normal();
              d->set_mean(0.5);
              d->set_sd(0.1);
              d->set_clip_low(0);
              d->set_clip_high(1);
            }),
            "");
  // Negative inhibitory weights (PyNN's convention) count by magnitude.
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              proj0(n).set_receptor(v1::INHIBITORY);
              proj0(n).mutable_weight()->set_constant(-0.3);
            }),
            "");
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              proj0(n).set_receptor(v1::INHIBITORY);
              proj0(n).mutable_weight()->set_constant(-0.3);
              stdp0(n).mutable_additive()->set_w_max(0.2);
            }),
            "projections[0].weight: an STDP projection's initial weights (magnitudes) must lie in [w_min, w_max] = "
            "[0, 0.2], got 0.3\n");
  // A sign problem is the sign rules' alone.
  EXPECT_EQ(stdp_errors([](v1::Network& n) { proj0(n).mutable_weight()->set_constant(-0.3); }),
            "projections[0].weight: excitatory weights must be >= 0, got -0.3\n");
  // from_list: each entry's own weight.
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              proj0(n).clear_weight();
              auto* fl = proj0(n).mutable_connector()->mutable_from_list();
              auto* c0 = fl->add_connections();
              c0->set_pre(0), c0->set_post(1), c0->set_weight(0.5);
              auto* c1 = fl->add_connections();
              c1->set_pre(1), c1->set_post(2), c1->set_weight(3);
            }),
            "projections[0].connector.from_list.connections[1].weight: an STDP projection's initial weights must "
            "lie in [w_min, w_max] = [0, 1], got 3\n");
}

TEST(NetworkValidate, StdpConnectorsAndTargets) {
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              proj0(n).clear_weight();
              auto* lr = proj0(n).mutable_connector()->mutable_low_rank();
              lr->set_rank(1);
              for (int k = 0; k < 5; ++k) lr->add_u(0.1);
              for (int k = 0; k < 10; ++k) lr->add_v(0.1);
            }),
            "projections[0].connector.low_rank: cannot carry plastic synapses: its weights U V^T are not known "
            "without expanding every pair, so they cannot be checked against [w_min, w_max] (give the synapses "
            "with from_list)\n");
  // Post must be a neuron population: STDP needs its spikes.
  EXPECT_EQ(stdp_errors([](v1::Network& n) { proj0(n).set_post("src"); }),
            "projections[0].post: population \"src\" is a spike source (spike_source_poisson) and cannot receive "
            "synapses (and STDP needs the post neurons' spikes)\n");
  // Every neuron type can: conductance targets in uS.
  EXPECT_EQ(stdp_errors([](v1::Network& n) {
              proj0(n).set_post("b");
              proj0(n).mutable_weight()->set_constant(0.004);
              stdp0(n).mutable_additive()->set_w_max(0.01);
            }),
            "");
}

// Neuromodulated STDP (StdpMechanism.neuromodulation) and its dopamine
// projections (receptor REWARD / PUNISHMENT). Projection 0 is the
// neuromodulated src -> a; projection 1 a reward projection src -> a.
namespace {

void with_neuromodulation(v1::Network& n) {
  with_stdp(n);
  stdp0(n).mutable_neuromodulation();
  auto* r = n.add_projections();
  r->set_pre("src");
  r->set_post("a");
  r->set_receptor(v1::REWARD);
  r->mutable_connector()->mutable_all_to_all();
  r->mutable_weight()->set_constant(0.5);
}

std::string neuromodulation_errors(const std::function<void(v1::Network&)>& mutate) {
  return errors_of([&](v1::Network& n) {
    with_neuromodulation(n);
    mutate(n);
  });
}

v1::Projection& proj1(v1::Network& n) { return *n.mutable_projections(1); }

}  // namespace

TEST(NetworkValidate, NeuromodulatedStdpValid) {
  EXPECT_EQ(neuromodulation_errors([](v1::Network&) {}), "");
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) {
              stdp0(n).mutable_neuromodulation()->set_tau_c(500);
              stdp0(n).mutable_neuromodulation()->set_tau_d(20);
              proj1(n).set_receptor(v1::PUNISHMENT);
              proj1(n).mutable_synapse_dynamics()->mutable_static_synapse();
              proj1(n).mutable_weight()->set_constant(0);
            }),
            "");
  // Without any dopamine projection: valid (the weights then never change).
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { n.mutable_projections()->RemoveLast(); }), "");
}

TEST(NetworkValidate, NeuromodulationRules) {
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { stdp0(n).mutable_multiplicative(); }),
            kStdp + ".multiplicative: neuromodulation needs the additive weight dependence (the weight follows c d, "
                    "clamped to [w_min, w_max])\n");
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { stdp0(n).mutable_neuromodulation()->set_tau_c(0); }),
            kStdp + ".neuromodulation.tau_c: must be a finite time > 0 ms, got 0\n");
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { stdp0(n).mutable_neuromodulation()->set_tau_d(-200); }),
            kStdp + ".neuromodulation.tau_d: must be a finite time > 0 ms, got -200\n");
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { stdp0(n).mutable_neuromodulation()->set_tau_c(NAN); }),
            kStdp + ".neuromodulation.tau_c: must be a finite time > 0 ms, got nan\n");
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { stdp0(n).mutable_neuromodulation()->set_tau_d(INFINITY); }),
            kStdp + ".neuromodulation.tau_d: must be a finite time > 0 ms, got inf\n");
  // tau_c tau_d / (tau_c + tau_d): 100000 ms does not fit u16.16 ms.
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) {
              stdp0(n).mutable_neuromodulation()->set_tau_c(200000);
              stdp0(n).mutable_neuromodulation()->set_tau_d(200000);
            }),
            kStdp + ".neuromodulation: tau_c tau_d / (tau_c + tau_d) must be at least 2^-17 ms and below 65536 ms "
                    "(the cores hold it in u16.16 ms), got 100000 ms\n");
  // One long decay is fine while the combination fits.
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { stdp0(n).mutable_neuromodulation()->set_tau_c(1e9); }), "");
}

const std::string kUnboundedLevel =
    "projections[1].weight: a REWARD projection's weight is the dopamine concentration a spike adds, which must be "
    "below 256 (the cores' dopamine level), got inf (the distribution's upper bound; clip it below the limit)\n";

TEST(NetworkValidate, DopamineProjections) {
  // Dopamine synapses are static.
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) {
              proj1(n).mutable_synapse_dynamics()->mutable_stdp()->mutable_timing_dependence();
              proj1(n).mutable_synapse_dynamics()->mutable_stdp()->mutable_additive();
            }),
            "projections[1].synapse_dynamics: a REWARD projection carries dopamine: its synapses must be static "
            "(unset or static_synapse), got stdp\n");
  // Onto a population without neuromodulated STDP: nothing to act on.
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { proj1(n).set_post("izh"); }),
            "projections[1].receptor: REWARD needs a neuromodulated STDP projection (stdp with neuromodulation) "
            "onto \"izh\": dopamine changes only those synapses\n");
  EXPECT_EQ(errors_of([](v1::Network& n) { proj0(n).set_receptor(v1::PUNISHMENT); }),
            "projections[0].receptor: PUNISHMENT needs a neuromodulated STDP projection (stdp with "
            "neuromodulation) onto \"a\": dopamine changes only those synapses\n");
  // Plain STDP onto it is not enough.
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { stdp0(n).clear_neuromodulation(); }),
            "projections[1].receptor: REWARD needs a neuromodulated STDP projection (stdp with neuromodulation) "
            "onto \"a\": dopamine changes only those synapses\n");
  // Concentrations are >= 0, wherever the weight is given.
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { proj1(n).mutable_weight()->set_constant(-0.5); }),
            "projections[1].weight: reward weights (dopamine concentrations) must be >= 0, got -0.5\n");
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) {
              proj1(n).set_receptor(v1::PUNISHMENT);
              auto* u = proj1(n).mutable_weight()->mutable_random()->mutable_uniform();
              u->set_low(-1);
              u->set_high(1);
            }),
            "projections[1].weight: punishment weights (dopamine concentrations) must be >= 0, got -1\n");
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) {
              proj1(n).clear_weight();
              auto* c = proj1(n).mutable_connector()->mutable_from_list()->add_connections();
              c->set_pre(0), c->set_post(1), c->set_weight(-2);
            }),
            "projections[1].connector.from_list.connections[0].weight: reward weights (dopamine concentrations) "
            "must be >= 0, got -2\n");
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) {
              auto* d = proj1(n).mutable_weight()->mutable_random()->mutable_normal();
              d->set_mean(1);
              d->set_sd(0.1);
            }),
            kUnboundedLevel +
                "projections[1].weight: reward weights (dopamine concentrations) must be >= 0, but the distribution "
                "is unbounded below (set clip_low >= 0)\n");
  // Concentrations are below the cores' dopamine level limit (256): one
  // spike at or above it would saturate the level.
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { proj1(n).mutable_weight()->set_constant(255.5); }), "");
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) { proj1(n).mutable_weight()->set_constant(256); }),
            "projections[1].weight: a REWARD projection's weight is the dopamine concentration a spike adds, which "
            "must be below 256 (the cores' dopamine level), got 256\n");
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) {
              proj1(n).set_receptor(v1::PUNISHMENT);
              auto* u = proj1(n).mutable_weight()->mutable_random()->mutable_uniform();
              u->set_low(0);
              u->set_high(300);
            }),
            "projections[1].weight: a PUNISHMENT projection's weight is the dopamine concentration a spike adds, "
            "which must be below 256 (the cores' dopamine level), got 300 (the distribution's upper bound; clip it "
            "below the limit)\n");
  EXPECT_EQ(neuromodulation_errors([](v1::Network& n) {
              proj1(n).clear_weight();
              auto* c = proj1(n).mutable_connector()->mutable_from_list()->add_connections();
              c->set_pre(0), c->set_post(1), c->set_weight(1);
              c = proj1(n).mutable_connector()->mutable_from_list()->add_connections();
              c->set_pre(1), c->set_post(1), c->set_weight(1000);
            }),
            "projections[1].connector.from_list.connections[1].weight: a REWARD projection's weight is the dopamine "
            "concentration a spike adds, which must be below 256 (the cores' dopamine level), got 1000\n");
}

// A core runs one plastic rule: neuromodulated and plain STDP onto one
// population are refused at the later projection.
TEST(NetworkValidate, NeuromodulatedAndPlainStdpOntoOnePopulation) {
  const auto add_plain = [](v1::Network& n, bool neuromodulated) {
    v1::Projection* q = n.add_projections();
    *q = n.projections(0);
    if (!neuromodulated) q->mutable_synapse_dynamics()->mutable_stdp()->clear_neuromodulation();
  };
  EXPECT_EQ(neuromodulation_errors([&](v1::Network& n) { add_plain(n, false); }),
            "projections[2].synapse_dynamics.stdp: population \"a\" receives neuromodulated STDP from "
            "projections[0] and plain STDP here; its cores run one plastic rule (make both neuromodulated or "
            "neither)\n");
  EXPECT_EQ(neuromodulation_errors([&](v1::Network& n) {
              add_plain(n, false);
              n.mutable_projections()->SwapElements(0, 2);
            }),
            "projections[2].synapse_dynamics.stdp.neuromodulation: population \"a\" receives plain STDP from "
            "projections[0] and neuromodulated STDP here; its cores run one plastic rule (make both "
            "neuromodulated or neither)\n");
  // Two neuromodulated projections onto it, or plain STDP onto another population: fine.
  EXPECT_EQ(neuromodulation_errors([&](v1::Network& n) { add_plain(n, true); }), "");
  EXPECT_EQ(neuromodulation_errors([&](v1::Network& n) {
              add_plain(n, false);
              n.mutable_projections(2)->set_post("izh");
            }),
            "");
}

// Active dendrite segments: the population's shape, the segment
// projections and their recording.
namespace {

std::string segment_errors(const std::function<void(v1::Network&)>& mutate) {
  auto net = base();
  auto& pop = *net.add_populations();
  pop.set_label("seg");
  pop.set_size(8);
  auto& cell = *pop.mutable_if_curr_exp_segments();
  cell.mutable_n_segments()->set_constant(3);
  cell.mutable_segment_threshold()->set_constant(2);
  cell.mutable_coincidence_window()->set_constant(0.2);
  cell.mutable_plateau_duration()->set_constant(5);
  auto& proj = *net.add_projections();
  proj.set_pre("src");
  proj.set_post("seg");
  proj.set_receptor(v1::DENDRITE_SEGMENT);
  proj.set_segment(2);
  proj.mutable_connector()->mutable_fixed_number_pre()->set_n(3);
  proj.mutable_weight()->set_constant(1);
  auto& rec = *net.add_recordings();
  rec.set_population("seg");
  rec.add_variables(v1::SEGMENT_SPIKES);
  mutate(net);
  return format_errors(validate_network(net));
}

v1::IfCurrExpSegments& seg_cell(v1::Network& n) { return *n.mutable_populations(4)->mutable_if_curr_exp_segments(); }
v1::Projection& seg_proj(v1::Network& n) { return *n.mutable_projections(1); }

}  // namespace

TEST(NetworkValidate, DendriteSegmentsBaseIsValid) { EXPECT_EQ(segment_errors([](v1::Network&) {}), ""); }

TEST(NetworkValidate, DendriteSegmentShape) {
  EXPECT_EQ(segment_errors([](v1::Network& n) { seg_cell(n).mutable_n_segments()->set_constant(9); }),
            "populations[4].if_curr_exp_segments.n_segments: must be a whole number from 1 to 8 segments, got 9\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) {
              seg_cell(n).mutable_n_segments()->mutable_random()->mutable_uniform()->set_high(2);
            }),
            "populations[4].if_curr_exp_segments.n_segments: must be a constant: it is the population's (its cores' "
            "synapse types and windows)\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) { seg_cell(n).mutable_segment_threshold()->set_constant(1.5); }),
            "populations[4].if_curr_exp_segments.segment_threshold: must be a whole number from 1 to 65535 synapses, got 1.5\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) { seg_cell(n).mutable_coincidence_window()->set_constant(0.5); }),
            "populations[4].if_curr_exp_segments.coincidence_window: must be a whole number of timesteps (0.1 ms) from 0 "
            "to 4, got 0.5 ms\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) { seg_cell(n).mutable_plateau_duration()->set_constant(0.25); }),
            "populations[4].if_curr_exp_segments.plateau_duration: must be a whole number of timesteps (0.1 ms) from 0 to "
            "65535, got 0.25 ms\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) { seg_cell(n).mutable_v_thresh_drop()->set_constant(-1); }),
            "populations[4].if_curr_exp_segments.v_thresh_drop: must be >= 0, got -1\n");
}

TEST(NetworkValidate, DendriteSegmentProjections) {
  EXPECT_EQ(segment_errors([](v1::Network& n) { seg_proj(n).set_segment(3); }), "projections[1].segment: must be below the post population's n_segments (3), got 3\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) { seg_proj(n).clear_segment(); }), "projections[1].segment: must name the segment the synapses end on (0..2)\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) { seg_proj(n).set_post("a"); }), "projections[1].receptor: DENDRITE_SEGMENT needs a post population with dendrite segments "
            "(if_curr_exp_segments), \"a\" is if_curr_exp\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) { proj0(n).set_segment(0); }), "projections[0].segment: only DENDRITE_SEGMENT projections end on a segment, this one is EXCITATORY\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) { seg_proj(n).mutable_weight()->set_constant(0.5); }), "projections[1].weight: a DENDRITE_SEGMENT weight counts active synapses: a whole number 0..255, got 0.5\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) { seg_proj(n).mutable_weight()->set_constant(256); }), "projections[1].weight: a DENDRITE_SEGMENT weight counts active synapses: a whole number 0..255, got 256\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) {
              seg_proj(n).mutable_weight()->mutable_random()->mutable_uniform()->set_high(2);
            }),
            "projections[1].weight: a DENDRITE_SEGMENT weight counts active synapses: give a whole number (or a list of "
            "them), not a distribution\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) {
              auto* l = seg_proj(n).mutable_weight()->mutable_list();
              for (double w : {1.0, 2.0, -1.0}) l->add_values(w);
            }),
            "projections[1].weight.list.values[2]: a DENDRITE_SEGMENT weight counts active synapses: a whole number "
            "0..255, got -1\nprojections[1].weight.list: has 3 values, must have 24 (one per synapse in connector "
            "order)\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) {
              seg_proj(n).mutable_synapse_dynamics()->mutable_stdp()->mutable_timing_dependence();
            }),
            "projections[1].synapse_dynamics: DENDRITE_SEGMENT synapses are static (unset or static_synapse), got "
            "stdp\nprojections[1].synapse_dynamics.stdp: must set a weight dependence (additive or multiplicative)\n");
  EXPECT_EQ(segment_errors([](v1::Network& n) {
              auto& r = *n.add_recordings();
              r.set_population("a");
              r.add_variables(v1::SEGMENT_SPIKES);
            }),
            "recordings[2].variables[0]: only populations with dendrite segments (if_curr_exp_segments) record "
            "SEGMENT_SPIKES, \"a\" has none\n");
}
