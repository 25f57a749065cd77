#include "mapping/weight_quantization.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace spindle::host {

void WeightQuantization::add(double w, double q, double step) {
  ++synapses;
  total += w;
  total_quantized += q;
  resolution = step;
  if (w > 0) {
    if (q == 0) ++zeroed;
    max_relative_error = std::max(max_relative_error, std::fabs(q - w) / w);
  }
}

void WeightQuantization::merge(const WeightQuantization& o) {
  synapses += o.synapses;
  zeroed += o.zeroed;
  total += o.total;
  total_quantized += o.total_quantized;
  max_relative_error = std::max(max_relative_error, o.max_relative_error);
  if (o.resolution > 0) resolution = o.resolution;
  if (o.stdp.present) stdp = o.stdp;  // every core of a population holds the same rule
}

double WeightQuantization::loss_fraction() const {
  return total > 0 ? std::fabs(total_quantized - total) / total : 0.0;
}

std::vector<network::ValidationError> weight_loss_warnings(const spindle::v1::Network& net,
                                                           const std::vector<WeightQuantization>& by_projection) {
  std::vector<network::ValidationError> out;
  for (size_t e = 0; e < by_projection.size(); ++e) {
    const WeightQuantization& q = by_projection[e];
    if (q.zeroed == 0 && q.loss_fraction() <= kWeightLossWarnFraction) continue;
    const auto& proj = net.projections(static_cast<int>(e));
    const std::string path =
        fmt::format("projections[{}].{}", e, proj.connector().has_low_rank() ? "connector.low_rank" : "weight");
    std::string message = fmt::format(
        "the cores hold these weights in steps of {:.3g} (16 bits scaled to the largest weight onto population "
        "\"{}\"), so their total changes by {:.1f}%",
        q.resolution, proj.post(), 100 * q.loss_fraction());
    if (q.zeroed > 0) message += fmt::format(" and {} of {} weights become 0", q.zeroed, q.synapses);
    out.push_back({path, message});
  }
  for (size_t e = 0; e < by_projection.size(); ++e) {
    const StdpQuantization& s = by_projection[e].stdp;
    if (!s.present) continue;
    const auto amplitude = [&](const char* name, const StdpQuantization::Value& v) {
      if (v.given == 0 || (v.in_cores != 0 && v.relative_error() <= kWeightLossWarnFraction)) return;
      std::string message = fmt::format(
          "the cores hold {} in steps of {:.3g} (the weight unit of population \"{}\"): {:.4g} becomes {:.4g}",
          name, by_projection[e].resolution, net.projections(static_cast<int>(e)).post(), v.given, v.in_cores);
      message += v.in_cores == 0 ? ", so that side of the rule never acts"
                                 : fmt::format(" ({:+.1f}%)", 100 * (v.in_cores - v.given) / v.given);
      out.push_back({fmt::format("projections[{}].synapse_dynamics.stdp.timing_dependence.{}", e, name), message});
    };
    amplitude("A_plus", s.a_plus);
    amplitude("A_minus", s.a_minus);
  }
  return out;
}

namespace {

// Six significant digits: sums over a projection's synapses are added in
// slice order, and native and ARM cores slice differently; the report must
// not differ in the last bits between the two.
double shown(double x) {
  if (x == 0 || !std::isfinite(x)) return x;
  return std::stod(fmt::format("{:.6g}", x));
}

}  // namespace

nlohmann::json weight_quantization_json(const spindle::v1::Network& net,
                                        const std::vector<WeightQuantization>& by_projection) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t e = 0; e < by_projection.size(); ++e) {
    const WeightQuantization& q = by_projection[e];
    const auto& proj = net.projections(static_cast<int>(e));
    out.push_back({{"projection", e},
                   {"label", proj.label()},
                   {"pre", proj.pre()},
                   {"post", proj.post()},
                   {"synapses", q.synapses},
                   {"resolution", q.resolution},
                   {"total_weight", shown(q.total)},
                   {"total_weight_in_cores", shown(q.total_quantized)},
                   {"loss_fraction", shown(q.loss_fraction())},
                   {"max_relative_error", shown(q.max_relative_error)},
                   {"zeroed", q.zeroed}});
    if (q.stdp.present) {
      const auto value = [](const StdpQuantization::Value& v) {
        return nlohmann::json{{"given", shown(v.given)}, {"in_cores", shown(v.in_cores)}};
      };
      // A_plus and A_minus in absolute weight units, whichever convention the file used.
      out.back()["stdp"] = {{"A_plus", value(q.stdp.a_plus)},
                            {"A_minus", value(q.stdp.a_minus)},
                            {"w_min", value(q.stdp.w_min)},
                            {"w_max", value(q.stdp.w_max)}};
    }
  }
  return out;
}

}  // namespace spindle::host
