// PyNN IF_cond_exp: leaky integrate-and-fire, exponential conductance synapses.
// Its PyNN parameters (the struct's initialisers are the defaults the
// network format uses), their conversion to the core's fixed-point blocks,
// and its descriptor in the cell-type registry (cells/cell_type.h).
#pragma once

#include "cells/cell_type.h"

namespace spindle::host {

struct IfCondExpParams {
  double cm = 1.0, tau_m = 20.0, tau_refrac = 0.1, tau_syn_E = 5.0, tau_syn_I = 5.0;
  double v_rest = -65.0, v_reset = -65.0, v_thresh = -50.0, i_offset = 0.0;
  double e_rev_E = 0.0, e_rev_I = -70.0;
  double v_init = -65.0;  // initial value of v (the network format starts it at v_rest)
};

fw::IfCondExp::Params to_fixed(const IfCondExpParams& p, double dt, QuantizationReport* r = nullptr);
fw::IfCondExp::State initial_state(const IfCondExpParams& p, QuantizationReport* r = nullptr);
// A slice of n identical neurons.
NeuronBlock uniform_block(const IfCondExpParams& p, uint32_t n, double dt, QuantizationReport* r = nullptr);

namespace cells {
extern const CellType if_cond_exp_type;

// Its parameters, state variables and rules, for the types that extend it
// (if_cond_exp_adaptive.h).
inline constexpr std::array<Field<IfCondExpParams>, 11> kIfCondExpParameterFields = {{
    Field<IfCondExpParams>{"cm", "nF", &IfCondExpParams::cm},
    Field<IfCondExpParams>{"tau_m", "ms", &IfCondExpParams::tau_m},
    Field<IfCondExpParams>{"tau_refrac", "ms", &IfCondExpParams::tau_refrac},
    Field<IfCondExpParams>{"tau_syn_E", "ms", &IfCondExpParams::tau_syn_E},
    Field<IfCondExpParams>{"tau_syn_I", "ms", &IfCondExpParams::tau_syn_I},
    Field<IfCondExpParams>{"v_rest", "mV", &IfCondExpParams::v_rest},
    Field<IfCondExpParams>{"v_reset", "mV", &IfCondExpParams::v_reset},
    Field<IfCondExpParams>{"v_thresh", "mV", &IfCondExpParams::v_thresh},
    Field<IfCondExpParams>{"i_offset", "nA", &IfCondExpParams::i_offset},
    Field<IfCondExpParams>{"e_rev_E", "mV", &IfCondExpParams::e_rev_E},
    Field<IfCondExpParams>{"e_rev_I", "mV", &IfCondExpParams::e_rev_I},
}};
inline constexpr std::array<Field<IfCondExpParams>, 1> kIfCondExpStateFields = {{
    Field<IfCondExpParams>{"v", "mV", &IfCondExpParams::v_init, true, "v_rest"},
}};
inline constexpr std::array<ParameterRule, 6> kIfCondExpRules = {{
    {Rule::kPositive, "cm"},
    {Rule::kPositive, "tau_m"},
    {Rule::kPositive, "tau_syn_E"},
    {Rule::kPositive, "tau_syn_I"},
    {Rule::kNonNegative, "tau_refrac"},
    {Rule::kLess, "v_reset", "v_thresh"},
}};
}  // namespace cells

}  // namespace spindle::host
