#include "network/expand.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <utility>

#include "cells/cell_type.h"
#include "network/random.h"

namespace spindle::host::network {
namespace {

namespace v1 = spindle::v1;
namespace pb = google::protobuf;

// The cell-type message of a population (nullptr when unset).
const pb::Message* cell_message(const v1::Population& pop) {
  const auto* oneof = v1::Population::descriptor()->FindOneofByName("cell_type");
  const auto* field = pop.GetReflection()->GetOneofFieldDescriptor(pop, oneof);
  if (field == nullptr) return nullptr;
  return &pop.GetReflection()->GetMessage(pop, field);
}

const v1::ParameterValue* cell_value(const v1::Population& pop, std::string_view name) {
  const pb::Message* m = cell_message(pop);
  if (m == nullptr) return nullptr;
  const auto* f = m->GetDescriptor()->FindFieldByName(std::string(name));
  if (f == nullptr || f->message_type() != v1::ParameterValue::descriptor()) return nullptr;
  if (!m->GetReflection()->HasField(*m, f)) return nullptr;
  return static_cast<const v1::ParameterValue*>(&m->GetReflection()->GetMessage(*m, f));
}

template <class R>
double draw(const v1::RandomDistribution& r, R& rng) {
  switch (r.distribution_case()) {
    case v1::RandomDistribution::kUniform: return rng.uniform(r.uniform().low(), r.uniform().high());
    case v1::RandomDistribution::kNormal: {
      const auto& n = r.normal();
      const double lo = n.has_clip_low() ? n.clip_low() : -INFINITY;
      const double hi = n.has_clip_high() ? n.clip_high() : INFINITY;
      if (n.clip_mode() == v1::Normal::TO_BOUNDARY) return std::clamp(rng.normal(n.mean(), n.sd()), lo, hi);
      for (int tries = 0; tries < 1000000; ++tries) {
        const double x = rng.normal(n.mean(), n.sd());
        if (x >= lo && x <= hi) return x;
      }
      throw std::invalid_argument("normal distribution: clip range too unlikely to draw from");
    }
    default: throw std::invalid_argument("random value without a distribution");
  }
}

}  // namespace

int find_population(const v1::Network& net, std::string_view label) {
  for (int i = 0; i < net.populations_size(); ++i) {
    if (net.populations(i).label() == label) return i;
  }
  return -1;
}

uint64_t population_seed(const v1::Network& net, size_t population) {
  const auto& pop = net.populations(static_cast<int>(population));
  if (pop.has_seed()) return pop.seed();
  return derive_seed(net.run().seed(), "population:" + pop.label());
}

uint64_t projection_seed(const v1::Network& net, size_t projection) {
  const auto& proj = net.projections(static_cast<int>(projection));
  if (proj.has_seed()) return proj.seed();
  const std::string name = proj.label().empty() ? fmt::format("#{}", projection) : proj.label();
  return derive_seed(net.run().seed(), "projection:" + name);
}

std::vector<double> expand_value(const v1::ParameterValue& value, size_t n, uint64_t default_seed,
                                 double default_value) {
  switch (value.value_case()) {
    case v1::ParameterValue::kConstant: return std::vector<double>(n, value.constant());
    case v1::ParameterValue::kList: {
      if (static_cast<size_t>(value.list().values_size()) != n) {
        throw std::invalid_argument(
            fmt::format("list of {} values where {} are needed", value.list().values_size(), n));
      }
      return {value.list().values().begin(), value.list().values().end()};
    }
    case v1::ParameterValue::kRandom: {
      Rng rng(value.random().has_seed() ? value.random().seed() : default_seed);
      std::vector<double> out(n);
      for (auto& x : out) x = draw(value.random(), rng);
      return out;
    }
    default: return std::vector<double>(n, default_value);
  }
}

std::string cell_type_name(const v1::Population& pop) {
  const auto* oneof = v1::Population::descriptor()->FindOneofByName("cell_type");
  const auto* field = pop.GetReflection()->GetOneofFieldDescriptor(pop, oneof);
  return field == nullptr ? std::string() : field->name();
}

bool is_spike_source(const v1::Population& pop) {
  const cells::CellType* t = cells::find_cell_type(pop.cell_type_case());
  return t != nullptr && t->is_source();
}

std::vector<std::string> parameter_names(const v1::Population& pop) {
  std::vector<std::string> out;
  if (const cells::CellType* t = cells::find_cell_type(pop.cell_type_case()))
    for (const cells::Parameter& p : t->parameters)
      if (!p.state) out.emplace_back(p.name);
  return out;
}

double parameter_default(const v1::Population& pop, std::string_view name) {
  if (const cells::CellType* t = cells::find_cell_type(pop.cell_type_case()))
    if (const cells::Parameter* p = t->find(name); p != nullptr && !p->state) return p->default_value;
  throw std::invalid_argument(
      fmt::format("cell type '{}' has no parameter '{}'", cell_type_name(pop), name));
}

std::vector<double> population_parameter(const v1::Network& net, size_t population, std::string_view name) {
  const auto& pop = net.populations(static_cast<int>(population));
  const size_t n = pop.size();
  const uint64_t seed = population_seed(net, population);
  const cells::CellType* type = cells::find_cell_type(pop.cell_type_case());
  if (const cells::Parameter* state = type != nullptr ? type->find(name) : nullptr; state != nullptr && state->state) {
    // A state variable: its initial value, else the parameter it starts at
    // (IF's v at v_rest), else the type's default.
    const std::string key = fmt::format("initial_values.{}", name);
    const auto* field = v1::InitialValues::descriptor()->FindFieldByName(std::string(name));
    const v1::ParameterValue* pv = nullptr;
    if (field != nullptr && pop.initial_values().GetReflection()->HasField(pop.initial_values(), field))
      pv = static_cast<const v1::ParameterValue*>(
          &pop.initial_values().GetReflection()->GetMessage(pop.initial_values(), field));
    if (pv != nullptr && pv->value_case() != v1::ParameterValue::VALUE_NOT_SET)
      return expand_value(*pv, n, derive_seed(seed, key), 0.0);
    if (!state->initial_from.empty()) return population_parameter(net, population, state->initial_from);
    return std::vector<double>(n, state->default_value);
  }
  for (const cells::CellType* t : cells::cell_types())
    if (const cells::Parameter* other = t->find(name); other != nullptr && other->state)
      throw std::invalid_argument(fmt::format("cell type '{}' has no state variable '{}'", cell_type_name(pop), name));
  const double def = parameter_default(pop, name);
  const v1::ParameterValue* pv = cell_value(pop, name);
  if (pv == nullptr) return std::vector<double>(n, def);
  return expand_value(*pv, n, derive_seed(seed, name), def);
}

int64_t delay_to_ticks(double delay_ms, double timestep_ms) {
  return static_cast<int64_t>(std::floor(delay_ms / timestep_ms + 0.5 + 1e-9));
}

int64_t fixed_synapse_count(const v1::Network& net, size_t projection) {
  const auto& proj = net.projections(static_cast<int>(projection));
  return fixed_synapse_count(net, projection, find_population(net, proj.pre()), find_population(net, proj.post()));
}

int64_t fixed_synapse_count(const v1::Network& net, size_t projection, int pi, int qi) {
  const auto& proj = net.projections(static_cast<int>(projection));
  if (pi < 0 || qi < 0) return -1;
  const int64_t n_pre = net.populations(pi).size(), n_post = net.populations(qi).size();
  const auto& c = proj.connector();
  switch (c.kind_case()) {
    case v1::Connector::kAllToAll: {
      const bool self = !c.all_to_all().has_allow_self_connections() || c.all_to_all().allow_self_connections();
      return n_pre * n_post - (pi == qi && !self ? n_pre : 0);
    }
    case v1::Connector::kOneToOne: return n_pre;
    case v1::Connector::kFixedNumberPre: return int64_t{c.fixed_number_pre().n()} * n_post;
    case v1::Connector::kFixedNumberPost: return int64_t{c.fixed_number_post().n()} * n_pre;
    case v1::Connector::kFromList: return c.from_list().connections_size();
    case v1::Connector::kLowRank: return c.low_rank().has_threshold() ? -1 : n_pre * n_post;
    default: return -1;
  }
}

namespace {

// Chooses n distinct values of [0, m) (Floyd's algorithm), or n values with
// replacement, sorted ascending; `skip`, when >= 0, is left out of the range
// (the index space is [0, m) with values >= skip shifted up by one).
template <class R>
void choose(R& rng, uint32_t n, uint32_t m, int64_t skip, bool with_replacement, std::vector<uint32_t>& stamp,
            uint32_t stamp_id, std::vector<uint32_t>& out) {
  out.clear();
  if (with_replacement) {
    for (uint32_t k = 0; k < n; ++k) out.push_back(static_cast<uint32_t>(rng.below(m)));
  } else {
    for (uint32_t j = m - n; j < m; ++j) {
      auto t = static_cast<uint32_t>(rng.below(uint64_t{j} + 1));
      if (stamp[t] == stamp_id) t = j;
      stamp[t] = stamp_id;
      out.push_back(t);
    }
  }
  std::sort(out.begin(), out.end());
  if (skip >= 0) {
    for (auto& x : out) {
      if (x >= skip) ++x;
    }
  }
}

bool allow_self(const auto& m) { return !m.has_allow_self_connections() || m.allow_self_connections(); }

// Weights or delays of the synapses onto posts [lo, lo + n): a constant, the
// k-th list value (k: the synapse's index in the whole projection), or the
// next draw of the post neuron's own stream.
class SynapseValues {
 public:
  SynapseValues(const v1::ParameterValue& value, uint64_t default_seed, double default_value, uint32_t lo, uint32_t n)
      : value_(value), default_(default_value), lo_(lo) {
    if (value.value_case() == v1::ParameterValue::kRandom) {
      const uint64_t seed = value.random().has_seed() ? value.random().seed() : default_seed;
      streams_.reserve(n);
      for (uint32_t j = 0; j < n; ++j) streams_.emplace_back(index_seed(seed, uint64_t{lo} + j));
    }
  }
  double next(uint32_t post, int64_t k) {
    switch (value_.value_case()) {
      case v1::ParameterValue::kConstant: return value_.constant();
      case v1::ParameterValue::kList:
        if (k < 0 || k >= value_.list().values_size())
          throw std::invalid_argument(fmt::format("list of {} values has no value for synapse {}",
                                                  value_.list().values_size(), k));
        return value_.list().values(static_cast<int>(k));
      case v1::ParameterValue::kRandom: return draw(value_.random(), streams_[post - lo_]);
      default: return default_;
    }
  }

