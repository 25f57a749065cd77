// What a projection's weights become in the cores: each is a 16-bit word
// scaled by its target population's largest weight (mapping/weight_scales.h),
// so a projection of small weights sharing a target with one of large
// weights can lose most of its value, or all of it. Measured per projection
// while the core images are built, reported in the mapping report, and a
// warning (or, on request, an error) when a projection loses more than
// kWeightLossWarnFraction of its total weight or any of its weights become 0.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "network/validate.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host {

// A projection whose total weight changes by more than this fraction (1%)
// in the cores is warned about.
inline constexpr double kWeightLossWarnFraction = 0.01;

// A plastic projection's STDP amplitudes and bounds in the cores' weight
// units (synapses/stdp_params.h): an A_plus or A_minus below half a unit
// becomes 0 and learning stops without a word, one of a few units moves
// the rule's balance (A_minus / A_plus) by percents.
struct StdpQuantization {
  struct Value {
    double given = 0, in_cores = 0;
    double relative_error() const { return given != 0 ? std::fabs(in_cores - given) / std::fabs(given) : 0.0; }
  };
  bool present = false;
  Value a_plus, a_minus, w_min, w_max;
};

struct WeightQuantization {
  uint64_t synapses = 0;
  uint64_t zeroed = 0;               // non-zero weights that became 0
  double total = 0;                  // sum of |weight| as given
  double total_quantized = 0;        // sum of what the cores use
  double max_relative_error = 0;     // over non-zero weights
  double resolution = 0;             // one step of the 16-bit weight (0: no synapses)
  StdpQuantization stdp;             // plastic projections

  // One synapse of |weight| w that the cores hold as q, in steps of `step`.
  void add(double w, double q, double step);
  void merge(const WeightQuantization& other);
  // |total_quantized - total| / total (0 for no weight).
  double loss_fraction() const;
};

// The projections whose weights lose more than the warning fraction, or
// have weights that became 0, each with the projection's field path
// ("projections[3].weight") and what happened; and the plastic ones whose
// A_plus or A_minus changes by more than the fraction or becomes 0
// ("projections[3].synapse_dynamics.stdp.timing_dependence.A_plus").
std::vector<network::ValidationError> weight_loss_warnings(const spindle::v1::Network& net,
                                                           const std::vector<WeightQuantization>& by_projection);

// The mapping report's "weight_quantization": one object per projection.
nlohmann::json weight_quantization_json(const spindle::v1::Network& net,
                                        const std::vector<WeightQuantization>& by_projection);

}  // namespace spindle::host
