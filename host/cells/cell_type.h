// A cell type, described once: its PyNN parameters (name, default, unit),
// its state variables and where their initial values come from, the rules
// validation checks, the firmware model its neurons run as, what one atom
// costs a core, and how a slice of its neurons becomes a neuron block.
// Validation, expansion, partitioning and image building read the
// descriptor; none of them names a cell type. docs/adding-a-model.md lists
// the files a new type touches.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cells/neuron_block.h"
#include "neuron/models.h"
#include "quantize/quantize.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host::cells {

// A parameter or a state variable of a cell type, in PyNN's units. A state
// variable's initial value is set in the population's initial_values; when
// it is not, it starts at parameter `initial_from` (IF's v at v_rest) or,
// when that is empty, at `default_value`.
struct Parameter {
  std::string_view name;
  std::string_view unit;
  double default_value = 0;
  bool state = false;
  std::string_view initial_from = {};
};

// A rule a cell type's parameters obey, checked by validation neuron by
// neuron (symbolically, network/value_rules.h) and reported at field `a`
// (kRatioBelow: at `b`, the denominator).
enum class Rule : uint8_t {
  kPositive,      // a > 0
  kNonNegative,   // a >= 0
  kLess,          // a < b
  kLessOrEqual,   // a <= b
  kRatioBelow,    // a / b < limit; checked only when a and b passed their own rules
};
struct ParameterRule {
  Rule rule;
  std::string_view a;
  std::string_view b = {};
  double limit = 0;
  std::string_view unit = {};  // kRatioBelow: the ratio's unit
  std::string_view why = {};   // kRatioBelow: what the limit comes from
};

// One population's parameters and state variables, neuron by neuron, by
// name (what network::cell_values expands from the network file).
class CellValues {
 public:
  void set(std::string_view name, std::vector<double> values) { columns_.emplace_back(name, std::move(values)); }
  // Throws std::invalid_argument naming the missing column.
  const std::vector<double>& at(std::string_view name) const;
  size_t size() const { return columns_.empty() ? 0 : columns_.front().second.size(); }

 private:
  std::vector<std::pair<std::string, std::vector<double>>> columns_;
};

// Neurons [lo, lo + n) of a population as its model's neuron block.
using NeuronBlockBuilder = NeuronBlock (*)(const CellValues& cells, uint32_t lo, uint32_t n, double dt,
                                           QuantizationReport* report);

// What a spike source core does with the population (sources have no model).
enum class SourceKind : uint8_t { kNone, kPoisson, kArray };

struct CellType {
  spindle::v1::Population::CellTypeCase proto_case = spindle::v1::Population::CELL_TYPE_NOT_SET;
  std::string_view name;       // the field in the network file (if_curr_exp)
  std::string_view pynn_name;  // PyNN's class (IF_curr_exp)
  std::span<const Parameter> parameters;  // parameters, then state variables
  std::span<const ParameterRule> rules;
  SourceKind source = SourceKind::kNone;
  // Neurons only:
  fw::ModelId model = fw::ModelId::kNone;
  uint32_t cycles_per_atom = 0;      // one neuron's update per tick, ARM968-class core (docs/mapping.md)
  uint32_t dtcm_bytes_per_atom = 0;  // its parameter and state blocks
  uint32_t receptors = 0;            // synapse types (ring-buffer planes)
  bool conductance_synapses = false;  // weights are conductances (uS, >= 0)
  NeuronBlockBuilder neuron_block = nullptr;
  // Synapse types after the receptors that the model's dendrites read (one
  // per active segment), for a population of this type; null: none.
  uint32_t (*dendrite_types)(const spindle::v1::Population& pop) = nullptr;
  // Its model's state block: a block above fw::kMaxNeuronStateWords words
  // means fewer neurons a core (fw::max_neurons_for_state).
  uint32_t state_words = 0;

