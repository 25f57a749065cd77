#include "network/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

#include "cells/cell_type.h"
#include "synapses/stdp_params.h"
#include "synapses/synapse_type.h"
#include "network/expand.h"
#include "network/labels.h"
#include "network/neuron_modes.h"
#include "network/random.h"
#include "network/run_settings.h"
#include "network/value_rules.h"
#include "config/limits.h"
#include "synapse/plasticity/neuromodulation_fixed.h"
#include "synapse/plasticity/stdp_lut_builder.h"

namespace spindle::host::network {
namespace {

namespace v1 = spindle::v1;
namespace pb = google::protobuf;

// "if_curr_exp, ..., spike_source_poisson or spike_source_array": the
// registry's types, for messages.
std::string cell_type_list() {
  std::string out;
  const auto types = cells::cell_types();
  for (size_t i = 0; i < types.size(); ++i)
    out += (i == 0 ? "" : i + 1 == types.size() ? " or " : ", ") + std::string(types[i]->name);
  return out;
}

std::string synapse_type_list() {
  std::string out;
  for (const synapses::SynapseType* t : synapses::synapse_types()) out += (out.empty() ? "" : ", ") + std::string(t->name);
  return out;
}

// The types that have state variable `name` ("izhikevich" for u).
std::string types_with_state(std::string_view name) {
  std::string out;
  for (const cells::CellType* t : cells::cell_types())
    if (const cells::Parameter* p = t->find(name); p != nullptr && p->state)
      out += (out.empty() ? "" : ", ") + std::string(t->name);
  return out.empty() ? "no cell type" : out;
}

constexpr double kInf = std::numeric_limits<double>::infinity();
// A core's timer period is a 32-bit count of microseconds; an hour is ample.
constexpr double kMaxTickPeriodUs = 3600e6;
static_assert(kMaxDelayTicks + 1 == spindle::fw::kMaxRingSlots, "the delay limit is the ring buffer's");

class Checker {
 public:
  explicit Checker(const v1::Network& net) : net_(net) {
    // By label, the first population with it (as find_population): one
    // look-up per reference instead of a scan.
    for (int i = 0; i < net.populations_size(); ++i) index_.emplace(net.populations(i).label(), i);
  }

  std::vector<ValidationError> run() {
    check_run();
    check_populations();
    check_projections();
    check_recordings();
    check_mode_switches();
    return std::move(errors_);
  }

 private:
  void error(std::string path, std::string message) { errors_.push_back({std::move(path), std::move(message)}); }

  // ---- values ---------------------------------------------------------

  // Structural checks of a ParameterValue: something set, finite numbers,
  // list length (when `n` >= 0), sane distributions. Returns false if the
  // value cannot be expanded.
  bool check_value(const std::string& path, const v1::ParameterValue& pv, int64_t n, const char* list_what) {
    switch (pv.value_case()) {
      case v1::ParameterValue::kConstant:
        if (!std::isfinite(pv.constant())) {
          error(path + ".constant", fmt::format("must be finite, got {}", pv.constant()));
          return false;
        }
        return true;
      case v1::ParameterValue::kList: {
        bool ok = true;
        if (n >= 0 && pv.list().values_size() != n) {
          error(path + ".list", fmt::format("has {} values, must have {} (one per {})", pv.list().values_size(), n,
                                            list_what));
          ok = false;
        }
        for (int k = 0; k < pv.list().values_size(); ++k) {
          if (!std::isfinite(pv.list().values(k))) {
            error(fmt::format("{}.list.values[{}]", path, k), fmt::format("must be finite, got {}", pv.list().values(k)));
            ok = false;
          }
        }
        return ok;
      }
      case v1::ParameterValue::kRandom: {
        const auto& r = pv.random();
        const std::string rp = path + ".random";
        switch (r.distribution_case()) {
          case v1::RandomDistribution::kUniform: {
            const auto& u = r.uniform();
            if (!std::isfinite(u.low()) || !std::isfinite(u.high())) {
              error(rp + ".uniform", "low and high must be finite");
              return false;
            }
            if (u.low() > u.high()) {
              error(rp + ".uniform", fmt::format("low must be <= high, got low {} > high {}", u.low(), u.high()));
              return false;
            }
            return true;
          }
          case v1::RandomDistribution::kNormal: {
            const auto& nd = r.normal();
            const std::string np = rp + ".normal";
            bool ok = true;
            if (!std::isfinite(nd.mean())) {
              error(np + ".mean", fmt::format("must be finite, got {}", nd.mean()));
              ok = false;
            }
            if (!std::isfinite(nd.sd()) || nd.sd() < 0) {
              error(np + ".sd", fmt::format("must be >= 0, got {}", nd.sd()));
              ok = false;
            }
            if (nd.has_clip_low() && std::isnan(nd.clip_low())) {
              error(np + ".clip_low", "must not be NaN");
              ok = false;
            }
            if (nd.has_clip_high() && std::isnan(nd.clip_high())) {
              error(np + ".clip_high", "must not be NaN");
              ok = false;
            }
            if (!ok) return false;
            const double lo = nd.has_clip_low() ? nd.clip_low() : -kInf;
            const double hi = nd.has_clip_high() ? nd.clip_high() : kInf;
            if (lo > hi) {
              error(np, fmt::format("clip_low must be <= clip_high, got {} > {}", lo, hi));
              return false;
            }
            if (nd.clip_mode() == v1::Normal::REDRAW) {
              double mass;
              if (nd.sd() == 0) {
                mass = (nd.mean() >= lo && nd.mean() <= hi) ? 1.0 : 0.0;
              } else {
                auto cdf = [&](double x) { return 0.5 * std::erfc(-(x - nd.mean()) / (nd.sd() * std::sqrt(2.0))); };
                mass = cdf(hi) - cdf(lo);
              }
              if (mass < 1e-3) {
                error(np, fmt::format("clip range [{}, {}] holds {:.3g} of the distribution; too little to redraw "
                                      "into (use clip_mode TO_BOUNDARY or widen it)",
                                      lo, hi, mass));
                return false;
              }
            }
            return true;
          }
          default: error(rp, "must set a distribution (uniform or normal)"); return false;
        }
      }
      default: error(path, "must set one of constant, list or random"); return false;
    }
  }

  // ---- run --------------------------------------------------------------

