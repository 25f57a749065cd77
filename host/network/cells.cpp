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

std::vector<IfCurrExpParams> if_curr_exp_cells(const v1::Network& net, size_t population) {
  expect(net, population, v1::Population::kIfCurrExp, "if_curr_exp");
  std::vector<IfCurrExpParams> out(size_of(net, population));
  using P = IfCurrExpParams;
  fill(out, net, population, "cm", &P::cm);
  fill(out, net, population, "tau_m", &P::tau_m);
  fill(out, net, population, "tau_refrac", &P::tau_refrac);
  fill(out, net, population, "tau_syn_E", &P::tau_syn_E);
  fill(out, net, population, "tau_syn_I", &P::tau_syn_I);
  fill(out, net, population, "v_rest", &P::v_rest);
  fill(out, net, population, "v_reset", &P::v_reset);
  fill(out, net, population, "v_thresh", &P::v_thresh);
  fill(out, net, population, "i_offset", &P::i_offset);
  fill(out, net, population, "v", &P::v_init);
  return out;
}

std::vector<IfCondExpParams> if_cond_exp_cells(const v1::Network& net, size_t population) {
  expect(net, population, v1::Population::kIfCondExp, "if_cond_exp");
  std::vector<IfCondExpParams> out(size_of(net, population));
  using P = IfCondExpParams;
  fill(out, net, population, "cm", &P::cm);
  fill(out, net, population, "tau_m", &P::tau_m);
  fill(out, net, population, "tau_refrac", &P::tau_refrac);
  fill(out, net, population, "tau_syn_E", &P::tau_syn_E);
  fill(out, net, population, "tau_syn_I", &P::tau_syn_I);
  fill(out, net, population, "v_rest", &P::v_rest);
  fill(out, net, population, "v_reset", &P::v_reset);
  fill(out, net, population, "v_thresh", &P::v_thresh);
  fill(out, net, population, "i_offset", &P::i_offset);
  fill(out, net, population, "e_rev_E", &P::e_rev_E);
  fill(out, net, population, "e_rev_I", &P::e_rev_I);
  fill(out, net, population, "v", &P::v_init);
  return out;
}

std::vector<IzhikevichParams> izhikevich_cells(const v1::Network& net, size_t population) {
  expect(net, population, v1::Population::kIzhikevich, "izhikevich");
  std::vector<IzhikevichParams> out(size_of(net, population));
  using P = IzhikevichParams;
  fill(out, net, population, "a", &P::a);
  fill(out, net, population, "b", &P::b);
  fill(out, net, population, "c", &P::c);
  fill(out, net, population, "d", &P::d);
  fill(out, net, population, "i_offset", &P::i_offset);
  fill(out, net, population, "tau_syn_E", &P::tau_syn_E);
  fill(out, net, population, "tau_syn_I", &P::tau_syn_I);
  fill(out, net, population, "v", &P::v_init);
  fill(out, net, population, "u", &P::u_init);
  return out;
}

std::vector<IfNonLeakyParams> if_nonleaky_cells(const v1::Network& net, size_t population) {
  expect(net, population, v1::Population::kIfNonleaky, "if_nonleaky");
  std::vector<IfNonLeakyParams> out(size_of(net, population));
  using P = IfNonLeakyParams;
  fill(out, net, population, "cm", &P::cm);
  fill(out, net, population, "v_thresh", &P::v_thresh);
  fill(out, net, population, "v_reset", &P::v_reset);
  fill(out, net, population, "v_floor", &P::v_floor);
  fill(out, net, population, "i_offset", &P::i_offset);
  fill(out, net, population, "tau_refrac", &P::tau_refrac);
  fill(out, net, population, "v", &P::v_init);
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
