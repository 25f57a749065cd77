#include "network/value_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace spindle::host::network {
namespace {

namespace v1 = spindle::v1;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Neuron by neuron over constants and lists (a constant broadcast): the
// first failing index and how many fail. Both constants: one comparison.
template <class Ok>
std::pair<size_t, size_t> scan(const ValueSet& a, const ValueSet& b, Ok ok) {
  const size_t n = std::max(a.length(), b.length());
  size_t bad = 0, first = 0;
  for (size_t k = 0; k < n; ++k)
    if (!ok(a.at(a.is_list() ? k : 0), b.at(b.is_list() ? k : 0)) && bad++ == 0) first = k;
  return {bad, first};
}

std::string neurons_note(size_t bad, size_t first, size_t n) {
  return fmt::format(" for neuron {} ({} of {} neurons)", first, bad, n);
}

}  // namespace

ValueSet::ValueSet(const v1::ParameterValue* value, double default_value)
    : lo_(default_value), hi_(default_value), likely_lo_(default_value), likely_hi_(default_value) {
  if (value == nullptr) return;
  switch (value->value_case()) {
    case v1::ParameterValue::kConstant: lo_ = hi_ = value->constant(); break;
    case v1::ParameterValue::kList: {
      list_ = &value->list();
      if (list_->values_size() == 0) break;
      const auto [lo, hi] = std::minmax_element(list_->values().begin(), list_->values().end());
      lo_ = *lo;
      hi_ = *hi;
      break;
    }
    case v1::ParameterValue::kRandom: {
      random_ = true;
      const auto& r = value->random();
      if (r.has_uniform()) {
        lo_ = r.uniform().low();
        hi_ = r.uniform().high();
        hi_open_ = hi_ > lo_;  // [low, high); low == high draws low
        break;
      }
      const auto& nd = r.normal();
      const double clip_lo = nd.has_clip_low() ? nd.clip_low() : -kInf;
      const double clip_hi = nd.has_clip_high() ? nd.clip_high() : kInf;
      if (nd.sd() == 0) {
        lo_ = hi_ = std::clamp(nd.mean(), clip_lo, std::max(clip_lo, clip_hi));
      } else {
        lo_ = clip_lo;
        hi_ = clip_hi;
      }
      constexpr double kTailSd = 10;
      likely_lo_ = std::clamp(nd.mean() - kTailSd * nd.sd(), lo_, std::max(lo_, hi_));
      likely_hi_ = std::clamp(nd.mean() + kTailSd * nd.sd(), lo_, std::max(lo_, hi_));
      return;
    }
    default: break;
  }
  likely_lo_ = lo_;
  likely_hi_ = hi_;
}

std::optional<std::string> check_at_least(const ValueSet& v, double bound, bool strict) {
  const char* rule = strict ? ">" : ">=";
  auto ok = [&](double x) { return strict ? x > bound : x >= bound; };
  if (!v.is_random()) {
    const auto [bad, first] = scan(v, v, [&](double x, double) { return ok(x); });
    if (bad == 0) return std::nullopt;
    if (!v.is_list() || v.length() == 1) return fmt::format("must be {} {}, got {}", rule, bound, v.at(first));
    return fmt::format("must be {} {}, got {}", rule, bound, v.at(first)) + neurons_note(bad, first, v.length());
  }
  if (ok(v.lo())) return std::nullopt;
  if (!std::isfinite(v.lo()))
    return fmt::format("must be {} {}, but the distribution is unbounded below (set clip_low)", rule, bound);
  return fmt::format("must be {} {}, but the distribution draws values down to {}", rule, bound, v.lo());
}

