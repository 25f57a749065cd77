// Pair STDP on the host: a projection's StdpMechanism (network.proto) with
// PyNN's defaults filled in, and its conversion to the integers the kernel
// reads (firmware/synapse/plasticity/): exponential tables in ticks, and
// amplitudes and weight bounds in the row's 16-bit weight units, with what
// rounding lost; for dopamine-modulated STDP (its neuromodulation) also
// the decay tables of c and d and the integral scale. Pure functions;
// nothing here runs a core.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "cells/cell_type.h"
#include "quantize/quantize.h"
#include "spindle/v1/network.pb.h"
#include "image/format.h"
#include "synapse/plasticity/post_history.h"
#include "synapse/plasticity/stdp_fixed.h"

namespace spindle::host::synapses {

// The descriptor's parameters: PyNN's names, units and defaults (PyNN 0.10
// SpikePairRule, Additive/MultiplicativeWeightDependence, STDPMechanism;
// tau_c and tau_d are sPyNNaker's Neuromodulation's). A_plus / A_minus are
// in weight units (nA or uS) with ABSOLUTE amplitudes, a fraction of w_max
// with RELATIVE_TO_W_MAX.
inline constexpr std::array<cells::Parameter, 9> kStdpParameters = {{
    {"tau_plus", "ms", 20.0},
    {"tau_minus", "ms", 20.0},
    {"A_plus", "nA or uS (or x w_max)", 0.01},
    {"A_minus", "nA or uS (or x w_max)", 0.01},
    {"w_min", "nA or uS", 0.0},
    {"w_max", "nA or uS", 1.0},
    {"dendritic_delay_fraction", "", 1.0},
    {"tau_c", "ms", 1000.0},
    {"tau_d", "ms", 200.0},
}};
constexpr std::span<const cells::Parameter> stdp_parameters() { return kStdpParameters; }

// A mechanism's values, unset fields at their defaults. a_plus / a_minus
// are as given (see amplitude_units); absolute_a_* in weight units.
struct StdpValues {
  double tau_plus = 20.0, tau_minus = 20.0;  // ms
  double a_plus = 0.01, a_minus = 0.01;
  double w_min = 0.0, w_max = 1.0;  // nA or uS
  double dendritic_delay_fraction = 1.0;
  bool nearest = false;
  bool multiplicative = false;  // else additive (also when unset)
  bool relative_to_w_max = false;
  // Dopamine-modulated (StdpMechanism.neuromodulation set), with its decays.
  bool neuromodulated = false;
  double tau_c = 1000.0, tau_d = 200.0;  // ms

  double absolute_a_plus() const { return relative_to_w_max ? a_plus * w_max : a_plus; }
  double absolute_a_minus() const { return relative_to_w_max ? a_minus * w_max : a_minus; }
};
StdpValues stdp_values(const spindle::v1::StdpMechanism& m);

// True when the projection's synapses are dopamine-modulated STDP.
bool is_neuromodulated(const spindle::v1::Projection& projection);

// Dopamine-modulated STDP's integers (firmware/image/format.h
// NeuromodulationRegionHeader, synapse/plasticity/neuromodulation_fixed.h).
struct NeuromodulationKernelParams {
  // Entry b: round(2^31 exp(-2^b / tau)), tau in ticks (build_decay_powers).
  std::array<uint32_t, fw::image::kDecayTableEntries> c_decay{}, d_decay{};
  // tau_c tau_d / (tau_c + tau_d) / 1 ms, u16.16 (integral_scale).
  uint32_t integral_scale = 0;
  // |c| bound in 16-bit weight units: the weight dependence's w_max.
  uint16_t c_max = 0;
  // Largest |entry / 2^31 - exp(-2^b / tau)| over both tables (at most
  // 2^-32 by the rounding).
  double max_decay_error = 0;
};

// What the kernel is given (weight values in 16-bit weight units, the
// ring buffer's: round(x x weight_scale)), and what that changed.
struct StdpKernelParams {
  fw::stdp::ExpLut plus;   // exp(-t / tau_plus), t in ticks
  fw::stdp::ExpLut minus;  // exp(-t / tau_minus)
  uint16_t w_min = 0, w_max = 0, a_plus = 0, a_minus = 0;
  bool nearest = false;
  bool multiplicative = false;

  // Quantization, in the projection's weight unit (nA or uS): what was
  // asked (A in absolute units) and what the 16-bit value stands for.
  struct Error {
    double value = 0, quantized = 0;
    bool clamped = false;  // beyond 0..65535 weight units
    double abs_error() const { return quantized > value ? quantized - value : value - quantized; }
  };
  Error w_min_error, w_max_error, a_plus_error, a_minus_error;
  // Largest |entry / 2048 - exp(-t' / tau)| over both tables, t' the tick
  // the entry stands for (at most 2^-12 by build_exp_lut's rounding).
  double max_lut_error = 0;
  // Set when the mechanism is dopamine-modulated.
  std::optional<NeuromodulationKernelParams> neuromodulation;
};

// `dt_ms`: the run's timestep; `weight_scale`: 16-bit weight units per nA
// (or uS) of the post population's receptor (image/synaptic_matrix.h
// weight_scales, which the population's range must make cover w_max:
// mapping/weight_scales.h). Every conversion is added to `report` when
// given. Throws std::invalid_argument on a non-positive dt or scale or tau,
// and on a neuromodulation whose combined tau does not fit the integral
// scale (validation refuses both).
StdpKernelParams stdp_kernel_params(const spindle::v1::StdpMechanism& m, double dt_ms, double weight_scale,
                                    QuantizationReport* report = nullptr);

// The core image's STDP region header (firmware/image/format.h) for k.
fw::image::StdpRegionHeader stdp_region(const StdpKernelParams& k);

// The core image's neuromodulation region header (region 10) for k, whose
// neuromodulation must be set; reward_type and punishment_type are the
// core's reward and punishment synapse types (mapping/weight_scales.h).
// Throws std::invalid_argument without a neuromodulation.
fw::image::NeuromodulationRegionHeader neuromodulation_region(const StdpKernelParams& k, uint32_t reward_type,
                                                              uint32_t punishment_type);

}  // namespace spindle::host::synapses