  void check_run() {
    const auto& r = net_.run();
    if (!(r.timestep_ms() > 0) || !std::isfinite(r.timestep_ms()))
      error("run.timestep_ms", fmt::format("must be > 0, got {}", r.timestep_ms()));
    if (!(r.duration_ms() >= 0) || !std::isfinite(r.duration_ms())) {
      error("run.duration_ms", fmt::format("must be >= 0, got {}", r.duration_ms()));
    } else if (dt_ok()) {
      if (const RunTicks t = duration_ticks(r.duration_ms(), r.timestep_ms()); !t.error.empty())
        error("run.duration_ms", t.error);
    }
    const double tsf = r.time_scale_factor();
    if (!(tsf >= 0) || !std::isfinite(tsf)) {
      error("run.time_scale_factor", fmt::format("must be > 0 (or 0 / unset for the default), got {}", tsf));
    } else if (dt_ok()) {
      const double factor = time_scale_factor(r);  // the default where unset
      if (double(timestep_us(r)) * factor > kMaxTickPeriodUs)
        error(tsf > 0 ? "run.time_scale_factor" : "run.timestep_ms",
              fmt::format("timestep x time_scale_factor must be at most {} s (a core's timer period), got {} ms x {}",
                          kMaxTickPeriodUs / 1e6, r.timestep_ms(), factor));
    }
  }

  bool dt_ok() const { return net_.run().timestep_ms() > 0 && std::isfinite(net_.run().timestep_ms()); }

  // ---- populations ------------------------------------------------------

  void check_populations() {
    std::map<std::string, int> seen;
    for (int i = 0; i < net_.populations_size(); ++i) {
      const auto& pop = net_.populations(i);
      const std::string p = fmt::format("populations[{}]", i);
      if (const std::string why = label_problem(pop.label()); !why.empty()) {
        error(p + ".label", why);
      } else if (auto [it, fresh] = seen.emplace(pop.label(), i); !fresh) {
        error(p + ".label", fmt::format("duplicate label \"{}\" (also populations[{}])", pop.label(), it->second));
      }
      if (pop.size() == 0) error(p + ".size", "must be > 0");
      if (pop.size() > kMaxPopulationSize) {
        error(p + ".size", fmt::format("must be at most {} (2^22), got {}; split the population", kMaxPopulationSize,
                                       pop.size()));
        continue;  // too large to check its values per neuron
      }
      if (pop.cell_type_case() == v1::Population::CELL_TYPE_NOT_SET) {
        error(p, "must set a cell type (" + cell_type_list() + ")");
        continue;
      }
      check_cell(i, p);
    }
  }

  void check_cell(int index, const std::string& p) {
    const auto& pop = net_.populations(index);
    const int64_t n = pop.size();
    const std::string cell = cell_type_name(pop);
    const std::string cp = p + "." + cell;
    const cells::CellType* known = cells::find_cell_type(pop.cell_type_case());
    if (known == nullptr) {
      error(cp, "this build has no such cell type (" + cell_type_list() + ")");
      return;
    }
    const cells::CellType& type = *known;

    if (type.source == cells::SourceKind::kArray) check_spike_array(pop, cp);
    if (pop.has_if_curr_exp_segments()) check_segment_parameters(pop, cp);
    // Structural checks of every parameter, then the per-neuron rules.
    const auto* oneof = v1::Population::descriptor()->FindOneofByName("cell_type");
    const auto* field = pop.GetReflection()->GetOneofFieldDescriptor(pop, oneof);
    const pb::Message& m = pop.GetReflection()->GetMessage(pop, field);
    bool all_ok = true;
    for (int f = 0; f < m.GetDescriptor()->field_count(); ++f) {
      const auto* fd = m.GetDescriptor()->field(f);
      if (fd->message_type() != v1::ParameterValue::descriptor() || !m.GetReflection()->HasField(m, fd)) continue;
      const auto& pv = static_cast<const v1::ParameterValue&>(m.GetReflection()->GetMessage(m, fd));
      all_ok &= check_value(cp + "." + fd->name(), pv, n, "neuron");
    }
    const bool source = type.is_source();
    const auto& iv = pop.initial_values();
    if (pop.has_initial_values()) {
      if (source) {
        error(p + ".initial_values", fmt::format("spike sources ({}) have no state variables", cell));
        all_ok = false;
      } else {
        // Each state variable set must be one of the type's.
        const auto* ivd = v1::InitialValues::descriptor();
        for (int f = 0; f < ivd->field_count(); ++f) {
          const auto* fd = ivd->field(f);
          if (!iv.GetReflection()->HasField(iv, fd)) continue;
          const std::string path = p + ".initial_values." + fd->name();
          const cells::Parameter* var = type.find(fd->name());
          if (var == nullptr || !var->state) {
            error(path, fmt::format("only {} has {}, this population is {}", types_with_state(fd->name()), fd->name(),
                                    cell));
            all_ok = false;
          } else {
            all_ok &= check_value(path, static_cast<const v1::ParameterValue&>(iv.GetReflection()->GetMessage(iv, fd)),
                                  n, "neuron");
          }
        }
      }
    }
    if (!all_ok || n == 0) return;

    // Per-neuron rules, checked symbolically (network/value_rules.h): the
    // cost follows the file, not the population's size.
    const auto* msg = &m;
    auto param = [&](const char* name) {
      const auto* fd = msg->GetDescriptor()->FindFieldByName(name);
      const v1::ParameterValue* pv = nullptr;
      if (fd != nullptr && msg->GetReflection()->HasField(*msg, fd))
        pv = &static_cast<const v1::ParameterValue&>(msg->GetReflection()->GetMessage(*msg, fd));
      return ValueSet(pv, parameter_default(pop, name));
    };
    auto report = [&](const std::string& path, const std::optional<std::string>& problem) {
      if (problem) error(path, *problem);
      return !problem;
    };
    // The type's rules (cells/cell_type.h), in its descriptor's order. A
    // ratio is checked only when its terms passed their own rules.
    std::set<std::string_view> failed;
    for (const cells::ParameterRule& rule : type.rules) {
      const std::string a(rule.a), b(rule.b);
      bool ok = true;
      switch (rule.rule) {
        case cells::Rule::kPositive: ok = report(cp + "." + a, check_at_least(param(a.c_str()), 0, true)); break;
        case cells::Rule::kNonNegative: ok = report(cp + "." + a, check_at_least(param(a.c_str()), 0, false)); break;
        case cells::Rule::kLess:
        case cells::Rule::kLessOrEqual:
          ok = report(cp + "." + a,
                      check_less(param(a.c_str()), param(b.c_str()), rule.rule == cells::Rule::kLess, a, b));
          break;
        case cells::Rule::kRatioBelow:
          if (failed.contains(rule.a) || failed.contains(rule.b)) break;
          ok = report(cp + "." + b, check_ratio_below(param(a.c_str()), param(b.c_str()), rule.limit, a + " / " + b,
                                                      std::string(rule.unit), std::string(rule.why)));
          break;
      }
      if (!ok) failed.insert(rule.a);
    }
    // A target rate is held as spikes per timestep (u0.32): below one.
    const double dt = net_.run().timestep_ms();
    if (type.find("target_rate") != nullptr && !failed.contains("target_rate") && dt > 0) {
      const double limit = 1000.0 / dt, hi = param("target_rate").hi();
      if (!(hi < limit))
        error(cp + ".target_rate",
              std::isfinite(hi) ? fmt::format("must be below one spike a timestep, {} Hz at {} ms, got {}", limit, dt, hi)
                                : fmt::format("must be below one spike a timestep, {} Hz at {} ms, but the "
                                              "distribution is unbounded above (set clip_high)",
                                              limit, dt));
    }
  }

