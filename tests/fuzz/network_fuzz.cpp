// Fuzz target: bytes -> a network file in one of the three formats ->
// validate_network -> for a valid network within a small budget, what the
// later stages read from it: every population parameter and initial value,
// every projection's synapses (whole and by post range), and the mapping's
// application graph.
//
// The first input byte picks the format (byte % 3: 0 text, 1 JSON, 2 binary;
// the seeds start with '0', '1' or '2'); the rest is the file. A valid
// network over the budget is skipped rather than expanded: it would only
// measure how long a big expansion takes. Validation itself has no budget:
// it must stay cheap in the size of the file whatever the file says.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <google/protobuf/stubs/logging.h>

#include "mapping/from_network.h"
#include "synapses/stdp_params.h"
#include "network/expand.h"
#include "network/load.h"
#include "network/validate.h"

namespace {

namespace net = spindle::host::network;
namespace v1 = spindle::v1;

constexpr uint64_t kMaxNeurons = 4096;
// Pairs a projection's connector may visit plus synapses it makes.
constexpr uint64_t kMaxWork = 200'000;

// Neurons and connector work of a valid network, or false past the budget.
bool within_budget(const v1::Network& n) {
  uint64_t neurons = 0;
  for (const auto& p : n.populations()) neurons += p.size();
  if (neurons > kMaxNeurons) return false;
  uint64_t work = 0;
  for (int j = 0; j < n.projections_size(); ++j) {
    const auto& proj = n.projections(j);
    const int pre = net::find_population(n, proj.pre()), post = net::find_population(n, proj.post());
    const uint64_t pairs = uint64_t{n.populations(pre).size()} * n.populations(post).size();
    const int64_t fixed = net::fixed_synapse_count(n, static_cast<size_t>(j));
    work += pairs + (fixed > 0 ? static_cast<uint64_t>(fixed) : 0);
    if (work > kMaxWork) return false;
  }
  return true;
}

void expand_everything(const v1::Network& n) {
  for (int i = 0; i < n.populations_size(); ++i) {
    const auto& pop = n.populations(i);
    for (const std::string& name : net::parameter_names(pop)) (void)net::population_parameter(n, i, name);
    if (!net::is_spike_source(pop)) {
      (void)net::population_parameter(n, i, "v");
      if (pop.has_izhikevich()) (void)net::population_parameter(n, i, "u");
    }
  }
  for (int j = 0; j < n.projections_size(); ++j) {
    const auto k = static_cast<size_t>(j);
    (void)net::expand_projection(n, k);
    const uint32_t n_post = n.populations(net::find_population(n, n.projections(j).post())).size();
    // Two post ranges that split the population: the per-range expansion
    // must not depend on the split (expand.h), and its edges are
    // where off-by-ones live.
    const uint32_t half = n_post / 2;
    (void)net::expand_projection_onto(n, k, 0, half);
    (void)net::expand_projection_onto(n, k, half, n_post - half);
    (void)net::largest_abs_weight(n, k, 0, n_post);
  }
  if (spindle::host::unrunnable_synapses_problem(n).empty()) {
    (void)spindle::host::graph_from_network(n);
    return;
  }
  // Plastic projections onto one population with different rules validate
  // but cannot run (the graph refuses them, naming the field); their kernel
  // parameters must still convert.
  for (const auto& proj : n.projections()) {
    if (!proj.synapse_dynamics().has_stdp()) continue;
    const double w_max = spindle::host::synapses::stdp_values(proj.synapse_dynamics().stdp()).w_max;
    (void)spindle::host::synapses::stdp_kernel_params(proj.synapse_dynamics().stdp(), n.run().timestep_ms(),
                                                      w_max > 0 ? 65535.0 / w_max : 1.0);
  }
}

}  // namespace

// Protobuf logs every string field that is not UTF-8; the parse fails
// either way, and the log would bury libFuzzer's output.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr net::NetworkFormat kFormats[] = {net::NetworkFormat::kText, net::NetworkFormat::kJson,
                                                   net::NetworkFormat::kBinary};
  const net::NetworkFormat format = kFormats[data[0] % 3];
  const std::string_view file(reinterpret_cast<const char*>(data + 1), size - 1);
  v1::Network n;
  try {
    n = net::parse_network(file, format, "fuzz");
  } catch (const net::NetworkLoadError&) {
    return 0;
  }
  const auto errors = net::validate_network(n);
  (void)net::format_errors(errors);
  if (!errors.empty() || !within_budget(n)) return 0;
  // A valid network is one the later stages take: anything they throw here
  // escapes and is reported as a crash.
  expand_everything(n);
  return 0;
}
