// Runs the firmware counting image (bench/firmware_counts/counts_main.cpp)
// under QEMU with -icount shift=0 and checks what it reports: the run ends
// well, two runs print the same counts, the counts are non-zero and grow
// linearly with packets, synapses per row and neurons, and the derived
// per-event figures agree with the raw counts. No bounds on the figures
// themselves beyond plausibility: docs/performance.md reports them.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "counts_config.h"

namespace {

struct QemuRun {
  int status = -1;
  std::string output;
  std::map<std::string, double> values;  // "process row=16 packets=32" -> instructions, "per_neuron_update" -> x
};

QemuRun run_image() {
  const std::string cmd = std::string("timeout 120 '") + SPINDLE_QEMU + "' -M " + SPINDLE_COUNTS_MACHINE +
                          " -display none -monitor none -serial stdio -semihosting-config enable=on,target=native"
                          " -icount shift=0 -kernel '" + SPINDLE_COUNTS_ELF + "' </dev/null";
  QemuRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

  std::istringstream lines(r.output);
  std::string line;
  while (std::getline(lines, line)) {
    const auto at = line.find(" instructions=");
    if (at != std::string::npos) {
      const auto end = line.find(' ', at + 1);
      r.values[line.substr(0, at)] = std::stod(line.substr(at + 14, end == std::string::npos ? end : end - at - 14));
      if (end != std::string::npos) r.values[line.substr(0, at) + line.substr(end)] = 1;  // e.g. " spikes=0"
      continue;
    }
    const auto sp = line.find(' ');
    if (sp != std::string::npos && line.rfind("per_", 0) == 0) r.values[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
    if (sp != std::string::npos && line.rfind("counter_overhead", 0) == 0) r.values["counter_overhead"] = std::stod(line.substr(sp + 1));
  }
  return r;
}

class FirmwareCounts : public ::testing::Test {
 protected:
  static bool have_qemu() { return std::string(SPINDLE_QEMU).find("NOTFOUND") == std::string::npos; }
  static void SetUpTestSuite() { run_ = new QemuRun(have_qemu() ? run_image() : QemuRun{}); }
  void SetUp() override {
    if (!have_qemu()) GTEST_SKIP() << "qemu-system-arm not found (Debian package qemu-system-arm)";
  }
  static void TearDownTestSuite() { delete run_; }
  static double at(const std::string& key) {
    const auto it = run_->values.find(key);
    EXPECT_NE(it, run_->values.end()) << "no '" << key << "' in:\n" << run_->output;
    return it == run_->values.end() ? 0 : it->second;
  }
  static QemuRun* run_;
};
QemuRun* FirmwareCounts::run_ = nullptr;

using spindle::bench::kCountsNeuronsLarge;
using spindle::bench::kCountsNeuronsSmall;
using spindle::bench::kCountsRowLong;
using spindle::bench::kCountsRowShort;

TEST_F(FirmwareCounts, RunsToTheEnd) {
  EXPECT_EQ(run_->status, 0) << run_->output;
  EXPECT_NE(run_->output.find("\nend 0\n"), std::string::npos) << run_->output;
  const double overhead = at("counter_overhead");
  EXPECT_GT(overhead, 0);
  EXPECT_LT(overhead, 20);
}

TEST_F(FirmwareCounts, SameCountsEveryRun) {
  const QemuRun again = run_image();
  EXPECT_EQ(again.output, run_->output);
}

TEST_F(FirmwareCounts, PacketCostIsLinearInPackets) {
  for (uint32_t row : {kCountsRowShort, kCountsRowLong}) {
    const std::string r = "process row=" + std::to_string(row);
    const double few = at(r + " packets=32"), many = at(r + " packets=64");
    EXPECT_GT(few, 0);
    // Doubling the packets doubles the count, up to the call's fixed cost.
    EXPECT_NEAR(many, 2 * few, 0.01 * many) << r;
  }
  EXPECT_GT(at("receive packets=64"), 0);
}

TEST_F(FirmwareCounts, SynapseCostIsLinearInRowLength) {
  const double short_rows = at("process row=16 packets=64"), long_rows = at("process row=64 packets=64");
  const double per_synapse = (long_rows - short_rows) / (64.0 * (kCountsRowLong - kCountsRowShort));
  EXPECT_GT(per_synapse, 3);    // a load, an add and a store at the least
  EXPECT_LT(per_synapse, 100);
  EXPECT_NEAR(at("per_synaptic_event"), per_synapse, 0.006);
  // The short rows cost their synapses plus a per-packet part that is positive.
  EXPECT_GT(short_rows - 64.0 * kCountsRowShort * per_synapse, 0);
}

TEST_F(FirmwareCounts, NeuronCostIsLinearInNeurons) {
  EXPECT_EQ(at("tick neurons=256 spikes=0"), 1);
  EXPECT_EQ(at("tick neurons=64 spikes=0"), 1);
  const double large = at("tick neurons=256"), small = at("tick neurons=64");
  const double per_neuron = (large - small) / (kCountsNeuronsLarge - kCountsNeuronsSmall);
  EXPECT_GT(per_neuron, 10);
  EXPECT_LT(per_neuron, 2000);
  EXPECT_NEAR(at("per_neuron_update"), per_neuron, 0.006);
  // The fixed part of a tick is small next to 64 neurons' updates.
  EXPECT_GT(small - kCountsNeuronsSmall * per_neuron, 0);
  EXPECT_LT(small - kCountsNeuronsSmall * per_neuron, 0.5 * small);
}

TEST_F(FirmwareCounts, PoissonCostPerSourceTickAndPerSpike) {
  using spindle::bench::kCountsPoissonRateHz;
  using spindle::bench::kCountsPoissonSources;
  using spindle::bench::kCountsPoissonTicks;
  EXPECT_EQ(at("poisson rate_hz=0 spikes=0"), 1);
  const double silent = at("poisson rate_hz=0"), busy = at("poisson rate_hz=" + std::to_string(kCountsPoissonRateHz));
  const double source_ticks = double{kCountsPoissonSources} * kCountsPoissonTicks;
  // A source that is not due costs a compare and a branch, not a draw.
  EXPECT_GT(silent / source_ticks, 2);
  EXPECT_LT(silent / source_ticks, 20);
  EXPECT_NEAR(at("per_poisson_source_tick"), silent / source_ticks, 0.006);
  EXPECT_GT(busy, silent);
  EXPECT_GT(at("per_poisson_spike"), 20);    // a draw, -ln(u), a send and a record
  EXPECT_LT(at("per_poisson_spike"), 1000);
}

// The plastic rows (pair STDP): for each rule and post-spike case, the
// per-synapse figure is the raw counts' difference over the extra synapses,
// the short rows cost more than their synapses (the row's header and set-up),
// and a post spike in the window costs more than none (potentiation on top).
TEST_F(FirmwareCounts, PlasticCostIsLinearInRowLength) {
  using spindle::bench::kCountsPlasticRows;
  const double extra = double{kCountsPlasticRows} * (kCountsRowLong - kCountsRowShort);
  const std::pair<const char*, const char*> rules[] = {
      {"additive_all_to_all", ""},
      {"multiplicative_all_to_all", "_multiplicative"},
      {"additive_nearest_pair", "_nearest_pair"},
      {"neuromodulated_all_to_all", "_neuromodulated"}};
  for (const auto& [rule, suffix] : rules) {
    double per_synapse[2];
    for (uint32_t post = 0; post < 2; ++post) {
      const std::string r = std::string("plastic rule=") + rule + " post=" + std::to_string(post) + " row=";
      const std::string rows = " rows=" + std::to_string(kCountsPlasticRows);
      const double short_rows = at(r + std::to_string(kCountsRowShort) + rows);
      const double long_rows = at(r + std::to_string(kCountsRowLong) + rows);
      per_synapse[post] = (long_rows - short_rows) / extra;
      SCOPED_TRACE(r);
      EXPECT_GT(per_synapse[post], 10);  // a weight load, a look-up, a product, a store, a ring add at the least
      EXPECT_LT(per_synapse[post], 1000);
      EXPECT_NEAR(at("per_plastic_synapse_" + std::to_string(post) + "_post" + suffix), per_synapse[post], 0.006);
      EXPECT_GT(short_rows - double{kCountsPlasticRows} * kCountsRowShort * per_synapse[post], 0);
    }
    EXPECT_GT(per_synapse[1], per_synapse[0]) << rule;
  }
  // The per-row figure (additive all-to-all): the short rows less their synapses, per row.
  for (uint32_t post = 0; post < 2; ++post) {
    const std::string r = "plastic rule=additive_all_to_all post=" + std::to_string(post) + " row=";
    const std::string rows = " rows=" + std::to_string(kCountsPlasticRows);
    const double short_rows = at(r + std::to_string(kCountsRowShort) + rows);
    const double per_synapse = (at(r + std::to_string(kCountsRowLong) + rows) - short_rows) / extra;
    const double per_row = (short_rows - double{kCountsPlasticRows} * kCountsRowShort * per_synapse) / kCountsPlasticRows;
    EXPECT_NEAR(at("per_plastic_row_" + std::to_string(post) + "_post"), per_row, 0.006) << r;
  }
}

}  // namespace

// Active dendrite segments: the per-segment figure is the two counts'
// difference per neuron and segment; the one-segment neuron's, its count
// per neuron; both plausible.
TEST_F(FirmwareCounts, SegmentCostIsPerSegment) {
  using spindle::bench::kCountsSegmentNeurons;
  const std::string n = " neurons=" + std::to_string(kCountsSegmentNeurons);
  const double one = at("segments n=1" + n), all = at("segments n=8" + n);
  const double per_segment = (all - one) / (double{kCountsSegmentNeurons} * 7);
  EXPECT_GT(per_segment, 10);  // a column read and clear, a shift, the window's adds and a compare at the least
  EXPECT_LT(per_segment, 500);
  EXPECT_NEAR(at("per_segment_update"), per_segment, 0.006);
  EXPECT_NEAR(at("per_segment_neuron_update"), one / kCountsSegmentNeurons, 0.006);
  EXPECT_GT(one / kCountsSegmentNeurons, per_segment);  // the soma's step besides its segment
}