  void check_spike_array(const v1::Population& pop, const std::string& cp) {
    const auto& sa = pop.spike_source_array();
    if (sa.has_shared() && sa.per_neuron_size() > 0) {
      error(cp, "set either shared or per_neuron, not both");
    }
    if (sa.per_neuron_size() > 0 && sa.per_neuron_size() != static_cast<int>(pop.size())) {
      error(cp + ".per_neuron", fmt::format("has {} spike trains, must have {} (one per neuron)", sa.per_neuron_size(),
                                            pop.size()));
    }
    auto check_train = [&](const std::string& tp, const v1::SpikeTrain& t) {
      for (int k = 0; k < t.times_size(); ++k) {
        const double x = t.times(k);
        const std::string path = fmt::format("{}.times[{}]", tp, k);
        if (!std::isfinite(x) || x < 0) {
          error(path, fmt::format("must be a finite time >= 0 ms, got {}", x));
        } else if (k > 0 && x < t.times(k - 1)) {
          error(path, fmt::format("spike times must be non-decreasing, got {} after {}", x, t.times(k - 1)));
        }
      }
    };
    if (sa.has_shared()) check_train(cp + ".shared", sa.shared());
    for (int k = 0; k < sa.per_neuron_size(); ++k) check_train(fmt::format("{}.per_neuron[{}]", cp, k), sa.per_neuron(k));
  }

  // ---- projections -------------------------------------------------------

  void check_projections() {
    for (const auto& proj : net_.projections())
      if (synapses::is_neuromodulated(proj) && !is_dopamine(proj.receptor())) neuromodulated_posts_.insert(proj.post());
    for (int k = 0; k < net_.projections_size(); ++k) check_projection(k);
    check_one_plastic_rule();
  }

  // A core runs one plastic rule (its plastic rows are all neuromodulated
  // or none): a population cannot receive both kinds of STDP. The later
  // projection is reported. (Mapping refuses other mechanisms that differ:
  // mapping/from_network.h unrunnable_synapses_problem.) Plastic dopamine
  // projections are check_dopamine's to report.
  void check_one_plastic_rule() {
    std::map<std::string_view, int> first_onto;  // post label -> first STDP projection onto it
    for (int k = 0; k < net_.projections_size(); ++k) {
      const auto& proj = net_.projections(k);
      if (!proj.synapse_dynamics().has_stdp() || is_dopamine(proj.receptor()) || population_index(proj.post()) < 0)
        continue;
      const auto [it, fresh] = first_onto.emplace(proj.post(), k);
      const bool here = synapses::is_neuromodulated(proj);
      if (fresh || here == synapses::is_neuromodulated(net_.projections(it->second))) continue;
      error(fmt::format("projections[{}].synapse_dynamics.stdp{}", k, here ? ".neuromodulation" : ""),
            fmt::format("population {} receives {} STDP from projections[{}] and {} STDP here; its cores run one "
                        "plastic rule (make both neuromodulated or neither)",
                        quote_for_message(proj.post()), here ? "plain" : "neuromodulated", it->second,
                        here ? "neuromodulated" : "plain"));
    }
  }

  const v1::Population* population_ref(const std::string& path, const std::string& label) {
    if (label.empty()) {
      error(path, "must name a population");
      return nullptr;
    }
    const int i = population_index(label);
    if (i < 0) {
      error(path, fmt::format("unknown population {}", quote_for_message(label)));
      return nullptr;
    }
    return &net_.populations(i);
  }

