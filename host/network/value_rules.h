// Per-neuron rules on parameter values, checked without drawing a single
// random number: a constant is checked once, a list value by value, and a
// distribution by the bounds of every value it can draw. Validation's cost
// therefore follows the size of the file, never the number of neurons.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "spindle/v1/network.pb.h"

namespace spindle::host::network {

// A parameter's values as validation sees them.
class ValueSet {
 public:
  // `value` may be null or unset: the default applies to every neuron.
  ValueSet(const spindle::v1::ParameterValue* value, double default_value);

  bool is_list() const { return list_ != nullptr; }
  bool is_random() const { return random_; }
  // One value for every neuron (a constant, or the default).
  bool is_constant() const { return !is_list() && !is_random(); }
  // Values by index: a constant's for any index, a list's k-th.
  double at(size_t k) const { return list_ ? list_->values(static_cast<int>(k)) : lo_; }
  size_t length() const { return list_ ? static_cast<size_t>(list_->values_size()) : 1; }
  // Every value v satisfies lo() <= v <= hi() (v < hi() when hi_open()).
  double lo() const { return lo_; }
  double hi() const { return hi_; }
  bool hi_open() const { return hi_open_; }
  // Bounds of the values any real draw can take: an unclipped normal's tails
  // cut at 10 sd (beyond, a draw has a chance below 1e-22); otherwise lo()
  // and hi(). For warnings; rules use lo() and hi().
  double likely_lo() const { return likely_lo_; }
  double likely_hi() const { return likely_hi_; }

 private:
  const spindle::v1::ValueList* list_ = nullptr;
  bool random_ = false;
  double lo_ = 0, hi_ = 0;
  bool hi_open_ = false;
  double likely_lo_ = 0, likely_hi_ = 0;
};

// Each returns nothing when the rule holds for every neuron, else the
// message for the field ("must be > 0, got -2 for neuron 4 (2 of 10
// neurons)"; for a distribution, which bound breaks the rule and how to fix
// it).

// value > bound (strict) or value >= bound.
std::optional<std::string> check_at_least(const ValueSet& v, double bound, bool strict);

// a < b (strict) or a <= b, neuron by neuron; `a_name`/`b_name` name the two
// parameters in the message.
std::optional<std::string> check_less(const ValueSet& a, const ValueSet& b, bool strict, const std::string& a_name,
                                      const std::string& b_name);

// num / den < bound, neuron by neuron (positivity is checked by its own
// rule; distributions by their likely bounds); `what` names the ratio,
// `unit` its unit, `why` the reason.
std::optional<std::string> check_ratio_below(const ValueSet& num, const ValueSet& den, double bound,
                                             const std::string& what, const std::string& unit,
                                             const std::string& why);

// The sign rules of a projection's weights (docs/network-format.md):
// excitatory >= 0; inhibitory onto a conductance-based target >= 0;
// inhibitory onto a current-based target all <= 0 (PyNN's convention) or all
// >= 0; reward and punishment (dopamine concentrations) >= 0. lo/hi bound
// the weights (infinite: an unbounded distribution).
std::optional<std::string> weight_sign_problem(spindle::v1::Receptor receptor, bool conductance_target, double lo,
                                               double hi);

}  // namespace spindle::host::network
