#include "mapping/weight_scales.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "network/expand.h"

namespace spindle::host {

namespace v1 = spindle::v1;

uint32_t synapse_type(const v1::Projection& projection) {
  return projection.receptor() == v1::INHIBITORY ? 1 : 0;
}

std::optional<double> weight_bound_unexpanded(const v1::Network& net, size_t projection) {
  const v1::Projection& proj = net.projections(static_cast<int>(projection));
  const auto kind = proj.connector().kind_case();
  // Low-rank weights are U V^T; a list's entries may carry their own weights.
  if (kind == v1::Connector::kLowRank || kind == v1::Connector::kFromList) return std::nullopt;
  const v1::ParameterValue& w = proj.weight();
  switch (w.value_case()) {
    case v1::ParameterValue::kConstant: return std::fabs(w.constant());
    case v1::ParameterValue::kList: {
      double m = 0;
      for (double x : w.list().values()) m = std::max(m, std::fabs(x));
      return m;
    }
    case v1::ParameterValue::VALUE_NOT_SET: return 0.0;  // PyNN's default weight, 0
    default: return std::nullopt;
  }
}

double largest_weight(const v1::Network& net, size_t projection) {
  if (const auto bound = weight_bound_unexpanded(net, projection)) return *bound;
  return network::largest_abs_weight(net, projection);
}

std::vector<ReceptorWeights> population_weight_ranges(const v1::Network& net,
                                                      const std::vector<std::optional<double>>& known,
                                                      unsigned threads) {
  const size_t n_proj = static_cast<size_t>(net.projections_size());
  std::vector<double> largest(n_proj, 0.0);
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto work = [&] {
    for (size_t e = next++; e < n_proj; e = next++) {
      try {
        largest[e] = e < known.size() && known[e] ? *known[e] : largest_weight(net, e);
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        next = n_proj;
      }
    }
  };
  const unsigned hw = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  const unsigned workers = static_cast<unsigned>(std::min<size_t>(hw, std::max<size_t>(n_proj, 1)));
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);

  std::vector<ReceptorWeights> ranges(static_cast<size_t>(net.populations_size()), ReceptorWeights{});
  for (size_t e = 0; e < n_proj; ++e) {
    const v1::Projection& proj = net.projections(static_cast<int>(e));
    const int post = network::find_population(net, proj.post());
    if (post < 0) continue;
    double& r = ranges[static_cast<size_t>(post)][synapse_type(proj)];
    r = std::max(r, largest[e]);
  }
  return ranges;
}

}  // namespace spindle::host