  void check_projection(int k) {
    const auto& proj = net_.projections(k);
    const std::string p = fmt::format("projections[{}]", k);
    if (!proj.label().empty()) {  // optional; it derives seeds and names files
      if (const std::string why = label_problem(proj.label()); !why.empty()) error(p + ".label", why);
    }
    const v1::Population* pre = population_ref(p + ".pre", proj.pre());
    const v1::Population* post = population_ref(p + ".post", proj.post());
    if (post != nullptr && is_spike_source(*post)) {
      const synapses::SynapseType* st = synapses::synapse_type_of(proj);
      error(p + ".post", fmt::format("population {} is a spike source ({}) and cannot receive synapses{}",
                                     quote_for_message(post->label()), cell_type_name(*post),
                                     st != nullptr && st->plastic ? " (and STDP needs the post neurons' spikes)" : ""));
      post = nullptr;
    }
    const bool dopamine = is_dopamine(proj.receptor());
    const bool segment = proj.receptor() == v1::DENDRITE_SEGMENT;
    if (proj.receptor() != v1::EXCITATORY && proj.receptor() != v1::INHIBITORY && !dopamine && !segment) {
      error(p + ".receptor", "must be EXCITATORY, INHIBITORY, REWARD, PUNISHMENT or DENDRITE_SEGMENT");
    }
    if (segment) check_segment_projection(p, proj, post);
    else if (proj.has_segment())
      error(p + ".segment", fmt::format("only DENDRITE_SEGMENT projections end on a segment, this one is {}",
                                        v1::Receptor_Name(proj.receptor())));
    if (proj.has_synapse_dynamics() && synapses::synapse_type_of(proj) == nullptr)
      error(p + ".synapse_dynamics", "must set a rule this build knows (" + synapse_type_list() + ")");
    if (dopamine) check_dopamine(p, proj, post);
    const auto& c = proj.connector();
    const std::string cp = p + ".connector";
    const bool sizes = pre != nullptr && post != nullptr && pre->size() > 0 && post->size() > 0;
    const int64_t n_pre = pre != nullptr ? pre->size() : 0, n_post = post != nullptr ? post->size() : 0;
    const bool same = sizes && proj.pre() == proj.post();
    bool connector_ok = true;
    auto self_allowed = [](const auto& m) { return !m.has_allow_self_connections() || m.allow_self_connections(); };
    auto check_fixed_number = [&](const std::string& np, uint32_t n, bool self, bool repl, int64_t pool,
                                  const char* pool_name) {
      if (!sizes) return;
      const int64_t avail = (same && !self) ? pool - 1 : pool;
      if (!repl && n > avail) {
        error(np, fmt::format("must be <= {} ({} population size{}) without replacement, got {}", avail, pool_name,
                              (same && !self) ? " minus the excluded self connection" : "", n));
        connector_ok = false;
      } else if (repl && n > 0 && avail == 0) {
        error(np, "no neuron to choose from (population of 1 without self connections)");
        connector_ok = false;
      }
    };
    switch (c.kind_case()) {
      case v1::Connector::kAllToAll: break;
      case v1::Connector::kOneToOne:
        if (sizes && n_pre != n_post) {
          error(cp + ".one_to_one", fmt::format("pre size {} and post size {} must be equal", n_pre, n_post));
          connector_ok = false;
        }
        break;
      case v1::Connector::kFixedProbability: {
        const double prob = c.fixed_probability().p();
        if (!(prob >= 0 && prob <= 1)) {
          error(cp + ".fixed_probability.p", fmt::format("must be in [0, 1], got {}", prob));
          connector_ok = false;
        }
        break;
      }
      case v1::Connector::kFixedNumberPre:
        check_fixed_number(cp + ".fixed_number_pre.n", c.fixed_number_pre().n(), self_allowed(c.fixed_number_pre()),
                           c.fixed_number_pre().with_replacement(), n_pre, "pre");
        break;
      case v1::Connector::kFixedNumberPost:
        check_fixed_number(cp + ".fixed_number_post.n", c.fixed_number_post().n(),
                           self_allowed(c.fixed_number_post()), c.fixed_number_post().with_replacement(), n_post,
                           "post");
        break;
      case v1::Connector::kFromList: {
        const auto& fl = c.from_list();
        for (int e = 0; e < fl.connections_size(); ++e) {
          const auto& con = fl.connections(e);
          const std::string ep = fmt::format("{}.from_list.connections[{}]", cp, e);
          if (pre != nullptr && con.pre() >= n_pre) {
            error(ep + ".pre", fmt::format("index {} out of range for population {} of size {}", con.pre(),
                                           quote_for_message(pre->label()), n_pre));
            connector_ok = false;
          }
          if (post != nullptr && con.post() >= n_post) {
            error(ep + ".post", fmt::format("index {} out of range for population {} of size {}", con.post(),
                                            quote_for_message(post->label()), n_post));
            connector_ok = false;
          }
          if (con.has_weight()) {
            if (!std::isfinite(con.weight())) error(ep + ".weight", fmt::format("must be finite, got {}", con.weight()));
            else check_weight_range(ep + ".weight", con.weight(), con.weight(), proj, post);
          } else if (!proj.has_weight()) {
            error(ep + ".weight", "must be set when the projection has no weight");
          }
          if (con.has_delay()) check_delay_range(ep + ".delay", con.delay(), con.delay());
        }
        if (proj.has_weight() && proj.weight().has_list())
          error(p + ".weight.list", "not allowed with from_list (give weights in the entries)");
        if (proj.has_delay() && proj.delay().has_list())
          error(p + ".delay.list", "not allowed with from_list (give delays in the entries)");
        break;
      }
      case v1::Connector::kLowRank: {
        const auto& lr = c.low_rank();
        const std::string lp = cp + ".low_rank";
        if (lr.rank() == 0) {
          error(lp + ".rank", "must be > 0");
          connector_ok = false;
        } else if (sizes) {
          const int64_t want_u = n_pre * lr.rank(), want_v = n_post * lr.rank();
          if (lr.u_size() != want_u) {
            error(lp + ".u", fmt::format("must have n_pre x rank = {} x {} = {} values, got {}", n_pre, lr.rank(),
                                         want_u, lr.u_size()));
            connector_ok = false;
          }
          if (lr.v_size() != want_v) {
            error(lp + ".v", fmt::format("must have n_post x rank = {} x {} = {} values, got {}", n_post, lr.rank(),
                                         want_v, lr.v_size()));
            connector_ok = false;
          }
        }
        for (int e = 0; e < lr.u_size(); ++e)
          if (!std::isfinite(lr.u(e))) {
            error(fmt::format("{}.u[{}]", lp, e), fmt::format("must be finite, got {}", lr.u(e)));
            connector_ok = false;
          }
        for (int e = 0; e < lr.v_size(); ++e)
          if (!std::isfinite(lr.v(e))) {
            error(fmt::format("{}.v[{}]", lp, e), fmt::format("must be finite, got {}", lr.v(e)));
            connector_ok = false;
          }
        if (lr.has_threshold() && !(lr.threshold() >= 0)) {
          error(lp + ".threshold", fmt::format("must be >= 0, got {}", lr.threshold()));
          connector_ok = false;
        }
        if (proj.has_weight()) error(p + ".weight", "must be unset for low_rank (the weights are U V^T)");
        if (connector_ok && sizes && lr.rank() > 0) check_low_rank_signs(p, proj, post);
        break;
      }
      default:
        error(cp, "must set a connector (all_to_all, one_to_one, fixed_probability, fixed_number_pre, "
                  "fixed_number_post, from_list or low_rank)");
        connector_ok = false;
    }

    // Weights and delays.
    const bool has_kind = c.kind_case() != v1::Connector::KIND_NOT_SET;
    const int64_t count = (connector_ok && sizes && has_kind) ? fixed_synapse_count(net_, static_cast<size_t>(k), population_index(proj.pre()),
                                                                         population_index(proj.post()))
                                                   : -1;
    auto list_allowed = [&](const std::string& path, const v1::ParameterValue& pv) {
      if (!pv.has_list() || c.kind_case() == v1::Connector::kFromList) return true;
      if (has_kind && (c.kind_case() == v1::Connector::kFixedProbability ||
                       (c.kind_case() == v1::Connector::kLowRank && c.low_rank().has_threshold()))) {
        error(path + ".list",
              "needs a connector with a known number of synapses (all_to_all, one_to_one, fixed_number_pre, "
              "fixed_number_post, low_rank without threshold)");
        return false;
      }
      return true;
    };
    const bool needs_weight = c.kind_case() != v1::Connector::kFromList && c.kind_case() != v1::Connector::kLowRank;
    bool weight_ok = false;  // structurally sound (then checked against an STDP rule's bounds)
    if (proj.has_weight() && c.kind_case() != v1::Connector::kLowRank) {
      if (list_allowed(p + ".weight", proj.weight()) &&
          check_value(p + ".weight", proj.weight(), c.kind_case() == v1::Connector::kFromList ? -1 : count,
                      "synapse in connector order")) {
        const ValueSet w(&proj.weight(), 0.0);
        weight_ok = true;
        if (!w.is_list() || w.length() > 0) check_weight_range(p + ".weight", w.lo(), w.hi(), proj, post);
      }
    } else if (!proj.has_weight() && needs_weight && has_kind) {
      error(p + ".weight", "must be set");
    }
    if (proj.has_delay()) {
      if (list_allowed(p + ".delay", proj.delay()) &&
          check_value(p + ".delay", proj.delay(), c.kind_case() == v1::Connector::kFromList ? -1 : count,
                      "synapse in connector order")) {
        const ValueSet d(&proj.delay(), 0.0);
        if (!d.is_list() || d.length() > 0) check_delay_range(p + ".delay", d.lo(), d.hi());
      }
    }
    if (proj.synapse_dynamics().has_stdp()) check_stdp(p, proj, post, weight_ok);
  }