 private:
  const v1::ParameterValue& value_;
  double default_;
  uint32_t lo_;
  std::vector<StreamRng> streams_;
};

struct ProjectionShape {
  uint32_t n_pre = 0, n_post = 0;
  bool same = false;
};

ProjectionShape shape_of(const v1::Network& net, const v1::Projection& proj) {
  const int pi = find_population(net, proj.pre()), qi = find_population(net, proj.post());
  if (pi < 0 || qi < 0) throw std::invalid_argument("projection names an unknown population");
  return {net.populations(pi).size(), net.populations(qi).size(), pi == qi};
}

// The synapses onto posts [lo, hi) in connector order, weights and delays
// unset; `k` of each is its index in the whole projection (-1: unknown,
// only for connectors that take no lists). Connectors drawn per post neuron
// generate only the range; the others generate everything and filter.
// `add(pre, post, k, low_rank_weight)` is a template parameter, not a
// std::function: it runs once per synapse (0.3e9 for the microcircuit).
template <class Add>
void connect(const v1::Network& net, size_t projection, uint32_t lo, uint32_t hi, Add&& add) {
  const auto& proj = net.projections(static_cast<int>(projection));
  const auto [n_pre, n_post, same] = shape_of(net, proj);
  const uint64_t seed = derive_seed(projection_seed(net, projection), "connector");
  const auto& c = proj.connector();
  const double no_w = 0.0;

  switch (c.kind_case()) {
    case v1::Connector::kAllToAll: {
      const bool self = allow_self(c.all_to_all());
      for (uint32_t i = 0; i < n_pre; ++i)
        for (uint32_t j = lo; j < hi; ++j) {
          if (!self && same && i == j) continue;
          // Self pairs before (i, j) in pre-major order: (0,0) .. (i-1,i-1), and (i,i) when j > i.
          const int64_t skipped = (!self && same) ? int64_t{i} + (j > i ? 1 : 0) : 0;
          add(i, j, int64_t{i} * n_post + j - skipped, no_w);
        }
      break;
    }
    case v1::Connector::kOneToOne:
      for (uint32_t j = lo; j < std::min(hi, std::min(n_pre, n_post)); ++j) add(j, j, j, no_w);
      break;
    case v1::Connector::kFixedProbability: {
      const double p = c.fixed_probability().p();
      const bool self = allow_self(c.fixed_probability());
      if (p <= 0.0) break;
      const double log1m_p = std::log1p(-p);
      for (uint32_t j = lo; j < hi; ++j) {
        StreamRng rng(index_seed(seed, j));
        // Gaps between successive connected pres are geometric: the same
        // as one Bernoulli(p) per pair, in time proportional to the synapses.
        for (uint64_t i = p >= 1.0 ? 0 : rng.geometric(log1m_p); i < n_pre;) {
          if (self || !same || i != j) add(static_cast<uint32_t>(i), j, -1, no_w);
          const uint64_t gap = p >= 1.0 ? 0 : rng.geometric(log1m_p);
          if (gap >= n_pre) break;
          i += 1 + gap;
        }
      }
      break;
    }
    case v1::Connector::kFixedNumberPre: {
      const auto& fn = c.fixed_number_pre();
      const bool skip = same && !allow_self(fn);
      const uint32_t m = skip ? n_pre - 1 : n_pre;
      if (fn.n() > 0 && (m == 0 || (!fn.with_replacement() && fn.n() > m)))
        throw std::invalid_argument("fixed_number connector: not enough neurons to choose from");
      std::vector<uint32_t> stamp(n_pre, UINT32_MAX), chosen;
      for (uint32_t j = lo; j < hi; ++j) {
        StreamRng rng(index_seed(seed, j));
        choose(rng, fn.n(), m, skip ? int64_t{j} : -1, fn.with_replacement(), stamp, j, chosen);
        for (uint32_t r = 0; r < chosen.size(); ++r) add(chosen[r], j, int64_t{j} * fn.n() + r, no_w);
      }
      break;
    }
    case v1::Connector::kFixedNumberPost: {
      // One stream over the pre neurons: every pre may reach any post.
      const auto& fn = c.fixed_number_post();
      const bool skip = same && !allow_self(fn);
      const uint32_t m = skip ? n_post - 1 : n_post;
      if (fn.n() > 0 && (m == 0 || (!fn.with_replacement() && fn.n() > m)))
        throw std::invalid_argument("fixed_number connector: not enough neurons to choose from");
      Rng rng(seed);
      std::vector<uint32_t> stamp(n_post, UINT32_MAX), chosen;
      int64_t k = 0;
      for (uint32_t i = 0; i < n_pre; ++i) {
        choose(rng, fn.n(), m, skip ? int64_t{i} : -1, fn.with_replacement(), stamp, i, chosen);
        for (uint32_t s : chosen) {
          if (s >= lo && s < hi) add(i, s, k, no_w);
          ++k;
        }
      }
      break;
    }
    case v1::Connector::kFromList: {
      int64_t k = 0;
      for (const auto& e : c.from_list().connections()) {
        if (e.pre() >= n_pre || e.post() >= n_post) throw std::invalid_argument("from_list index out of range");
        if (e.post() >= lo && e.post() < hi) add(e.pre(), e.post(), k, no_w);
        ++k;
      }
      break;
    }
    case v1::Connector::kLowRank: {
      const auto& lr = c.low_rank();
      const uint32_t r = lr.rank();
      if (r == 0 || static_cast<size_t>(lr.u_size()) != size_t{n_pre} * r ||
          static_cast<size_t>(lr.v_size()) != size_t{n_post} * r)
        throw std::invalid_argument("low_rank factor shapes do not match the populations");
      for (uint32_t i = 0; i < n_pre; ++i)
        for (uint32_t j = lo; j < hi; ++j) {
          double w = 0.0;
          for (uint32_t q = 0; q < r; ++q) w += lr.u(static_cast<int>(i * r + q)) * lr.v(static_cast<int>(j * r + q));
          if (lr.has_threshold() && std::fabs(w) < lr.threshold()) continue;
          // Lists are not allowed with a threshold, so k matters only without one.
          add(i, j, lr.has_threshold() ? -1 : int64_t{i} * n_post + j, w);
        }
      break;
    }
    default: throw std::invalid_argument("projection without a connector");
  }
}

}  // namespace

namespace {

// A synapse's weight (each synapse draws from its post's weight stream even
// where a list entry's own weight overrides the draw, so that one synapse's
// value never depends on which others a list entry overrides).
double synapse_weight(SynapseValues& weights, const v1::Connector& c, uint32_t post, int64_t k, double low_rank_w) {
  if (c.kind_case() == v1::Connector::kLowRank) return low_rank_w;
  const double w = weights.next(post, k);
  if (c.kind_case() == v1::Connector::kFromList && k >= 0) {  // a list entry always has its index
    const auto& e = c.from_list().connections(static_cast<int>(k));
    if (e.has_weight()) return e.weight();
  }
  return w;
}

}  // namespace

bool expands_per_post(const v1::Network& net, size_t projection) {
  const auto kind = net.projections(static_cast<int>(projection)).connector().kind_case();
  return kind != v1::Connector::kFixedNumberPost && kind != v1::Connector::kFromList;
}

void for_each_synapse_onto(const v1::Network& net, size_t projection, uint32_t post_lo, uint32_t post_n,
                           const std::function<void(std::span<const Synapse>)>& sink) {
  const auto& proj = net.projections(static_cast<int>(projection));
  const ProjectionShape shape = shape_of(net, proj);
  if (uint64_t{post_lo} + post_n > shape.n_post)
    throw std::invalid_argument(fmt::format("post neurons {}..{} are outside the population of {}", post_lo,
                                            uint64_t{post_lo} + post_n, shape.n_post));
  const uint64_t seed = projection_seed(net, projection);
  const double dt = net.run().timestep_ms();
  const auto& c = proj.connector();
  const bool from_list = c.kind_case() == v1::Connector::kFromList;
  SynapseValues weights(proj.weight(), derive_seed(seed, "weight"), 0.0, post_lo, post_n);
  SynapseValues delays(proj.delay(), derive_seed(seed, "delay"), dt, post_lo, post_n);
  // Synapses go to the sink in batches, so its (type-erased) call is paid
  // once per batch rather than once per synapse.
  std::array<Synapse, kSynapseBatch> batch;
  size_t filled = 0;

  connect(net, projection, post_lo, post_lo + post_n, [&](uint32_t i, uint32_t j, int64_t k, double low_rank_w) {
    Synapse& s = batch[filled];
    s = Synapse{i, j, 0.0, 0.0, 0};
    // Every synapse draws from its post's weight and delay streams, so one
    // synapse's value never depends on which others a list entry overrides.
    s.weight = synapse_weight(weights, c, j, k, low_rank_w);
    s.delay = delays.next(j, k);
    if (from_list) {
      const auto& e = c.from_list().connections(static_cast<int>(k));
      if (e.has_delay()) s.delay = e.delay();
    }
    const int64_t ticks = delay_to_ticks(s.delay, dt);
    s.delay_ticks = static_cast<uint32_t>(std::clamp<int64_t>(ticks, 1, INT64_C(0xFFFFFFFF)));
    if (++filled == batch.size()) {
      sink(std::span<const Synapse>(batch.data(), filled));
      filled = 0;
    }
  });
  if (filled) sink(std::span<const Synapse>(batch.data(), filled));
}

WeightExtremes weight_extremes(const v1::Network& net, size_t projection, uint32_t post_lo, uint32_t post_n) {
  const auto& proj = net.projections(static_cast<int>(projection));
  const ProjectionShape shape = shape_of(net, proj);
  if (uint64_t{post_lo} + post_n > shape.n_post)
    throw std::invalid_argument(fmt::format("post neurons {}..{} are outside the population of {}", post_lo,
                                            uint64_t{post_lo} + post_n, shape.n_post));
  SynapseValues weights(proj.weight(), derive_seed(projection_seed(net, projection), "weight"), 0.0, post_lo, post_n);
  const auto& c = proj.connector();
  WeightExtremes e;
  connect(net, projection, post_lo, post_lo + post_n, [&](uint32_t, uint32_t j, int64_t k, double low_rank_w) {
    const double w = synapse_weight(weights, c, j, k, low_rank_w);
    ++e.synapses;
    e.largest_abs = std::max(e.largest_abs, std::fabs(w));
    if (w != 0.0) {  // a zero weight has no sign
      e.lowest_nonzero = std::min(e.lowest_nonzero, w);
      e.highest_nonzero = std::max(e.highest_nonzero, w);
    }
  });
  return e;
}

double largest_abs_weight(const v1::Network& net, size_t projection, uint32_t post_lo, uint32_t post_n) {
  return weight_extremes(net, projection, post_lo, post_n).largest_abs;
}

std::vector<Synapse> expand_projection_onto(const v1::Network& net, size_t projection, uint32_t post_lo,
                                            uint32_t post_n) {
  std::vector<Synapse> syn;
  for_each_synapse_onto(net, projection, post_lo, post_n,
                        [&](std::span<const Synapse> b) { syn.insert(syn.end(), b.begin(), b.end()); });
  return syn;
}

std::vector<Synapse> expand_projection(const v1::Network& net, size_t projection) {
  const auto& proj = net.projections(static_cast<int>(projection));
  return expand_projection_onto(net, projection, 0, shape_of(net, proj).n_post);
}

}  // namespace spindle::host::network