  bool is_source() const { return source != SourceKind::kNone; }
  // The parameter or state variable called `name`, or nullptr.
  const Parameter* find(std::string_view name) const;
};

// Every cell type (cells/registry.cpp lists them), in the order of the
// network format's cell_type fields.
std::span<const CellType* const> cell_types();
// nullptr when unset or unknown.
const CellType* find_cell_type(spindle::v1::Population::CellTypeCase c);
// Throws std::invalid_argument for a population without a cell type.
const CellType& cell_type_of(const spindle::v1::Population& pop);
// Whether the population's weights are conductances (uS, >= 0).
bool has_conductance_synapses(const spindle::v1::Population& pop);

// A neuron population's synapse types before dopamine's: its model's
// receptors (0 excitatory, 1 inhibitory), then its dendrite types
// (segment k is type receptors + k).
struct SynapseInputs {
  uint32_t receptors = 2;
  uint32_t dendrites = 0;
  uint32_t count() const { return receptors + dendrites; }
};
SynapseInputs synapse_inputs(const spindle::v1::Population& pop);

// --- for the descriptor files ----------------------------------------------

// A descriptor's parameter bound to a member of its PyNN parameter struct
// (the struct's initialiser is the default: one place for it).
template <class P>
struct Field {
  std::string_view name;
  std::string_view unit;
  double P::*member;
  bool state = false;
  std::string_view initial_from = {};
};

template <class P, size_t N>
constexpr std::array<Parameter, N> parameters_of(const std::array<Field<P>, N>& fields) {
  std::array<Parameter, N> out{};
  const P defaults{};
  for (size_t i = 0; i < N; ++i)
    out[i] = {fields[i].name, fields[i].unit, defaults.*(fields[i].member), fields[i].state, fields[i].initial_from};
  return out;
}

// A base type's fields as fields of a parameter struct derived from its
// own (a type that extends another, e.g. IF_curr_exp_adaptive).
template <class D, class B, size_t N>
constexpr std::array<Field<D>, N> fields_of_derived(const std::array<Field<B>, N>& base) {
  std::array<Field<D>, N> out{};
  for (size_t i = 0; i < N; ++i)
    out[i] = Field<D>{base[i].name, base[i].unit, base[i].member, base[i].state, base[i].initial_from};
  return out;
}

template <class T, size_t A, size_t B>
constexpr std::array<T, A + B> join(const std::array<T, A>& a, const std::array<T, B>& b) {
  std::array<T, A + B> out{};
  for (size_t i = 0; i < A; ++i) out[i] = a[i];
  for (size_t i = 0; i < B; ++i) out[A + i] = b[i];
  return out;
}

// Neurons [lo, lo + n) of `cells` through the type's to_fixed and
// initial_state, neuron by neuron.
template <class Model, class P, size_t N>
NeuronBlock block_of(fw::ModelId id, const std::array<Field<P>, N>& fields, const CellValues& cells, uint32_t lo,
                     uint32_t n, double dt, QuantizationReport* report) {
  std::array<const std::vector<double>*, N> columns{};
  for (size_t f = 0; f < N; ++f) columns[f] = &cells.at(fields[f].name);
  std::vector<typename Model::Params> params;
  std::vector<typename Model::State> states;
  params.reserve(n);
  states.reserve(n);
  for (uint32_t i = lo; i < lo + n; ++i) {
    P p{};
    for (size_t f = 0; f < N; ++f) p.*(fields[f].member) = (*columns[f])[i];
    params.push_back(to_fixed(p, dt, report));
    states.push_back(initial_state(p, report));
  }
  return make_neuron_block<Model>(id, params, states);
}

template <class Model>
constexpr uint32_t state_words() {
  return static_cast<uint32_t>(sizeof(typename Model::State) / 4);
}

template <class Model>
constexpr uint32_t block_bytes() {
  return static_cast<uint32_t>(sizeof(typename Model::Params) + sizeof(typename Model::State));
}

}  // namespace spindle::host::cells