  // ---- dendrite segments (DENDRITE_SEGMENT, if_curr_exp_segments) ----------

  // The population's segments (0 for a type without them).
  static uint32_t segment_count(const v1::Population& pop) {
    const cells::CellType* t = cells::find_cell_type(pop.cell_type_case());
    return t != nullptr && t->dendrite_types != nullptr ? t->dendrite_types(pop) : 0;
  }

  // x is a whole number in [lo, hi].
  static bool whole_in(double x, double lo, double hi) { return x >= lo && x <= hi && x == std::floor(x); }

  // Whether the population's segment count is what its cores will have:
  // no segments, or n_segments unset or a whole constant within the limit
  // (check_segment_parameters reports the others).
  static bool segment_shape_known(const v1::Population& pop) {
    if (!pop.has_if_curr_exp_segments() || !pop.if_curr_exp_segments().has_n_segments()) return true;
    const v1::ParameterValue& n = pop.if_curr_exp_segments().n_segments();
    return n.has_constant() && whole_in(n.constant(), 1, fw::kMaxSegments);
  }

  // A segment projection ends on one segment that the post population has;
  // its synapses are static and count whole active synapses (0..255 a
  // synapse, fw::DendriteSegments: a step's count is a byte).
  void check_segment_projection(const std::string& p, const v1::Projection& proj, const v1::Population* post) {
    if (const synapses::SynapseType* st = synapses::synapse_type_of(proj); st != nullptr && st->plastic)
      error(p + ".synapse_dynamics", fmt::format("DENDRITE_SEGMENT synapses are static (unset or static_synapse), got {}",
                                                 st->name));
    // A population whose n_segments is itself wrong is reported there, not here.
    if (post != nullptr && segment_shape_known(*post)) {
      const uint32_t n = segment_count(*post);
      if (n == 0)
        error(p + ".receptor", fmt::format("DENDRITE_SEGMENT needs a post population with dendrite segments "
                                           "(if_curr_exp_segments), {} is {}",
                                           quote_for_message(post->label()), cell_type_name(*post)));
      else if (!proj.has_segment())
        error(p + ".segment", fmt::format("must name the segment the synapses end on (0..{})", n - 1));
      else if (proj.segment() >= n)
        error(p + ".segment", fmt::format("must be below the post population's n_segments ({}), got {}", n,
                                          proj.segment()));
    }
    constexpr double kMaxCount = fw::DendriteSegments::kMaxCount;
    auto whole = [&](const std::string& path, double w) {
      if (!whole_in(w, 0, kMaxCount))
        error(path, fmt::format("a DENDRITE_SEGMENT weight counts active synapses: a whole number 0..{}, got {}",
                                kMaxCount, w));
    };
    const auto kind = proj.connector().kind_case();
    if (kind == v1::Connector::kLowRank)
      error(p + ".connector.low_rank", "DENDRITE_SEGMENT synapses count whole synapses; low-rank weights are not");
    if (kind == v1::Connector::kFromList) {
      const auto& fl = proj.connector().from_list();
      for (int e = 0; e < fl.connections_size(); ++e)
        if (fl.connections(e).has_weight())
          whole(fmt::format("{}.connector.from_list.connections[{}].weight", p, e), fl.connections(e).weight());
    }
    if (!proj.has_weight()) return;
    const v1::ParameterValue& w = proj.weight();
    if (w.has_random()) {
      error(p + ".weight", "a DENDRITE_SEGMENT weight counts active synapses: give a whole number (or a list of "
                           "them), not a distribution");
    } else if (w.has_constant()) {
      whole(p + ".weight", w.constant());
    } else if (w.has_list()) {
      // The first bad value only (its path formatted only then).
      for (int i = 0; i < w.list().values_size(); ++i)
        if (!whole_in(w.list().values(i), 0, kMaxCount)) {
          whole(fmt::format("{}.weight.list.values[{}]", p, i), w.list().values(i));
          break;
        }
    }
  }

  // The segments' shape is the population's: constants, whole numbers,
  // within what a core holds (fw::DendriteSegments).
  void check_segment_parameters(const v1::Population& pop, const std::string& cp) {
    const auto& m = pop.if_curr_exp_segments();
    const double dt = net_.run().timestep_ms();
    struct Shape {
      const char* name;
      const v1::ParameterValue& value;
      bool has;
      double lo, hi;  // in ticks when per_tick, else the value's own
      bool per_tick;
      const char* unit;
    };
    const Shape shapes[] = {
        {"n_segments", m.n_segments(), m.has_n_segments(), 1, double(fw::kMaxSegments), false, "segments"},
        {"segment_threshold", m.segment_threshold(), m.has_segment_threshold(), 1, 65535, false, "synapses"},
        {"coincidence_window", m.coincidence_window(), m.has_coincidence_window(), 0,
         double(fw::kMaxCoincidenceWindow), true, "timesteps"},
        {"plateau_duration", m.plateau_duration(), m.has_plateau_duration(), 0,
         double(fw::DendriteSegments::kMaxPlateauTicks), true, "timesteps"},
    };
    for (const Shape& s : shapes) {
      if (!s.has) continue;
      const std::string path = cp + "." + s.name;
      if (!s.value.has_constant()) {
        error(path, "must be a constant: it is the population's (its cores' synapse types and windows)");
        continue;
      }
      const double x = s.value.constant();
      const double steps = s.per_tick ? (dt > 0 ? x / dt : 0) : x;
      const bool whole = std::fabs(steps - std::round(steps)) <= 1e-9 * std::max(1.0, std::fabs(steps));
      if (!std::isfinite(x) || !whole || std::round(steps) < s.lo || std::round(steps) > s.hi)
        error(path, s.per_tick ? fmt::format("must be a whole number of timesteps ({} ms) from {} to {}, got {} ms",
                                             dt, s.lo, s.hi, x)
                               : fmt::format("must be a whole number from {} to {} {}, got {}", s.lo, s.hi, s.unit, x));
    }
  }

  // ---- dopamine (REWARD / PUNISHMENT) ---------------------------------------

  static bool is_dopamine(v1::Receptor r) { return r == v1::REWARD || r == v1::PUNISHMENT; }

