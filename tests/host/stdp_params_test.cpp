// Pair STDP on the host (synapses/stdp_params.h, synapses/stdp_mechanism.cpp):
// the registry's descriptor against the format, PyNN's defaults, and the
// conversion to the kernel's integers against closed forms: amplitudes and
// bounds in 16-bit weight units (both amplitude conventions), table entries
// against exp(-t / tau) within 2^-12; for dopamine-modulated STDP the decay
// tables against exp(-2^b / tau) within 2^-32, the integral scale against
// tau_c tau_d / (tau_c + tau_d), and region 10's header.
#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include <cmath>
#include <set>
#include <string>

#include "synapse/plasticity/dopamine_history.h"
#include "synapse/plasticity/plastic_row.h"
#include "synapse/plasticity/stdp_lut_builder.h"
#include "synapses/stdp_params.h"
#include "synapses/synapse_type.h"

namespace spindle::host::synapses {
namespace {

namespace v1 = spindle::v1;
namespace pb = google::protobuf;

v1::StdpMechanism parse(const char* text) {
  v1::StdpMechanism m;
  EXPECT_TRUE(pb::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

TEST(SynapseRegistry, EveryRuleOfTheFormatHasADescriptor) {
  const pb::OneofDescriptor* oneof = v1::SynapseDynamics::descriptor()->FindOneofByName("rule");
  ASSERT_NE(oneof, nullptr);
  for (int f = 0; f < oneof->field_count(); ++f) {
    const pb::FieldDescriptor* field = oneof->field(f);
    const SynapseType* t = find_synapse_type(static_cast<v1::SynapseDynamics::RuleCase>(field->number()));
    ASSERT_NE(t, nullptr) << field->name();
    EXPECT_EQ(t->name, field->name());
  }
  EXPECT_EQ(synapse_types().size(), static_cast<size_t>(oneof->field_count()));
}

TEST(SynapseRegistry, StdpDescriptor) {
  const SynapseType* t = find_synapse_type(v1::SynapseDynamics::kStdp);
  ASSERT_EQ(t, &stdp_mechanism_type);
  EXPECT_EQ(t->name, "stdp");
  EXPECT_EQ(t->pynn_name, "STDPMechanism");
  EXPECT_TRUE(t->plastic);
  EXPECT_FALSE(static_synapse_type.plastic);
  // 103 M4 instructions (one post spike in the window) at 5/3 cycles each.
  EXPECT_EQ(t->cycles_per_event, 172u);
  EXPECT_GT(t->cycles_per_event, static_synapse_type.cycles_per_event);
  v1::Projection p;
  p.mutable_synapse_dynamics()->mutable_stdp();
  EXPECT_EQ(synapse_type_of(p), t);
  // Parameters: PyNN's names and defaults, each a field of the format.
  std::set<std::string> names;
  for (const cells::Parameter& q : t->parameters) names.insert(std::string(q.name));
  EXPECT_EQ(names, (std::set<std::string>{"tau_plus", "tau_minus", "A_plus", "A_minus", "w_min", "w_max",
                                          "dendritic_delay_fraction", "tau_c", "tau_d"}));
  for (const cells::Parameter& q : t->parameters) {
    const bool in_format = v1::SpikePairRule::descriptor()->FindFieldByName(std::string(q.name)) ||
                           v1::AdditiveWeightDependence::descriptor()->FindFieldByName(std::string(q.name)) ||
                           v1::StdpMechanism::descriptor()->FindFieldByName(std::string(q.name)) ||
                           v1::Neuromodulation::descriptor()->FindFieldByName(std::string(q.name));
    EXPECT_TRUE(in_format) << q.name;
  }
}

TEST(StdpValues, UnsetFieldsArePyNNsDefaults) {
  const StdpValues v = stdp_values(v1::StdpMechanism{});
  EXPECT_EQ(v.tau_plus, 20.0);
  EXPECT_EQ(v.tau_minus, 20.0);
  EXPECT_EQ(v.a_plus, 0.01);
  EXPECT_EQ(v.a_minus, 0.01);
  EXPECT_EQ(v.w_min, 0.0);
  EXPECT_EQ(v.w_max, 1.0);
  EXPECT_EQ(v.dendritic_delay_fraction, 1.0);
  EXPECT_FALSE(v.nearest);
  EXPECT_FALSE(v.multiplicative);
  EXPECT_FALSE(v.relative_to_w_max);
  EXPECT_FALSE(v.neuromodulated);
  EXPECT_EQ(v.tau_c, 1000.0);  // sPyNNaker's Neuromodulation
  EXPECT_EQ(v.tau_d, 200.0);
  // The descriptor's defaults are the same numbers.
  for (const cells::Parameter& q : stdp_mechanism_type.parameters) {
    const double want = q.name == "tau_plus" ? v.tau_plus : q.name == "tau_minus" ? v.tau_minus
                      : q.name == "A_plus"   ? v.a_plus   : q.name == "A_minus"   ? v.a_minus
                      : q.name == "w_min"    ? v.w_min    : q.name == "w_max"     ? v.w_max
                      : q.name == "tau_c"    ? v.tau_c    : q.name == "tau_d"     ? v.tau_d
                                             : v.dendritic_delay_fraction;
    EXPECT_EQ(q.default_value, want) << q.name;
  }
  // Set fields win, an explicit 0 included (proto3 optional).
  const StdpValues s = stdp_values(parse(R"pb(
    timing_dependence { tau_plus: 10 A_plus: 0 nearest: true }
    multiplicative { w_min: 0.1 w_max: 0.4 }
    amplitude_units: RELATIVE_TO_W_MAX)pb"));
  EXPECT_EQ(s.tau_plus, 10.0);
  EXPECT_EQ(s.tau_minus, 20.0);
  EXPECT_EQ(s.a_plus, 0.0);
  EXPECT_TRUE(s.nearest);
  EXPECT_TRUE(s.multiplicative);
  EXPECT_EQ(s.w_min, 0.1);
  EXPECT_EQ(s.w_max, 0.4);
  EXPECT_TRUE(s.relative_to_w_max);
  EXPECT_DOUBLE_EQ(s.absolute_a_minus(), 0.01 * 0.4);
  EXPECT_FALSE(s.neuromodulated);
  // An empty neuromodulation: neuromodulated, sPyNNaker's defaults.
  const StdpValues n = stdp_values(parse("timing_dependence {} additive {} neuromodulation {}"));
  EXPECT_TRUE(n.neuromodulated);
  EXPECT_EQ(n.tau_c, 1000.0);
  EXPECT_EQ(n.tau_d, 200.0);
  const StdpValues t = stdp_values(parse("timing_dependence {} additive {} neuromodulation { tau_c: 500 tau_d: 0 }"));
  EXPECT_EQ(t.tau_c, 500.0);
  EXPECT_EQ(t.tau_d, 0.0);
}

// The dopamine-modulated variant: the same rule of the format (and so not a
// registry entry of its own), rows with two more words per synapse, and a
// dearer event.
TEST(SynapseRegistry, NeuromodulatedStdpDescriptor) {
  v1::Projection p;
  p.mutable_synapse_dynamics()->mutable_stdp()->mutable_neuromodulation();
  EXPECT_TRUE(is_neuromodulated(p));
  const SynapseType* t = synapse_type_of(p);
  ASSERT_EQ(t, &neuromodulated_stdp_type);
  EXPECT_EQ(find_synapse_type(v1::SynapseDynamics::kStdp), &stdp_mechanism_type);
  EXPECT_EQ(t->proto_case, v1::SynapseDynamics::kStdp);
  EXPECT_EQ(t->name, "stdp");  // the field in the network file
  EXPECT_TRUE(t->plastic);
  EXPECT_EQ(t->row_header_words, stdp_mechanism_type.row_header_words);
  EXPECT_EQ(stdp_mechanism_type.words_per_synapse, 1u);
  EXPECT_EQ(static_synapse_type.words_per_synapse, 1u);
  EXPECT_EQ(t->words_per_synapse, 3u);  // + eligibility trace and weight state
  for (uint32_t count : {1u, 2u, 7u, 16u})
    EXPECT_EQ(fw::stdp::neuromodulated_row_words(count) - fw::stdp::plastic_row_words(count),
              (t->words_per_synapse - stdp_mechanism_type.words_per_synapse) * count);
  EXPECT_EQ(t->cycles_per_event, 1344u);  // the one-post-spike, one-dopamine-event count (docs/performance.md) x 5/3
  EXPECT_EQ(t->parameters.data(), stdp_mechanism_type.parameters.data());
  // Plain STDP and static synapses are not neuromodulated.
  p.mutable_synapse_dynamics()->mutable_stdp()->clear_neuromodulation();
  EXPECT_FALSE(is_neuromodulated(p));
  EXPECT_EQ(synapse_type_of(p), &stdp_mechanism_type);
  p.clear_synapse_dynamics();
  EXPECT_FALSE(is_neuromodulated(p));
}

// Each entry of a table against exp(-t / tau) for the tick it stands for.
void expect_lut_matches(const fw::stdp::ExpLut& lut, double tau_ticks) {
  EXPECT_EQ(lut.time_shift, fw::stdp::choose_time_shift(tau_ticks));
  EXPECT_EQ(lut.values[0], fw::stdp::kTraceOne);
  for (uint32_t i = 0; i < fw::stdp::kStdpLutSize; ++i) {
    const double t = double(uint64_t{i} << lut.time_shift);
    EXPECT_LE(std::fabs(lut.values[i] / 2048.0 - std::exp(-t / tau_ticks)), std::ldexp(1.0, -12)) << i;
  }
  // The table reaches the window's end: its last entry is 0.
  EXPECT_EQ(lut.values[fw::stdp::kStdpLutSize - 1], 0u);
}

TEST(StdpKernelParams, TablesInTicks) {
  const v1::StdpMechanism m = parse("timing_dependence { tau_plus: 16.8 tau_minus: 33.7 } additive {}");
  for (double dt : {0.1, 1.0}) {
    const StdpKernelParams k = stdp_kernel_params(m, dt, 32768);
    expect_lut_matches(k.plus, 16.8 / dt);
    expect_lut_matches(k.minus, 33.7 / dt);
    EXPECT_LE(k.max_lut_error, std::ldexp(1.0, -12));
  }
  // 20 ms at 0.1 ms: 200 ticks, a window of 200 ln 4096 = 1664 ticks needs
  // 256 entries of 8 ticks (shift 3).
  EXPECT_EQ(stdp_kernel_params(parse("timing_dependence {} additive {}"), 0.1, 1).plus.time_shift, 3u);
}

TEST(StdpKernelParams, AmplitudesAndBoundsInWeightUnits) {
  // Scale 2^15 units per nA (what weight_scales gives a range of 1 nA).
  const double scale = 32768;
  const StdpKernelParams a = stdp_kernel_params(parse(R"pb(
    timing_dependence { A_plus: 0.01 A_minus: 0.012 nearest: true }
    additive { w_min: 0.1 w_max: 0.9 })pb"), 0.1, scale);
  EXPECT_EQ(a.a_plus, 328);    // round(327.68)
  EXPECT_EQ(a.a_minus, 393);   // round(393.216)
  EXPECT_EQ(a.w_min, 3277);    // round(3276.8)
  EXPECT_EQ(a.w_max, 29491);   // round(29491.2)
  EXPECT_TRUE(a.nearest);
  EXPECT_FALSE(a.multiplicative);
  EXPECT_DOUBLE_EQ(a.a_plus_error.value, 0.01);
  EXPECT_DOUBLE_EQ(a.a_plus_error.quantized, 328 / scale);
  EXPECT_NEAR(a.a_plus_error.abs_error(), 0.32 / scale, 1e-12);
  EXPECT_LE(a.w_max_error.abs_error(), 0.5 / scale);
  EXPECT_FALSE(a.w_max_error.clamped);

  // RELATIVE_TO_W_MAX (PyNN's NEST backend): A x w_max first.
  const StdpKernelParams r = stdp_kernel_params(parse(R"pb(
    timing_dependence { A_plus: 0.01 A_minus: 0.012 }
    multiplicative { w_max: 0.5 }
    amplitude_units: RELATIVE_TO_W_MAX)pb"), 0.1, scale);
  EXPECT_EQ(r.a_plus, 164);   // round(0.005 x 32768 = 163.84)
  EXPECT_EQ(r.a_minus, 197);  // round(0.006 x 32768 = 196.608)
  EXPECT_EQ(r.w_min, 0);
  EXPECT_EQ(r.w_max, 16384);
  EXPECT_TRUE(r.multiplicative);
  EXPECT_DOUBLE_EQ(r.a_plus_error.value, 0.005);

  // Beyond 16 bits: clamped and flagged (the weight range must cover w_max).
  QuantizationReport report;
  const StdpKernelParams c = stdp_kernel_params(parse("timing_dependence {} additive { w_max: 3 }"), 0.1, scale, &report);
  EXPECT_EQ(c.w_max, 65535);
  EXPECT_TRUE(c.w_max_error.clamped);
  EXPECT_TRUE(report.any_clamped());
  EXPECT_EQ(report.entries.size(), 6u);  // two tables, w_min, w_max, A_plus, A_minus
}

// A decay table against exp(-2^b / tau): entry b rounds 2^31 exp(-2^b / tau).
void expect_decay_table(const std::array<uint32_t, fw::image::kDecayTableEntries>& powers, double tau_ticks) {
  for (uint32_t b = 0; b < powers.size(); ++b)
    EXPECT_LE(std::fabs(powers[b] - std::ldexp(std::exp(-std::ldexp(1.0, int(b)) / tau_ticks), 31)), 0.5 + 1e-6)
        << "b " << b << " tau " << tau_ticks;
  // A decay over any number of ticks, as the kernel takes it (the product
  // of the entries of its set bits), within 2^-26 of the exponential.
  for (uint32_t dt : {1u, 2u, 7u, 100u, 1000u, 12345u, 65535u, 1000000u})
    EXPECT_LE(std::fabs(fw::stdp::decay_over(powers.data(), dt) / double(fw::stdp::kDecayOne) - std::exp(-double(dt) / tau_ticks)),
              std::ldexp(1.0, -26))
        << "dt " << dt << " tau " << tau_ticks;
}

TEST(StdpKernelParams, NeuromodulationDecayTablesInTicks) {
  const v1::StdpMechanism m = parse("timing_dependence {} additive {} neuromodulation { tau_c: 1000 tau_d: 200 }");
  for (double dt : {0.1, 1.0}) {
    const StdpKernelParams k = stdp_kernel_params(m, dt, 32768);
    ASSERT_TRUE(k.neuromodulation);
    expect_decay_table(k.neuromodulation->c_decay, 1000 / dt);
    expect_decay_table(k.neuromodulation->d_decay, 200 / dt);
    EXPECT_LE(k.neuromodulation->max_decay_error, std::ldexp(1.0, -32) + 1e-15);
    EXPECT_EQ(k.neuromodulation->c_decay[31], 0u);  // 2^31 ticks: nothing is left
  }
  // A plain rule has none.
  EXPECT_FALSE(stdp_kernel_params(parse("timing_dependence {} additive {}"), 0.1, 1).neuromodulation);
}

TEST(StdpKernelParams, NeuromodulationIntegralScaleAndCMax) {
  QuantizationReport report;
  const StdpKernelParams k = stdp_kernel_params(
      parse("timing_dependence {} additive { w_max: 0.5 } neuromodulation {}"), 0.1, 32768, &report);
  ASSERT_TRUE(k.neuromodulation);
  // tau = 1000 x 200 / 1200 = 166.67 ms, u16.16: round(166.67 x 65536).
  EXPECT_EQ(k.neuromodulation->integral_scale, 10922667u);
  EXPECT_LE(std::fabs(k.neuromodulation->integral_scale / 65536.0 - 1000.0 * 200 / 1200), 0.5 / 65536);
  // |c| is bounded by w_max, in the same weight units.
  EXPECT_EQ(k.w_max, 16384);
  EXPECT_EQ(k.neuromodulation->c_max, k.w_max);
  // The plain rule's six entries, then both decays and the integral scale.
  ASSERT_EQ(report.entries.size(), 9u);
  EXPECT_NEAR(report.entries[6].value, std::exp(-0.1 / 1000), 1e-15);
  EXPECT_NEAR(report.entries[6].quantized, std::exp(-0.1 / 1000), std::ldexp(1.0, -32));
  EXPECT_NEAR(report.entries[7].value, std::exp(-0.1 / 200), 1e-15);
  EXPECT_DOUBLE_EQ(report.entries[8].value, 1000.0 * 200 / 1200);
  EXPECT_DOUBLE_EQ(report.entries[8].quantized, 10922667 / 65536.0);
  EXPECT_FALSE(report.any_clamped());
  // The scale does not depend on the timestep (dw/dt = c d / 1 ms).
  EXPECT_EQ(stdp_kernel_params(parse("timing_dependence {} additive {} neuromodulation {}"), 1.0, 1)
                .neuromodulation->integral_scale,
            10922667u);
}

TEST(StdpKernelParams, NeuromodulationRegionHeader) {
  const StdpKernelParams k = stdp_kernel_params(
      parse("timing_dependence {} additive { w_max: 0.25 } neuromodulation { tau_c: 500 tau_d: 50 }"), 1.0, 32768);
  const fw::image::NeuromodulationRegionHeader h = neuromodulation_region(k, 2, 3);
  EXPECT_EQ(h.reward_type, 2u);
  EXPECT_EQ(h.punishment_type, 3u);
  EXPECT_EQ(h.c_max, 8192u);
  EXPECT_EQ(h.integral_scale, fw::stdp::integral_scale(500, 50));
  EXPECT_EQ(h.history_size, fw::stdp::kDopamineHistorySize);
  for (uint32_t b = 0; b < fw::image::kDecayTableEntries; ++b) {
    EXPECT_EQ(h.c_decay[b], k.neuromodulation->c_decay[b]) << b;
    EXPECT_EQ(h.d_decay[b], k.neuromodulation->d_decay[b]) << b;
    EXPECT_LE(h.c_decay[b], fw::stdp::kDecayOne);
  }
  EXPECT_THROW(neuromodulation_region(stdp_kernel_params(parse("timing_dependence {} additive {}"), 1.0, 1), 2, 3),
               std::invalid_argument);
}

TEST(StdpKernelParams, RefusesWhatItCannotConvert) {
  const v1::StdpMechanism m = parse("timing_dependence {} additive {}");
  EXPECT_THROW(stdp_kernel_params(m, 0, 1), std::invalid_argument);
  EXPECT_THROW(stdp_kernel_params(m, 0.1, 0), std::invalid_argument);
  EXPECT_THROW(stdp_kernel_params(parse("timing_dependence { tau_plus: 0 } additive {}"), 0.1, 1),
               std::invalid_argument);
  EXPECT_THROW(stdp_kernel_params(parse("timing_dependence {} additive {} neuromodulation { tau_c: 0 }"), 0.1, 1),
               std::invalid_argument);
  // tau_c tau_d / (tau_c + tau_d) = 100000 ms: beyond the u16.16 integral scale.
  EXPECT_THROW(stdp_kernel_params(parse("timing_dependence {} additive {} "
                                        "neuromodulation { tau_c: 200000 tau_d: 200000 }"),
                                  0.1, 1),
               std::invalid_argument);
}

}  // namespace
}  // namespace spindle::host::synapses
