#include "network/size_estimate.h"

#include <string_view>
#include <unordered_map>

namespace spindle::host::network {

namespace v1 = spindle::v1;

SizeEstimate estimate_size(const v1::Network& net) {
  SizeEstimate e;
  std::unordered_map<std::string_view, int> index;
  for (int i = 0; i < net.populations_size(); ++i) {
    e.neurons += net.populations(i).size();
    index.emplace(net.populations(i).label(), i);
  }
  for (const auto& proj : net.projections()) {
    const auto pi = index.find(proj.pre()), qi = index.find(proj.post());
    double n = 0;
    if (pi != index.end() && qi != index.end()) {
      const double n_pre = net.populations(pi->second).size(), n_post = net.populations(qi->second).size();
      const auto& c = proj.connector();
      switch (c.kind_case()) {
        case v1::Connector::kAllToAll:
        case v1::Connector::kLowRank: n = n_pre * n_post; break;
        case v1::Connector::kOneToOne: n = n_pre; break;
        case v1::Connector::kFixedProbability: {
          // Binomial: far above the mean only with a vanishing chance.
          const double p = c.fixed_probability().p();
          n = (p >= 0 && p <= 1) ? 1.5 * p * n_pre * n_post : 0;
          break;
        }
        case v1::Connector::kFixedNumberPre: n = double(c.fixed_number_pre().n()) * n_post; break;
        case v1::Connector::kFixedNumberPost: n = double(c.fixed_number_post().n()) * n_pre; break;
        case v1::Connector::kFromList: n = c.from_list().connections_size(); break;
        default: break;
      }
    }
    e.synapses_of.push_back(n);
    e.synapses += n;
  }
  return e;
}

}  // namespace spindle::host::network