  // A dopamine projection's synapses are static, and its post population
  // receives neuromodulated STDP (dopamine acts on nothing else). Its
  // weights' signs are the sign rules'.
  void check_dopamine(const std::string& p, const v1::Projection& proj, const v1::Population* post) {
    const std::string receptor = v1::Receptor_Name(proj.receptor());
    if (const synapses::SynapseType* st = synapses::synapse_type_of(proj); st != nullptr && st->plastic)
      error(p + ".synapse_dynamics", fmt::format("a {} projection carries dopamine: its synapses must be static "
                                                 "(unset or static_synapse), got {}",
                                                 receptor, st->name));
    if (post != nullptr && !neuromodulated_posts_.contains(proj.post()))
      error(p + ".receptor", fmt::format("{} needs a neuromodulated STDP projection (stdp with neuromodulation) onto "
                                         "{}: dopamine changes only those synapses",
                                         receptor, quote_for_message(proj.post())));
    // A spike adds its weight (a concentration) to the post neuron's
    // dopamine level, which the cores hold below kDopamineLevelLimit: a
    // weight at or above it would saturate the level with one spike.
    constexpr double limit = fw::stdp::kDopamineLevelLimit;
    auto check_level = [&](const std::string& path, double hi, bool random) {
      if (!(hi >= limit)) return;  // NaN: the weight rules' to report
      error(path, fmt::format("a {} projection's weight is the dopamine concentration a spike adds, which must be "
                              "below {} (the cores' dopamine level), got {}{}",
                              receptor, limit, hi,
                              random ? " (the distribution's upper bound; clip it below the limit)" : ""));
    };
    if (proj.connector().kind_case() == v1::Connector::kFromList) {
      const auto& fl = proj.connector().from_list();
      for (int e = 0; e < fl.connections_size(); ++e)
        if (fl.connections(e).has_weight())
          check_level(fmt::format("{}.connector.from_list.connections[{}].weight", p, e), fl.connections(e).weight(),
                      false);
    }
    if (proj.has_weight()) {
      const ValueSet w(&proj.weight(), 0.0);
      if (!w.is_list() || w.length() > 0) check_level(p + ".weight", w.hi(), w.is_random());
    }
  }

  // ---- STDP (synapses/stdp_params.h) ----------------------------------------

  // The mechanism's own values, then the projection's initial weights
  // against [w_min, w_max]: known without expanding (constants, lists,
  // from_list entries, bounded distributions) or refused.
  void check_stdp(const std::string& p, const v1::Projection& proj, const v1::Population* post, bool weight_ok) {
    const auto& m = proj.synapse_dynamics().stdp();
    const std::string sp = p + ".synapse_dynamics.stdp";
    const synapses::StdpValues v = synapses::stdp_values(m);
    const std::string tp = sp + ".timing_dependence";
    if (!m.has_timing_dependence())
      error(tp, "must be set (spike-pair timing; an empty timing_dependence {} takes PyNN's SpikePairRule defaults)");
    const auto& t = m.timing_dependence();
    auto positive = [&](const char* name, bool has, double x) {
      if (has && !(x > 0 && std::isfinite(x))) error(tp + "." + name, fmt::format("must be a finite time > 0 ms, got {}", x));
    };
    positive("tau_plus", t.has_tau_plus(), v.tau_plus);
    positive("tau_minus", t.has_tau_minus(), v.tau_minus);
    auto amplitude = [&](const char* name, bool has, double x) {
      if (has && !(x >= 0 && std::isfinite(x)))
        error(tp + "." + name, fmt::format("must be >= 0 (a magnitude; {} is the potentiation/depression side), got {}",
                                           name, x));
    };
    amplitude("A_plus", t.has_a_plus(), v.a_plus);
    amplitude("A_minus", t.has_a_minus(), v.a_minus);
    if (m.amplitude_units() != v1::StdpMechanism::ABSOLUTE && m.amplitude_units() != v1::StdpMechanism::RELATIVE_TO_W_MAX)
      error(sp + ".amplitude_units", fmt::format("must be ABSOLUTE or RELATIVE_TO_W_MAX, got {}",
                                                 static_cast<int>(m.amplitude_units())));
    if (m.has_dendritic_delay_fraction() && m.dendritic_delay_fraction() != 1.0)
      error(sp + ".dendritic_delay_fraction",
            fmt::format("only 1.0 is supported (the whole delay is dendritic, as in sPyNNaker), got {}",
                        m.dendritic_delay_fraction()));

    if (m.has_neuromodulation()) check_neuromodulation(sp, m, v);

    bool bounds_ok = false;
    std::string wp;
    switch (m.weight_dependence_case()) {
      case v1::StdpMechanism::kAdditive: wp = sp + ".additive"; break;
      case v1::StdpMechanism::kMultiplicative: wp = sp + ".multiplicative"; break;
      default: error(sp, "must set a weight dependence (additive or multiplicative)");
    }
    if (!wp.empty()) {
      bounds_ok = true;
      if (!(v.w_min >= 0 && std::isfinite(v.w_min))) {
        error(wp + ".w_min", fmt::format("must be a finite weight >= 0 (the cores hold weight magnitudes: give "
                                         "inhibitory bounds as magnitudes), got {}",
                                         v.w_min));
        bounds_ok = false;
      }
      if (!std::isfinite(v.w_max)) {
        error(wp + ".w_max", fmt::format("must be finite, got {}", v.w_max));
        bounds_ok = false;
      } else if (bounds_ok && v.w_max < v.w_min) {
        error(wp + ".w_max", fmt::format("must be >= w_min ({}), got {}", v.w_min, v.w_max));
        bounds_ok = false;
      }
    }

    const auto kind = proj.connector().kind_case();
    if (kind == v1::Connector::kLowRank) {
      error(p + ".connector.low_rank",
            "cannot carry plastic synapses: its weights U V^T are not known without expanding every pair, so they "
            "cannot be checked against [w_min, w_max] (give the synapses with from_list)");
      return;
    }
    if (!bounds_ok) return;

    // Initial weights: magnitudes within [w_min, w_max] (negative inhibitory
    // weights onto current-based targets count by their magnitude; mixed
    // signs are the sign rules' to report).
    const bool cond = post != nullptr && cells::has_conductance_synapses(*post);
    auto check_range = [&](const std::string& path, double lo, double hi, bool random) {
      if (random && (!std::isfinite(lo) || !std::isfinite(hi))) {
        error(path, fmt::format("an STDP projection's initial weights must lie in [w_min, w_max] = [{}, {}], but the "
                                "distribution is unbounded; clip it (clip_low and clip_high within [{}, {}])",
                                v.w_min, v.w_max, v.w_min, v.w_max));
        return;
      }
      if (weight_sign_problem(proj.receptor(), cond, lo, hi)) return;  // reported by the sign rules
      const bool negative = hi <= 0 && lo < 0;
      const double mlo = negative ? -hi : lo, mhi = negative ? -lo : hi;
      if (mlo >= v.w_min && mhi <= v.w_max) return;
      const std::string got = mlo == mhi ? fmt::format("{}", mlo) : fmt::format("{} to {}", mlo, mhi);
      error(path, fmt::format("an STDP projection's initial weights{} must lie in [w_min, w_max] = [{}, {}], got {}{}",
                              negative ? " (magnitudes)" : "", v.w_min, v.w_max, got,
                              random ? " (the distribution's bounds; clip it within [w_min, w_max])" : ""));
    };
    if (kind == v1::Connector::kFromList) {
      const auto& fl = proj.connector().from_list();
      for (int e = 0; e < fl.connections_size(); ++e) {
        const auto& con = fl.connections(e);
        if (con.has_weight() && std::isfinite(con.weight()))
          check_range(fmt::format("{}.connector.from_list.connections[{}].weight", p, e), con.weight(), con.weight(),
                      false);
      }
    }
    if (weight_ok) {
      const ValueSet w(&proj.weight(), 0.0);
      if (!w.is_list() || w.length() > 0) check_range(p + ".weight", w.lo(), w.hi(), w.is_random());
    }
  }

