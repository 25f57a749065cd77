// The host side of the adaptive threshold with homeostasis
// (firmware/neuron/parts/threshold_adaptive.h; docs/models.md): its PyNN-style
// parameters and state variables, their rules and their conversion, shared
// by the types that add it to a base type (if_curr_exp_adaptive,
// if_cond_exp_adaptive): fields = the base's parameters, these, the base's
// state variables, these.
#pragma once

#include <array>

#include "cells/cell_type.h"

namespace spindle::host {

struct AdaptiveThresholdParams {
  double tau_theta = 100.0;   // ms
  double theta_plus = 0.0;    // mV
  double eta_h = 0.0;         // mV
  double target_rate = 0.0;   // Hz
  double theta_init = 0.0;    // mV, initial value of theta
  double theta_h_init = 0.0;  // mV, initial value of theta_h
};

// target_rate in Hz, dt and tau_theta in ms.
fw::ThresholdAdaptive::Params adaptive_threshold(const AdaptiveThresholdParams& p, double dt, QuantizationReport* r);
// theta, and v_thresh + theta_h: the state keeps the sum (v_thresh is
// reported by the base type's conversion, not again here).
fw::ThresholdAdaptive::State adaptive_threshold_state(const AdaptiveThresholdParams& p, double v_thresh,
                                                      QuantizationReport* r);

// A type's blocks: the base type's (its to_fixed and initial_state, found
// by argument-dependent overloads of the base parameter struct B) with the
// adaptive threshold in place of the static one.
template <class Model, class B, class P>
typename Model::Params adaptive_to_fixed(const P& p, double dt, QuantizationReport* r) {
  const auto base = to_fixed(static_cast<const B&>(p), dt, r);
  typename Model::Params f{};
  f.synapse = base.synapse;
  f.input = base.input;
  f.membrane = base.membrane;
  f.threshold = adaptive_threshold(p, dt, r);
  return f;
}
template <class Model, class B, class P>
typename Model::State adaptive_initial_state(const P& p, QuantizationReport* r) {
  const auto base = initial_state(static_cast<const B&>(p), r);
  typename Model::State s{};
  s.synapse = base.synapse;
  s.membrane = base.membrane;
  s.threshold = adaptive_threshold_state(p, p.v_thresh, r);
  return s;
}

namespace cells {

inline constexpr std::array<ParameterRule, 4> kAdaptiveThresholdRules = {{
    {Rule::kPositive, "tau_theta"},
    {Rule::kNonNegative, "theta_plus"},
    {Rule::kNonNegative, "eta_h"},
    {Rule::kNonNegative, "target_rate"},
}};

// The fields of P (derived from a base type's parameter struct B and from
// AdaptiveThresholdParams), given the base's parameter and state fields.
template <class P, class B, size_t NP, size_t NS>
constexpr auto adaptive_fields(const std::array<Field<B>, NP>& base_parameters,
                               const std::array<Field<B>, NS>& base_states) {
  constexpr std::array<Field<P>, 4> parameters = {{
      Field<P>{"tau_theta", "ms", &P::tau_theta},
      Field<P>{"theta_plus", "mV", &P::theta_plus},
      Field<P>{"eta_h", "mV", &P::eta_h},
      Field<P>{"target_rate", "Hz", &P::target_rate},
  }};
  constexpr std::array<Field<P>, 2> states = {{
      Field<P>{"theta", "mV", &P::theta_init, true},
      Field<P>{"theta_h", "mV", &P::theta_h_init, true},
  }};
  return join(join(join(fields_of_derived<P>(base_parameters), parameters), fields_of_derived<P>(base_states)),
              states);
}

}  // namespace cells
}  // namespace spindle::host
