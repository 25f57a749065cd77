#include "network/range_warnings.h"

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "fixed/fixed_point.h"
#include "network/expand.h"
#include "network/value_rules.h"

namespace spindle::host::network {
namespace {

namespace v1 = spindle::v1;
namespace pb = google::protobuf;

// s16.15: [-65536, 65536 - 2^-15].
constexpr double kAccumLow = -65536.0;
constexpr double kAccumHigh = 65536.0 - 1.0 / (1 << fw::Accum::kFracBits);

// Parameters the core holds as s16.15 as given (the others are time
// constants, turned into decay factors and tick counts, or cm, which only
// appears in ratios that validation bounds).
bool held_as_accum(std::string_view name) {
  // target_rate becomes target_rate x dt in u0.32, which validation bounds.
  return !(name.rfind("tau_", 0) == 0 || name == "cm" || name == "target_rate");
}

void check_accum(const std::string& path, const ValueSet& v, std::vector<ValidationError>& out) {
  if (v.likely_lo() >= kAccumLow && v.likely_hi() <= kAccumHigh) return;
  const double worst = v.likely_lo() < kAccumLow ? v.likely_lo() : v.likely_hi();
  const double to = worst < 0 ? kAccumLow : kAccumHigh;
  if (v.is_random()) {
    out.push_back({path, fmt::format("the distribution reaches {}, outside the core's fixed-point range [-65536, "
                                     "65536); such values are saturated to {}",
                                     worst, to)});
  } else {
    out.push_back({path, fmt::format("{} is outside the core's fixed-point range [-65536, 65536) and is saturated to {}",
                                     worst, to)});
  }
}

}  // namespace

std::vector<ValidationError> range_warnings(const v1::Network& net) {
  std::vector<ValidationError> out;
  const double dt = net.run().timestep_ms();
  for (int i = 0; i < net.populations_size(); ++i) {
    const v1::Population& pop = net.populations(i);
    if (is_spike_source(pop) || pop.cell_type_case() == v1::Population::CELL_TYPE_NOT_SET) continue;
    const std::string cell = cell_type_name(pop);
    const std::string cp = fmt::format("populations[{}].{}", i, cell);
    const auto* oneof = v1::Population::descriptor()->FindOneofByName("cell_type");
    const pb::Message& m = pop.GetReflection()->GetMessage(pop, pop.GetReflection()->GetOneofFieldDescriptor(pop, oneof));
    for (int f = 0; f < m.GetDescriptor()->field_count(); ++f) {
      const auto* fd = m.GetDescriptor()->field(f);
      if (fd->message_type() != v1::ParameterValue::descriptor() || !m.GetReflection()->HasField(m, fd)) continue;
      const auto& pv = static_cast<const v1::ParameterValue&>(m.GetReflection()->GetMessage(m, fd));
      const ValueSet v(&pv, 0.0);
      if (held_as_accum(fd->name())) {
        check_accum(cp + "." + fd->name(), v, out);
      } else if (fd->name() == "tau_refrac" && dt > 0 && v.likely_hi() / dt > double(INT32_MAX)) {
        out.push_back({cp + ".tau_refrac", fmt::format("{} ms is more than 2^31 timesteps; the core counts at most "
                                                       "that many",
                                                       v.hi())});
      }
    }
    // Every state variable is held as Accum (theta_h as s16.47, same range).
    const auto& iv = pop.initial_values();
    const auto* ivd = v1::InitialValues::descriptor();
    for (int f = 0; f < ivd->field_count(); ++f) {
      const auto* fd = ivd->field(f);
      if (!iv.GetReflection()->HasField(iv, fd)) continue;
      const auto& pv = static_cast<const v1::ParameterValue&>(iv.GetReflection()->GetMessage(iv, fd));
      check_accum(fmt::format("populations[{}].initial_values.{}", i, fd->name()), ValueSet(&pv, 0.0), out);
    }
  }
  return out;
}

}  // namespace spindle::host::network
