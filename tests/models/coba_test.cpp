// Vogels-Abbott COBA (examples/networks/coba.textproto, PyNN's benchmark
// parameters, IF_cond_exp, dt 0.1 ms) through the whole host path (load,
// validate, map, core images, native engine) against the same network
// simulated by Brian2 (tests/reference/coba_brian2.py ->
// data/coba_brian2.json, 5 seeds). Spindle runs as long as the reference
// did (the file's duration_ms).
//
// The network is chaotic, so no spike can be compared; population
// statistics can, measured after the 50 ms Poisson kick (its rates are
// driven, not the network's). Spindle runs 3 seeds (different connectivity,
// initial v and kick trains, as Brian2's seeds are). Tolerances come from
// Brian2's own seed-to-seed standard deviation sd of each statistic: the
// standard error of a difference of means is sd x sqrt(1/5 + 1/3), and the
// test allows 3 of those, i.e. Spindle's mean must agree with Brian2's as
// well as two groups of Brian2 runs with different seeds do. A small floor
// covers the case of a near-zero sd from 5 samples:
//   mean rates     + 0.1 Hz
//   CV of the per-neuron excitatory rates (the width of the distribution,
//   about 1.3; most neurons fire a little, a few a lot)  + 0.02
//   median per-neuron excitatory rate + one spike in the window (the rates
//   are whole spike counts over 0.95 s: steps of 1.05 Hz).
// Under AddressSanitizer (SPINDLE_COBA_ONE_SEED) a single seed runs, to keep
// the sanitizer suite short; the bounds then use sqrt(1/5 + 1/1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "network/load.h"
#include "network_spike_counts.h"

namespace spindle::host {
namespace {

constexpr uint32_t kExc = 3200;
constexpr double kDtMs = 0.1;

struct Stats {
  double exc_mean = 0, inh_mean = 0, exc_median = 0, exc_cv = 0;
};

// Rates (Hz) over [kick_ms, duration_ms), per neuron of exc then inh.
Stats run_spindle(uint64_t seed, double duration_ms, double kick_ms) {
  v1::Network net = network::load_network(std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/coba.textproto");
  net.mutable_run()->set_seed(seed);
  net.mutable_run()->set_duration_ms(duration_ms);
  EXPECT_EQ(net.run().timestep_ms(), kDtMs);
  // Populations 0 and 1 are exc and inh; 2 is the kick's Poisson sources.
  auto counts = network_spike_counts(net, static_cast<uint32_t>(std::lround(kick_ms / kDtMs)));
  const double window_s = (duration_ms - kick_ms) / 1000.0;
  for (auto& pop : counts)
    for (double& n : pop) n /= window_s;

  Stats r;
  std::vector<double> exc = counts[0];
  r.exc_mean = mean(exc);
  r.inh_mean = mean(counts[1]);
  double ss = 0;
  for (double x : exc) ss += (x - r.exc_mean) * (x - r.exc_mean);
  r.exc_cv = std::sqrt(ss / kExc) / r.exc_mean;  // population sd, as numpy's std()
  // numpy's default quantile (linear) of an even count: mean of the middle two.
  std::sort(exc.begin(), exc.end());
  r.exc_median = (exc[kExc / 2 - 1] + exc[kExc / 2]) / 2;
  return r;
}

TEST(Coba, PopulationRatesAgreeWithBrian2) {
  std::ifstream in(std::string(SPINDLE_REFERENCE_DIR) + "/coba_brian2.json");
  ASSERT_TRUE(in) << "missing tests/reference/data/coba_brian2.json";
  const nlohmann::json ref = nlohmann::json::parse(in);
  ASSERT_EQ(ref["dt_ms"].get<double>(), kDtMs);
  const double duration_ms = ref["duration_ms"], kick_ms = ref["kick_ms"];
  std::vector<double> b_exc, b_inh, b_median, b_cv;
  for (const auto& run : ref["runs"]) {
    b_exc.push_back(run["exc_mean_after_kick_hz"]);
    b_inh.push_back(run["inh_mean_after_kick_hz"]);
    b_median.push_back(run["exc_rate_quantiles_after_kick_hz"][2]);
    b_cv.push_back(run["exc_rate_cv_after_kick"]);
  }
  ASSERT_EQ(b_exc.size(), 5u);

#ifdef SPINDLE_COBA_ONE_SEED
  const std::vector<uint64_t> seeds = {20070102u};
#else
  const std::vector<uint64_t> seeds = {20070102u, 1u, 2u};
#endif
  std::vector<double> s_exc, s_inh, s_median, s_cv;
  for (uint64_t seed : seeds) {
    const Stats r = run_spindle(seed, duration_ms, kick_ms);
    std::printf("seed %llu: exc %.2f Hz, inh %.2f Hz, median exc %.2f Hz, CV exc %.3f\n",
                static_cast<unsigned long long>(seed), r.exc_mean, r.inh_mean, r.exc_median, r.exc_cv);
    s_exc.push_back(r.exc_mean);
    s_inh.push_back(r.inh_mean);
    s_median.push_back(r.exc_median);
    s_cv.push_back(r.exc_cv);
  }
  const double k = std::sqrt(1.0 / static_cast<double>(b_exc.size()) + 1.0 / static_cast<double>(s_exc.size()));
  const double one_spike_hz = 1000.0 / (duration_ms - kick_ms);
  EXPECT_NEAR(mean(s_exc), mean(b_exc), 3 * sd(b_exc) * k + 0.1) << "exc mean rate (Hz), Brian2 sd " << sd(b_exc);
  EXPECT_NEAR(mean(s_inh), mean(b_inh), 3 * sd(b_inh) * k + 0.1) << "inh mean rate (Hz), Brian2 sd " << sd(b_inh);
  EXPECT_NEAR(mean(s_cv), mean(b_cv), 3 * sd(b_cv) * k + 0.02) << "CV of exc rates, Brian2 sd " << sd(b_cv);
  EXPECT_NEAR(mean(s_median), mean(b_median), 3 * sd(b_median) * k + one_spike_hz)
      << "median exc rate (Hz), Brian2 sd " << sd(b_median);
  // The activity must outlive the kick: a silent network would also have
  // no spread to compare.
  EXPECT_GT(mean(s_exc), 5.0);
}

// COBA has a Poisson kick, whose core's random stream follows the kick
// population's seed and slice, not where its slice falls among all of them:
// with time_scale_factor 1 the excitatory and inhibitory populations take
// three times the cores (so the kick's slice moves), and every neuron still
// fires at the same ticks (weights are scaled per population).
TEST(Coba, SpikesDoNotDependOnTheTimeScaleFactor) {
  v1::Network net = network::load_network(std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/coba.textproto");
  net.mutable_run()->set_duration_ms(300);
  const NetworkSpikeTrains by_default = network_spike_trains(net);
  net.mutable_run()->set_time_scale_factor(1);
  const NetworkSpikeTrains real_time = network_spike_trains(net);
  EXPECT_LT(2 * by_default.slices, real_time.slices);
  size_t spikes = 0;
  for (const auto& n : by_default.ticks[0]) spikes += n.size();
  EXPECT_GT(spikes, 3200u);  // the kick started the network
  EXPECT_TRUE(by_default.ticks == real_time.ticks);
}

}  // namespace
}  // namespace spindle::host