  // Dopamine-modulated STDP: the additive weight dependence (w_min, w_max
  // clamp the weight the rule integrates); tau_c and tau_d finite and > 0,
  // and their combination within the cores' integral scale (u16.16 ms).
  void check_neuromodulation(const std::string& sp, const v1::StdpMechanism& m, const synapses::StdpValues& v) {
    const std::string np = sp + ".neuromodulation";
    if (m.has_multiplicative())
      error(sp + ".multiplicative", "neuromodulation needs the additive weight dependence (the weight follows "
                                    "c d, clamped to [w_min, w_max])");
    const auto& n = m.neuromodulation();
    bool ok = true;
    auto positive = [&](const char* name, bool has, double x) {
      if (has && !(x > 0 && std::isfinite(x))) {
        error(np + "." + name, fmt::format("must be a finite time > 0 ms, got {}", x));
        ok = false;
      }
    };
    positive("tau_c", n.has_tau_c(), v.tau_c);
    positive("tau_d", n.has_tau_d(), v.tau_d);
    if (ok && fw::stdp::integral_scale(v.tau_c, v.tau_d) == 0)
      error(np, fmt::format("tau_c tau_d / (tau_c + tau_d) must be at least 2^-17 ms and below 65536 ms (the cores "
                            "hold it in u16.16 ms), got {} ms",
                            v.tau_c * v.tau_d / (v.tau_c + v.tau_d)));
  }

  // Weight sign rules: excitatory >= 0; inhibitory onto IF_cond_exp (uS)
  // >= 0; inhibitory onto current-based targets either all <= 0 (PyNN's
  // convention) or all >= 0; reward and punishment >= 0.
  void check_weight_range(const std::string& path, double lo, double hi, const v1::Projection& proj,
                          const v1::Population* post) {
    const bool cond = post != nullptr && cells::has_conductance_synapses(*post);
    if (const auto problem = weight_sign_problem(proj.receptor(), cond, lo, hi)) error(path, *problem);
  }

  // Low-rank weights W = U V^T. Their signs are first bounded from each
  // factor column's range (O(file)); when that proves nothing, they are
  // checked product by product if that is cheap, and otherwise when the
  // projection is expanded for mapping (mapping/weight_scales.cpp), with the
  // same message: validation never does n_pre x n_post x rank work.
  static constexpr uint64_t kExactLowRankWork = uint64_t{1} << 24;

  void check_low_rank_signs(const std::string& p, const v1::Projection& proj, const v1::Population* post) {
    const auto& lr = proj.connector().low_rank();
    const int pi = population_index(proj.pre()), qi = population_index(proj.post());
    const uint32_t n_pre = net_.populations(pi).size(), n_post = net_.populations(qi).size(), r = lr.rank();
    const bool cond = post != nullptr && cells::has_conductance_synapses(*post);
    std::vector<double> u_lo(r, kInf), u_hi(r, -kInf), v_lo(r, kInf), v_hi(r, -kInf);
    for (int k = 0; k < lr.u_size(); ++k) {
      const uint32_t q = static_cast<uint32_t>(k) % r;
      u_lo[q] = std::min(u_lo[q], lr.u(k));
      u_hi[q] = std::max(u_hi[q], lr.u(k));
    }
    for (int k = 0; k < lr.v_size(); ++k) {
      const uint32_t q = static_cast<uint32_t>(k) % r;
      v_lo[q] = std::min(v_lo[q], lr.v(k));
      v_hi[q] = std::max(v_hi[q], lr.v(k));
    }
    double bound_lo = 0, bound_hi = 0;
    for (uint32_t q = 0; q < r; ++q) {
      const double c[4] = {u_lo[q] * v_lo[q], u_lo[q] * v_hi[q], u_hi[q] * v_lo[q], u_hi[q] * v_hi[q]};
      bound_lo += *std::min_element(c, c + 4);
      bound_hi += *std::max_element(c, c + 4);
    }
    if (!weight_sign_problem(proj.receptor(), cond, bound_lo, bound_hi)) return;
    if (uint64_t{n_pre} * n_post * r > kExactLowRankWork) return;  // checked when expanded
    double lo = kInf, hi = -kInf;
    for (uint32_t i = 0; i < n_pre; ++i)
      for (uint32_t j = 0; j < n_post; ++j) {
        double w = 0.0;
        for (uint32_t q = 0; q < r; ++q) w += lr.u(static_cast<int>(i * r + q)) * lr.v(static_cast<int>(j * r + q));
        if (lr.has_threshold() && std::fabs(w) < lr.threshold()) continue;
        if (w == 0.0) continue;  // a zero weight has no sign
        lo = std::min(lo, w);
        hi = std::max(hi, w);
      }
    if (lo <= hi) check_weight_range(p + ".connector.low_rank", lo, hi, proj, post);
  }

  void check_delay_range(const std::string& path, double lo, double hi) {
    if (!dt_ok()) return;
    const double dt = net_.run().timestep_ms();
    if (!std::isfinite(lo)) {
      error(path, "delay distribution is unbounded below (set clip_low >= half a timestep)");
    } else if (lo / dt < 0.5 - 1e-9) {  // delay_to_ticks(lo, dt) < 1, without its cast
      error(path, fmt::format("must round to >= 1 timestep of {} ms (i.e. be >= {} ms), got {}", dt, dt / 2, lo));
    }
    if (!std::isfinite(hi)) {
      error(path, "delay distribution is unbounded above (set clip_high)");
    } else if (hi / dt + 0.5 + 1e-9 >= double(kMaxDelayTicks) + 1) {  // delay_to_ticks(hi, dt) > max, in doubles
      error(path, fmt::format("must be at most {} timesteps ({} ms at {} ms): a core's ring buffer holds {} slots; "
                              "got {} ms",
                              kMaxDelayTicks, fmt::format("{:g}", double(kMaxDelayTicks) * dt), dt,
                              kMaxDelayTicks + 1, hi));
    }
  }

