#include "mapping/from_network.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "image/format.h"
#include "synapse/plasticity/dopamine_history.h"
#include "synapse/plasticity/post_history.h"
#include "network/cells.h"
#include "network/expand.h"
#include "network/recording_selection.h"
#include "network/run_settings.h"
#include "synapses/synapse_type.h"
#include "neuron/models.h"

namespace spindle::host {

namespace v1 = spindle::v1;

namespace {

// Upper end of a delay value (ms); nullopt-like NaN when it has no value.
double value_max(const v1::ParameterValue& pv) {
  switch (pv.value_case()) {
    case v1::ParameterValue::kConstant: return pv.constant();
    case v1::ParameterValue::kList: {
      double hi = std::numeric_limits<double>::quiet_NaN();
      for (double x : pv.list().values()) hi = std::isnan(hi) ? x : std::max(hi, x);
      return hi;
    }
    case v1::ParameterValue::kRandom: {
      const auto& r = pv.random();
      if (r.has_uniform()) return r.uniform().high();
      const auto& nd = r.normal();
      if (nd.has_clip_high()) return nd.clip_high();
      return nd.mean();  // validation rejects unbounded delays; only sd == 0 gets here
    }
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

double duration_s(const v1::Network& net) {
  const double ms = net.run().duration_ms();
  return ms > 0 ? ms * 1e-3 : 1.0;
}

// Recorded data kept in SDRAM for the whole run, spread evenly over the
// population's neurons, plus one DTCM buffer word per neuron and variable.
// As the cores record it: the union of the population's recordings
// (network/recording_selection.h): every neuron's spikes, the state
// variables any recording names, of the neurons any names, every gcd of
// the intervals.
void add_recording_costs(const v1::Network& net, size_t population, ApplicationVertex& v) {
  const auto& pop = net.populations(static_cast<int>(population));
  const double dt = net.run().timestep_ms();
  const double ticks = dt > 0 ? std::ceil(net.run().duration_ms() / dt) : 0;
  bool spikes = false, all_neurons = false;
  std::set<int> variables;
  std::set<uint32_t> neurons;
  for (const auto& rec : net.recordings()) {
    if (rec.population() != pop.label()) continue;
    bool state = false;
    for (int var : rec.variables()) {
      if (var == v1::SPIKES) {
        spikes = true;
      } else {
        variables.insert(var);
        state = true;
      }
    }
    if (!state) continue;
    if (rec.neurons().empty()) all_neurons = true;
    else neurons.insert(rec.neurons().begin(), rec.neurons().end());
  }
  const double interval = network::RecordingSelection(net).core_interval_ticks(static_cast<uint32_t>(population));
  const double n_state = all_neurons ? pop.size() : static_cast<double>(neurons.size());
  double bytes = 0;
  if (spikes) {
    bytes += std::ceil(pop.size() / 32.0) * 4 * ticks;  // a bit per neuron and tick, in words
    v.dtcm_bytes_per_atom += 4;
  }
  bytes += n_state * 4 * std::ceil(ticks / interval) * static_cast<double>(variables.size());  // a word a sample
  v.dtcm_bytes_per_atom += 4 * static_cast<uint32_t>(variables.size());
  // Saturated: a recording too large for any core (a long run) must stay too
  // large, so the partition refuses it, not wrap round to a small figure.
  if (bytes > 0) {
    const double per_atom = std::ceil(bytes / pop.size()) + v.sdram_bytes_per_atom;
    v.sdram_bytes_per_atom =
        per_atom >= static_cast<double>(UINT32_MAX) ? UINT32_MAX : static_cast<uint32_t>(per_atom);
  }
}

}  // namespace

double expected_synapses(const v1::Network& net, size_t projection, const DrawnWeights* drawn) {
  const int64_t fixed = network::fixed_synapse_count(net, projection);
  if (fixed >= 0) return static_cast<double>(fixed);
  const auto& proj = net.projections(static_cast<int>(projection));
  const auto& c = proj.connector();
  if (c.has_fixed_probability()) {
    const int pi = network::find_population(net, proj.pre()), qi = network::find_population(net, proj.post());
    if (pi < 0 || qi < 0) throw std::invalid_argument("projections[" + std::to_string(projection) + "]: unknown population");
    const double n_pre = net.populations(pi).size(), n_post = net.populations(qi).size();
    const auto& fp = c.fixed_probability();
    const bool self = !fp.has_allow_self_connections() || fp.allow_self_connections();
    const double pairs = n_pre * n_post - (pi == qi && !self ? n_pre : 0);
    return fp.p() * pairs;
  }
  // Thresholded low_rank: only a draw knows.
  if (drawn != nullptr && projection < drawn->size() && (*drawn)[projection])
    return static_cast<double>((*drawn)[projection]->synapses);
  DrawnWeights own;
  std::vector<bool> which(projection + 1, false);
  which[projection] = true;
  draw_weights(net, which, own, 1);
  return own[projection] ? static_cast<double>(own[projection]->synapses) : 0.0;
}

bool count_needs_draw(const v1::Network& net, size_t projection) {
  return network::fixed_synapse_count(net, projection) < 0 &&
         !net.projections(static_cast<int>(projection)).connector().has_fixed_probability();
}

uint32_t max_delay_ticks(const v1::Network& net, size_t projection) {
  const auto& proj = net.projections(static_cast<int>(projection));
  const double dt = net.run().timestep_ms();
  double hi = proj.has_delay() ? value_max(proj.delay()) : std::numeric_limits<double>::quiet_NaN();
  if (proj.connector().has_from_list()) {
    double list_hi = std::numeric_limits<double>::quiet_NaN();
    for (const auto& con : proj.connector().from_list().connections()) {
      const double d = con.has_delay() ? con.delay() : (std::isnan(hi) ? dt : hi);
      list_hi = std::isnan(list_hi) ? d : std::max(list_hi, d);
    }
    hi = list_hi;
  }
  if (std::isnan(hi)) return 1;  // unset: one timestep
  const int64_t ticks = network::delay_to_ticks(hi, dt);
  return static_cast<uint32_t>(std::clamp<int64_t>(ticks, 1, std::numeric_limits<uint32_t>::max()));
}

std::string unrunnable_synapses_problem(const v1::Network& net) {
  // A core runs one STDP rule on one receptor (its post-spike traces are
  // the rule's, its weights in that receptor's units), as sPyNNaker runs one
  // synapse dynamics per post population.
  std::map<std::string, int> first_onto;  // post label -> first plastic projection onto it
  for (int j = 0; j < net.projections_size(); ++j) {
    const v1::Projection& p = net.projections(j);
    const synapses::SynapseType* t = synapses::synapse_type_of(p);
    if (t == nullptr || !t->plastic) continue;
    const auto [it, fresh] = first_onto.emplace(p.post(), j);
    if (fresh) continue;
    const v1::Projection& q = net.projections(it->second);
    const std::string here = "projections[" + std::to_string(j) + "].synapse_dynamics." + std::string(t->name);
    const std::string there = "projections[" + std::to_string(it->second) + "]";
    if (p.receptor() != q.receptor())
      return here + ": plastic projections onto one population must use one receptor; " + there + " onto '" +
             p.post() + "' uses another (a core runs one STDP rule on one receptor)";
    if (p.synapse_dynamics().SerializeAsString() != q.synapse_dynamics().SerializeAsString())
      return here + ": plastic projections onto one population must share one STDP mechanism; " + there + " onto '" +
             p.post() + "' has other parameters (a core runs one STDP rule, as sPyNNaker runs one synapse dynamics "
             "per post population)";
  }
  return "";
}

ApplicationGraph graph_from_network(const v1::Network& net, DrawnWeights* drawn, unsigned threads) {
  if (const std::string problem = unrunnable_synapses_problem(net); !problem.empty())
    throw std::invalid_argument(problem);
  DrawnWeights own;
  DrawnWeights& draws = drawn ? *drawn : own;
  std::vector<bool> which(static_cast<size_t>(net.projections_size()));
  for (size_t j = 0; j < which.size(); ++j) which[j] = count_needs_draw(net, j);
  draw_weights(net, which, draws, threads);
  const std::vector<bool> neuromodulated = neuromodulated_populations(net);
  ApplicationGraph g;
  for (int i = 0; i < net.populations_size(); ++i) {
    const auto& pop = net.populations(i);
    ApplicationVertex v;
    v.label = pop.label();
    v.n_atoms = pop.size();
    const cells::CellType* type = cells::find_cell_type(pop.cell_type_case());
    if (type == nullptr) throw std::invalid_argument("populations[" + std::to_string(i) + "]: no cell type");
    v.cycles_per_atom = type->cycles_per_atom;
    v.dtcm_bytes_per_atom = type->dtcm_bytes_per_atom;
    switch (type->source) {
      case cells::SourceKind::kNone:
        v.n_synapse_types =
            synapse_type_count(cells::synapse_inputs(pop).count(), neuromodulated[static_cast<size_t>(i)]);
        v.neuron_state_words = type->state_words;
        v.rate_hz = kGuessNeuronRateHz;
        break;
      case cells::SourceKind::kPoisson: {
        double sum = 0;
        for (const auto& s : network::poisson_sources(net, static_cast<size_t>(i))) sum += s.rate;
        v.rate_hz = pop.size() > 0 ? sum / pop.size() : 0;
        v.max_atoms_per_core = fw::kMaxSourcesPerCore;  // a source core's arrays, on every build
        break;
      }
      case cells::SourceKind::kArray: {
        size_t spikes = 0;
        for (const auto& t : network::spike_array_times(net, static_cast<size_t>(i))) spikes += t.size();
        v.sdram_bytes_per_atom =
            static_cast<uint32_t>((spikes * sizeof(fw::image::SpikeTime) + pop.size() - 1) / std::max(1u, pop.size()));
        v.rate_hz = pop.size() > 0 ? static_cast<double>(spikes) / pop.size() / duration_s(net) : 0;
        v.max_atoms_per_core = fw::kMaxSourcesPerCore;
        break;
      }
    }
    add_recording_costs(net, static_cast<size_t>(i), v);
    if (pop.max_neurons_per_core() > 0)  // the user's cap, within a source core's arrays
      v.max_atoms_per_core = v.max_atoms_per_core ? std::min(v.max_atoms_per_core, pop.max_neurons_per_core())
                                                  : pop.max_neurons_per_core();
    g.vertices.push_back(std::move(v));
  }
  for (int j = 0; j < net.projections_size(); ++j) {
    const auto& proj = net.projections(j);
    const int pi = network::find_population(net, proj.pre()), qi = network::find_population(net, proj.post());
    if (pi < 0 || qi < 0)
      throw std::invalid_argument("projections[" + std::to_string(j) + "]: unknown population");
    ApplicationEdge e;
    e.pre = static_cast<uint32_t>(pi);
    e.post = static_cast<uint32_t>(qi);
    e.n_synapses = expected_synapses(net, static_cast<size_t>(j), &draws);
    e.max_delay_ticks = max_delay_ticks(net, static_cast<size_t>(j));
    e.reach = proj.connector().has_one_to_one() ? EdgeReach::kSameIndices : EdgeReach::kAllSlices;
    if (const synapses::SynapseType* t = synapses::synapse_type_of(proj)) {
      e.row_header_words = t->row_header_words;
      e.words_per_synapse = t->words_per_synapse;
    }
    g.edges.push_back(e);
  }
  // A population with plastic synapses onto it keeps a post-spike history
  // per neuron in its cores' images (core-image.md, region 9), and with
  // neuromodulated ones a dopamine history too (region 10).
  std::vector<bool> plastic_post(g.vertices.size(), false);
  for (int j = 0; j < net.projections_size(); ++j)
    if (net.projections(j).synapse_dynamics().has_stdp()) plastic_post[g.edges[static_cast<size_t>(j)].post] = true;
  for (size_t v = 0; v < g.vertices.size(); ++v) {
    if (plastic_post[v]) g.vertices[v].sdram_bytes_per_atom += 4 * fw::stdp::PostHistoryView<>::kWordsPerNeuron;
    if (neuromodulated[v]) g.vertices[v].sdram_bytes_per_atom += 4 * fw::stdp::DopamineHistoryView<>::kWordsPerNeuron;
  }
  return g;
}

CostModel cost_model_for(const v1::Network& net) {
  CostModel cost;
  cost.timestep_us = network::timestep_us(net.run());
  cost.time_scale_factor = network::time_scale_factor(net.run());
  // A synaptic event costs what the dearest synapse type in the network
  // costs (static synapses: one word into the ring buffer).
  for (const auto& proj : net.projections())
    if (const synapses::SynapseType* t = synapses::synapse_type_of(proj))
      cost.cycles_per_synaptic_event = std::max(cost.cycles_per_synaptic_event, t->cycles_per_event);
  return cost;
}

}  // namespace spindle::host
