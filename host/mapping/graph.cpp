#include "mapping/graph.h"

#include <cmath>
#include <stdexcept>

namespace spindle::host {

void validate_graph(const ApplicationGraph& graph) {
  const auto nv = graph.vertices.size();
  for (size_t i = 0; i < nv; ++i) {
    const ApplicationVertex& v = graph.vertices[i];
    const std::string where = "vertices[" + std::to_string(i) + "] (" + v.label + ")";
    if (v.n_atoms == 0) throw std::invalid_argument(where + ".n_atoms: must be > 0");
    if (v.n_synapse_types == 0) throw std::invalid_argument(where + ".n_synapse_types: must be > 0");
    if (!std::isfinite(v.rate_hz) || v.rate_hz < 0)
      throw std::invalid_argument(where + ".rate_hz: must be finite and >= 0, got " + std::to_string(v.rate_hz));
  }
  for (size_t i = 0; i < graph.edges.size(); ++i) {
    const ApplicationEdge& e = graph.edges[i];
    const std::string where = "edges[" + std::to_string(i) + "]";
    if (e.pre >= nv)
      throw std::invalid_argument(where + ".pre: vertex " + std::to_string(e.pre) + " does not exist (" +
                                  std::to_string(nv) + " vertices)");
    if (e.post >= nv)
      throw std::invalid_argument(where + ".post: vertex " + std::to_string(e.post) + " does not exist (" +
                                  std::to_string(nv) + " vertices)");
    if (!std::isfinite(e.n_synapses) || e.n_synapses < 0)
      throw std::invalid_argument(where + ".n_synapses: must be finite and >= 0");
    if (e.max_delay_ticks == 0) throw std::invalid_argument(where + ".max_delay_ticks: must be >= 1");
  }
}

std::vector<std::vector<uint32_t>> incoming_edges(const ApplicationGraph& graph) {
  std::vector<std::vector<uint32_t>> in(graph.vertices.size());
  for (uint32_t i = 0; i < graph.edges.size(); ++i) in[graph.edges[i].post].push_back(i);
  return in;
}

std::vector<std::vector<uint32_t>> outgoing_edges(const ApplicationGraph& graph) {
  std::vector<std::vector<uint32_t>> out(graph.vertices.size());
  for (uint32_t i = 0; i < graph.edges.size(); ++i) out[graph.edges[i].pre].push_back(i);
  return out;
}

}  // namespace spindle::host