  // ---- recordings ----------------------------------------------------------

  void check_recordings() {
    for (int k = 0; k < net_.recordings_size(); ++k) {
      const auto& rec = net_.recordings(k);
      const std::string p = fmt::format("recordings[{}]", k);
      const v1::Population* pop = population_ref(p + ".population", rec.population());
      if (rec.variables_size() == 0) error(p + ".variables", "must name at least one variable");
      std::set<int> vars;
      for (int v = 0; v < rec.variables_size(); ++v) {
        const int var = rec.variables(v);
        const std::string vp = fmt::format("{}.variables[{}]", p, v);
        if (var != v1::SPIKES && var != v1::V && var != v1::GSYN_EXC && var != v1::GSYN_INH && var != v1::THRESHOLD &&
            var != v1::SEGMENT_SPIKES) {
          error(vp, "must be SPIKES, V, GSYN_EXC, GSYN_INH, THRESHOLD or SEGMENT_SPIKES");
        } else if (var == v1::SEGMENT_SPIKES && pop != nullptr && segment_count(*pop) == 0) {
          error(vp, fmt::format("only populations with dendrite segments (if_curr_exp_segments) record "
                                "SEGMENT_SPIKES, {} has none",
                                quote_for_message(pop->label())));
        } else if (!vars.insert(var).second) {
          error(vp, fmt::format("{} is listed twice", v1::RecordVariable_Name(rec.variables(v))));
        } else if (pop != nullptr && var != v1::SPIKES && is_spike_source(*pop)) {
          error(vp, fmt::format("spike sources record only SPIKES, got {}", v1::RecordVariable_Name(rec.variables(v))));
        }
      }
      std::set<uint32_t> seen;
      for (int q = 0; q < rec.neurons_size(); ++q) {
        const std::string np = fmt::format("{}.neurons[{}]", p, q);
        if (pop != nullptr && rec.neurons(q) >= pop->size()) {
          error(np, fmt::format("index {} out of range for population {} of size {}", rec.neurons(q),
                                quote_for_message(pop->label()), pop->size()));
        } else if (!seen.insert(rec.neurons(q)).second) {
          error(np, fmt::format("neuron {} is listed twice", rec.neurons(q)));
        }
      }
      const double si = rec.sampling_interval();
      if (!(si >= 0) || !std::isfinite(si)) {
        error(p + ".sampling_interval", fmt::format("must be >= 0, got {}", si));
      } else if (si > 0 && dt_ok()) {
        const double ticks = si / net_.run().timestep_ms();
        if (ticks > double(kMaxTicks)) {
          error(p + ".sampling_interval", fmt::format("must be at most {} timesteps, got {} ms", kMaxTicks, si));
        } else if (std::fabs(ticks - std::round(ticks)) > 1e-9 * std::max(1.0, ticks) || std::round(ticks) < 1) {
          error(p + ".sampling_interval", fmt::format("must be a whole number of timesteps of {} ms, got {}",
                                                      net_.run().timestep_ms(), si));
        }
      }
    }
  }

  // ---- neuron modes and learning rates -----------------------------------

  // A switch's time: a duration, so a whole number of ticks a run can reach.
  void check_switch_time(const std::string& path, double at_ms) {
    if (!dt_ok()) return;
    const RunTicks at = duration_ticks(at_ms, net_.run().timestep_ms());
    if (!at.error.empty()) error(path, at.error);
  }

  void check_mode_switches() {
    if (net_.mode_switches_size() > static_cast<int>(kMaxModeSwitches))
      error("mode_switches", fmt::format("at most {} switches, got {}", kMaxModeSwitches, net_.mode_switches_size()));
    uint64_t listed = 0;
    for (int k = 0; k < net_.mode_switches_size(); ++k) {
      const auto& m = net_.mode_switches(k);
      const std::string p = fmt::format("mode_switches[{}]", k);
      check_switch_time(p + ".at_ms", m.at_ms());
      const v1::Population* pop = population_ref(p + ".population", m.population());
      if (pop != nullptr && is_spike_source(*pop))
        error(p + ".population", fmt::format("{} is a spike source; modes belong to neuron models",
                                             quote_for_message(pop->label())));
      listed += static_cast<uint64_t>(m.neuron_ids_size());
      for (int q = 0; q < m.neuron_ids_size() && pop != nullptr; ++q)
        if (m.neuron_ids(q) >= pop->size()) {
          error(fmt::format("{}.neuron_ids[{}]", p, q),
                fmt::format("index {} out of range for population {} of size {}", m.neuron_ids(q),
                            quote_for_message(pop->label()), pop->size()));
          break;  // one error a switch, not one per id
        }
      if (auto why = threshold_offset_problem(m.threshold_offset())) error(p + ".threshold_offset", *why);
      if (m.has_gain())
        if (auto why = gain_problem(m.gain())) error(p + ".gain", *why);
    }
    if (listed > kMaxModeSwitchNeurons)
      error("mode_switches", fmt::format("list at most {} neuron ids in all, got {}", kMaxModeSwitchNeurons, listed));

    if (net_.learning_rate_switches_size() > static_cast<int>(kMaxModeSwitches))
      error("learning_rate_switches",
            fmt::format("at most {} switches, got {}", kMaxModeSwitches, net_.learning_rate_switches_size()));
    for (int k = 0; k < net_.learning_rate_switches_size(); ++k) {
      const auto& m = net_.learning_rate_switches(k);
      const std::string p = fmt::format("learning_rate_switches[{}]", k);
      check_switch_time(p + ".at_ms", m.at_ms());
      if (population_ref(p + ".population", m.population()) != nullptr) {
        bool plastic = false;
        for (const auto& proj : net_.projections())
          plastic = plastic || (proj.post() == m.population() && proj.synapse_dynamics().has_stdp());
        if (!plastic)
          error(p + ".population", fmt::format("no plastic (STDP) projection onto {}: nothing to scale",
                                               quote_for_message(m.population())));
      }
      if (!m.has_scale()) error(p + ".scale", "must be set");
      else if (auto why = learning_scale_problem(m.scale())) error(p + ".scale", *why);
    }
  }

  int population_index(const std::string& label) const {
    const auto it = index_.find(label);
    return it == index_.end() ? -1 : it->second;
  }

  const v1::Network& net_;
  std::unordered_map<std::string_view, int> index_;
  std::set<std::string_view> neuromodulated_posts_;  // post labels of neuromodulated STDP projections
  std::vector<ValidationError> errors_;
};

}  // namespace

std::vector<ValidationError> validate_network(const v1::Network& net) { return Checker(net).run(); }

std::string format_errors(const std::vector<ValidationError>& errors) {
  std::string out;
  for (const auto& e : errors) out += fmt::format("{}: {}\n", e.path, e.message);
  return out;
}

}  // namespace spindle::host::network
