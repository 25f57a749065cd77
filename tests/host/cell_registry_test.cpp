// The cell-type registry (cells/cell_type.h) against the network format and
// the firmware: every cell type of the format has one descriptor, whose
// parameters are exactly the fields of its message, whose state variables
// are initial values the format can set, and whose model is one the cores
// run with the receptors and block sizes the descriptor claims.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "cells/cell_type.h"
#include "cells/if_curr_exp.h"
#include "neuron/models.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host::cells {
namespace {

namespace v1 = spindle::v1;
namespace pb = google::protobuf;

TEST(CellRegistry, OneDescriptorPerCellTypeOfTheFormat) {
  const pb::OneofDescriptor* oneof = v1::Population::descriptor()->FindOneofByName("cell_type");
  ASSERT_NE(oneof, nullptr);
  std::set<std::string> in_format, in_registry;
  for (int f = 0; f < oneof->field_count(); ++f) {
    const pb::FieldDescriptor* field = oneof->field(f);
    in_format.insert(field->name());
    const CellType* t = find_cell_type(static_cast<v1::Population::CellTypeCase>(field->number()));
    ASSERT_NE(t, nullptr) << field->name() << " has no descriptor (add one to cells/registry.cpp)";
    EXPECT_EQ(t->name, field->name());
  }
  for (const CellType* t : cell_types()) in_registry.insert(std::string(t->name));
  EXPECT_EQ(in_format, in_registry);
}

TEST(CellRegistry, ParametersAreTheFieldsOfTheTypesMessage) {
  for (const CellType* t : cell_types()) {
    const pb::FieldDescriptor* field = v1::Population::descriptor()->FindFieldByName(std::string(t->name));
    ASSERT_NE(field, nullptr) << t->name;
    std::set<std::string> fields, parameters;
    for (int f = 0; f < field->message_type()->field_count(); ++f)
      if (field->message_type()->field(f)->message_type() == v1::ParameterValue::descriptor())
        fields.insert(field->message_type()->field(f)->name());
    for (const Parameter& p : t->parameters) {
      EXPECT_FALSE(p.unit.empty()) << t->name << "." << p.name << " has no unit";
      if (!p.state) {
        parameters.insert(std::string(p.name));
        continue;
      }
      EXPECT_NE(v1::InitialValues::descriptor()->FindFieldByName(std::string(p.name)), nullptr)
          << t->name << ": state variable " << p.name << " cannot be set in initial_values";
      if (!p.initial_from.empty()) {
        const Parameter* from = t->find(p.initial_from);
        ASSERT_NE(from, nullptr) << t->name << "." << p.name;
        EXPECT_FALSE(from->state);
      }
    }
    EXPECT_EQ(fields, parameters) << t->name;
    for (const ParameterRule& r : t->rules) {
      EXPECT_NE(t->find(r.a), nullptr) << t->name << " rule on " << r.a;
      if (!r.b.empty()) {
        EXPECT_NE(t->find(r.b), nullptr) << t->name << " rule on " << r.b;
      }
    }
  }
}

TEST(CellRegistry, NeuronTypesRunAModelTheCoresKnow) {
  for (const CellType* t : cell_types()) {
    if (t->is_source()) {
      EXPECT_EQ(t->model, fw::ModelId::kNone) << t->name;
      EXPECT_EQ(t->neuron_block, nullptr) << t->name;
      continue;
    }
    ASSERT_NE(t->neuron_block, nullptr) << t->name;
    uint32_t receptors = 0, bytes = 0;
    ASSERT_TRUE(fw::visit_model(t->model, [&]<class Model>() {
      receptors = Model::kReceptors;
      bytes = block_bytes<Model>();
    })) << t->name;
    EXPECT_EQ(t->receptors, receptors) << t->name;
    EXPECT_EQ(t->dtcm_bytes_per_atom, bytes) << t->name;
  }
}

// The cost model docs/cli.md and docs/mapping.md quote.
TEST(CellRegistry, CyclesPerAtomAsDocumented) {
  const std::pair<const char*, uint32_t> documented[] = {
      {"if_curr_exp", 120},          {"if_cond_exp", 180},         {"if_curr_exp_adaptive", 150},
      {"if_cond_exp_adaptive", 210}, {"izhikevich", 160},          {"if_nonleaky", 80},
      {"spike_source_poisson", 60},  {"spike_source_array", 20}};
  for (const auto& [name, cycles] : documented) {
    const CellType* found = nullptr;
    for (const CellType* t : cell_types())
      if (t->name == name) found = t;
    ASSERT_NE(found, nullptr) << name;
    EXPECT_EQ(found->cycles_per_atom, cycles) << name;
  }
}

// Defaults come from the parameter struct's initialisers (PyNN's values).
TEST(CellRegistry, DefaultsAreTheStructsInitialisers) {
  const IfCurrExpParams p;
  EXPECT_EQ(if_curr_exp_type.find("tau_m")->default_value, p.tau_m);
  EXPECT_EQ(if_curr_exp_type.find("tau_m")->default_value, 20.0);
  EXPECT_EQ(if_curr_exp_type.find("v_thresh")->default_value, -50.0);
  EXPECT_EQ(if_curr_exp_type.find("v")->initial_from, "v_rest");
}

// A neuron block built from per-neuron values equals the block of the
// same parameters built by hand.
TEST(CellRegistry, NeuronBlockFromValuesMatchesTheStructPath) {
  IfCurrExpParams p;
  p.tau_m = 12;
  p.v_init = -60;
  CellValues values;
  for (const Parameter& par : if_curr_exp_type.parameters) {
    double v = par.default_value;
    if (par.name == "tau_m") v = 12;
    if (par.name == "v") v = -60;
    values.set(par.name, std::vector<double>(5, v));
  }
  const NeuronBlock a = if_curr_exp_type.neuron_block(values, 1, 3, 0.1, nullptr);
  const NeuronBlock b = uniform_block(p, 3, 0.1);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.n_neurons, 3u);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.state, b.state);
}

}  // namespace
}  // namespace spindle::host::cells
