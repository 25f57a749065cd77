// Pair STDP on the host (synapses/stdp_params.h, synapses/stdp_mechanism.cpp):
// the registry's descriptor against the format, PyNN's defaults, and the
// conversion to the kernel's integers against closed forms: amplitudes and
// bounds in 16-bit weight units (both amplitude conventions), table entries
// against exp(-t / tau) within 2^-12.
#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include <cmath>
#include <set>
#include <string>

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
                                          "dendritic_delay_fraction"}));
  for (const cells::Parameter& q : t->parameters) {
    const bool in_format = v1::SpikePairRule::descriptor()->FindFieldByName(std::string(q.name)) ||
                           v1::AdditiveWeightDependence::descriptor()->FindFieldByName(std::string(q.name)) ||
                           v1::StdpMechanism::descriptor()->FindFieldByName(std::string(q.name));
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
  // The descriptor's defaults are the same numbers.
  for (const cells::Parameter& q : stdp_mechanism_type.parameters) {
    const double want = q.name == "tau_plus" ? v.tau_plus : q.name == "tau_minus" ? v.tau_minus
                      : q.name == "A_plus"   ? v.a_plus   : q.name == "A_minus"   ? v.a_minus
                      : q.name == "w_min"    ? v.w_min    : q.name == "w_max"     ? v.w_max
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

TEST(StdpKernelParams, RefusesWhatItCannotConvert) {
  const v1::StdpMechanism m = parse("timing_dependence {} additive {}");
  EXPECT_THROW(stdp_kernel_params(m, 0, 1), std::invalid_argument);
  EXPECT_THROW(stdp_kernel_params(m, 0.1, 0), std::invalid_argument);
  EXPECT_THROW(stdp_kernel_params(parse("timing_dependence { tau_plus: 0 } additive {}"), 0.1, 1),
               std::invalid_argument);
}

}  // namespace
}  // namespace spindle::host::synapses