std::optional<std::string> check_less(const ValueSet& a, const ValueSet& b, bool strict, const std::string& a_name,
                                      const std::string& b_name) {
  const char* rule = strict ? "<" : "<=";
  auto ok = [&](double x, double y) { return strict ? x < y : x <= y; };
  if (!a.is_random() && !b.is_random()) {
    const auto [bad, first] = scan(a, b, ok);
    if (bad == 0) return std::nullopt;
    const double x = a.at(a.is_list() ? first : 0), y = b.at(b.is_list() ? first : 0);
    if (a.is_constant() && b.is_constant()) return fmt::format("must be {} {} ({}), got {}", rule, b_name, y, x);
    return fmt::format("must be {} {}, got {} {} and {} {}", rule, b_name, a_name, x, b_name, y) +
           neurons_note(bad, first, std::max(a.length(), b.length()));
  }
  // A distribution on either side: every value a can take must be below
  // every value b can take.
  const bool holds = strict ? (a.hi() < b.lo() || (a.hi_open() && a.hi() <= b.lo())) : a.hi() <= b.lo();
  if (holds) return std::nullopt;
  auto bound = [](double x, const char* side) {
    return std::isfinite(x) ? fmt::format("{}", x) : fmt::format("unbounded {} (clip it)", side);
  };
  return fmt::format("must be {} {} for every neuron, but {} reaches {} while {} goes down to {}", rule, b_name,
                     a_name, bound(a.hi(), "above"), b_name, bound(b.lo(), "below"));
}

std::optional<std::string> check_ratio_below(const ValueSet& num, const ValueSet& den, double bound,
                                             const std::string& what, const std::string& unit,
                                             const std::string& why) {
  if (!num.is_random() && !den.is_random()) {
    const auto [bad, first] = scan(num, den, [&](double x, double y) { return !(y > 0 && x > 0) || x / y < bound; });
    if (bad == 0) return std::nullopt;
    const double r = num.at(num.is_list() ? first : 0) / den.at(den.is_list() ? first : 0);
    return fmt::format("{} must be < {:g} {} ({}), got {} {} (neuron {})", what, std::ceil(bound), unit, why, r, unit,
                       first);
  }
  if (!(den.lo() > 0) || !(num.lo() > 0)) return std::nullopt;  // the positivity rules report these
  // An unclipped normal's tails beyond 10 sd count as never drawn.
  const double worst = num.likely_hi() / den.likely_lo();
  if (worst < bound) return std::nullopt;
  return fmt::format("{} must be < {:g} {} ({}) for every neuron, but the values' bounds allow up to {} {}", what,
                     std::ceil(bound), unit, why, worst, unit);
}

std::optional<std::string> weight_sign_problem(v1::Receptor receptor, bool conductance_target, double lo,
                                               double hi) {
  if (receptor == v1::EXCITATORY || receptor == v1::REWARD || receptor == v1::PUNISHMENT) {
    const char* what = receptor == v1::EXCITATORY ? "excitatory weights"
                       : receptor == v1::REWARD   ? "reward weights (dopamine concentrations)"
                                                  : "punishment weights (dopamine concentrations)";
    if (lo < 0)
      return std::isfinite(lo) ? fmt::format("{} must be >= 0, got {}", what, lo)
                               : fmt::format("{} must be >= 0, but the distribution is unbounded below (set clip_low "
                                             ">= 0)",
                                             what);
  } else if (receptor == v1::INHIBITORY) {
    if (conductance_target && lo < 0)
      return std::isfinite(lo) ? fmt::format("conductance weights (uS, onto if_cond_exp and if_cond_exp_adaptive) must be >= 0, got {}", lo)
                               : std::string("conductance weights must be >= 0, but the distribution is unbounded "
                                             "below (set clip_low >= 0)");
    if (!conductance_target && lo < 0 && hi > 0)
      return std::isfinite(lo) && std::isfinite(hi)
                 ? fmt::format("inhibitory weights must be all <= 0 or all >= 0, got values from {} to {}", lo, hi)
                 : std::string("inhibitory weights must be all <= 0 or all >= 0, but the distribution spans both "
                               "signs (clip it)");
  }
  return std::nullopt;
}

}  // namespace spindle::host::network
