#include "network/cells.h"

#include <fmt/format.h>

#include <stdexcept>

#include "network/expand.h"

namespace spindle::host::network {
namespace {

namespace v1 = spindle::v1;

void expect(const v1::Network& net, size_t population, v1::Population::CellTypeCase want, const char* name) {
  const auto& pop = net.populations(static_cast<int>(population));
  if (pop.cell_type_case() != want) {
    throw std::invalid_argument(fmt::format("population \"{}\" is {}, not {}", pop.label(),
                                            cell_type_name(pop).empty() ? "(no cell type)" : cell_type_name(pop),
                                            name));
  }
}

// Fills field `member` of every element of `out` from parameter `name`.
template <class T>
void fill(std::vector<T>& out, const v1::Network& net, size_t population, const char* name, double T::*member) {
  const auto values = population_parameter(net, population, name);
  for (size_t i = 0; i < out.size(); ++i) out[i].*member = values[i];
}

size_t size_of(const v1::Network& net, size_t population) { return net.populations(static_cast<int>(population)).size(); }

}  // namespace

cells::CellValues cell_values(const v1::Network& net, size_t population) {
  const auto& pop = net.populations(static_cast<int>(population));
  const cells::CellType& type = cells::cell_type_of(pop);
  cells::CellValues out;
  for (const cells::Parameter& p : type.parameters) out.set(p.name, population_parameter(net, population, p.name));
  return out;
}

std::vector<PoissonSourceParams> poisson_sources(const v1::Network& net, size_t population) {
  expect(net, population, v1::Population::kSpikeSourcePoisson, "spike_source_poisson");
  std::vector<PoissonSourceParams> out(size_of(net, population));
  using P = PoissonSourceParams;
  fill(out, net, population, "rate", &P::rate);
  fill(out, net, population, "start", &P::start);
  fill(out, net, population, "duration", &P::duration);
  return out;
}

std::vector<std::vector<double>> spike_array_times(const v1::Network& net, size_t population) {
  expect(net, population, v1::Population::kSpikeSourceArray, "spike_source_array");
  const auto& sa = net.populations(static_cast<int>(population)).spike_source_array();
  const size_t n = size_of(net, population);
  std::vector<std::vector<double>> out(n);
  if (sa.per_neuron_size() > 0) {
    if (static_cast<size_t>(sa.per_neuron_size()) != n)
      throw std::invalid_argument("spike_source_array: per_neuron does not have one train per neuron");
    for (size_t i = 0; i < n; ++i) {
      const auto& t = sa.per_neuron(static_cast<int>(i)).times();
      out[i].assign(t.begin(), t.end());
    }
  } else if (sa.has_shared()) {
    for (auto& train : out) train.assign(sa.shared().times().begin(), sa.shared().times().end());
  }
  return out;
}

}  // namespace spindle::host::network
