// PyNN IF_curr_exp: leaky integrate-and-fire, exponential current synapses.
// Its PyNN parameters (the struct's initialisers are the defaults the
// network format uses), their conversion to the core's fixed-point blocks,
// and its descriptor in the cell-type registry (cells/cell_type.h).
#pragma once

#include "cells/cell_type.h"

namespace spindle::host {

struct IfCurrExpParams {
  double cm = 1.0, tau_m = 20.0, tau_refrac = 0.1, tau_syn_E = 5.0, tau_syn_I = 5.0;
  double v_rest = -65.0, v_reset = -65.0, v_thresh = -50.0, i_offset = 0.0;
  double v_init = -65.0;  // initial value of v (the network format starts it at v_rest)
};

fw::IfCurrExp::Params to_fixed(const IfCurrExpParams& p, double dt, QuantizationReport* r = nullptr);
fw::IfCurrExp::State initial_state(const IfCurrExpParams& p, QuantizationReport* r = nullptr);
// A slice of n identical neurons.
NeuronBlock uniform_block(const IfCurrExpParams& p, uint32_t n, double dt, QuantizationReport* r = nullptr);

namespace cells {
extern const CellType if_curr_exp_type;

// Its parameters, state variables and rules, for the types that extend it
// (if_curr_exp_adaptive.h).
inline constexpr std::array<Field<IfCurrExpParams>, 9> kIfCurrExpParameterFields = {{
    Field<IfCurrExpParams>{"cm", "nF", &IfCurrExpParams::cm},
    Field<IfCurrExpParams>{"tau_m", "ms", &IfCurrExpParams::tau_m},
    Field<IfCurrExpParams>{"tau_refrac", "ms", &IfCurrExpParams::tau_refrac},
    Field<IfCurrExpParams>{"tau_syn_E", "ms", &IfCurrExpParams::tau_syn_E},
    Field<IfCurrExpParams>{"tau_syn_I", "ms", &IfCurrExpParams::tau_syn_I},
    Field<IfCurrExpParams>{"v_rest", "mV", &IfCurrExpParams::v_rest},
    Field<IfCurrExpParams>{"v_reset", "mV", &IfCurrExpParams::v_reset},
    Field<IfCurrExpParams>{"v_thresh", "mV", &IfCurrExpParams::v_thresh},
    Field<IfCurrExpParams>{"i_offset", "nA", &IfCurrExpParams::i_offset},
}};
inline constexpr std::array<Field<IfCurrExpParams>, 1> kIfCurrExpStateFields = {{
    Field<IfCurrExpParams>{"v", "mV", &IfCurrExpParams::v_init, true, "v_rest"},
}};
inline constexpr std::array<ParameterRule, 7> kIfCurrExpRules = {{
    {Rule::kPositive, "cm"},
    {Rule::kPositive, "tau_m"},
    {Rule::kPositive, "tau_syn_E"},
    {Rule::kPositive, "tau_syn_I"},
    {Rule::kNonNegative, "tau_refrac"},
    {Rule::kLess, "v_reset", "v_thresh"},
    // The input gain R init 2^-8 is a u0.32 factor in the core
    // (firmware/neuron/lif_curr_exp.h), so R = tau_m / cm must stay below
    // 256 MOhm (init <= 1); larger values would fail at core load.
    {Rule::kRatioBelow, "tau_m", "cm", 255.99, "MOhm", "the fixed-point input gain"},
}};
}  // namespace cells

}  // namespace spindle::host
