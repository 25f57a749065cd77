// A synapse type (PyNN's synapse_type of a projection), described once:
// its parameters, the row rule the cores process its rows with
// (firmware/synapse/row_rules.h), and what one synaptic event costs a core.
// Static synapses and pair STDP (stdp_mechanism.cpp), which has a
// dopamine-modulated variant (StdpMechanism.neuromodulation: the same rule
// of the format, its own descriptor for its rows and costs). A rule adds
// its message to SynapseDynamics in the network format, one descriptor
// file here and its row rule in the firmware (docs/adding-a-model.md).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "cells/cell_type.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host::synapses {

struct SynapseType {
  spindle::v1::SynapseDynamics::RuleCase proto_case = spindle::v1::SynapseDynamics::RULE_NOT_SET;
  std::string_view name;       // the field in the network file (static_synapse)
  std::string_view pynn_name;  // PyNN's class (StaticSynapse)
  std::span<const cells::Parameter> parameters;
  uint32_t cycles_per_event = 0;  // one synaptic word processed, ARM968-class core (docs/mapping.md)
  bool plastic = false;           // rows carry state the cores update
  // 32-bit words of a synaptic row besides its synapses (4 bytes each in
  // either kind of row): the count (static); the count, last pre tick,
  // window start and pre trace (plastic: firmware/synapse/plasticity/plastic_row.h).
  uint32_t row_header_words = 1;
  // 32-bit words per synapse in a row: the synaptic word (static), a 16-bit
  // weight and a 16-bit control word (plastic), plus the eligibility trace
  // and the weight state (neuromodulated).
  uint32_t words_per_synapse = 1;
};

// One descriptor per rule of the format (variants such as
// neuromodulated_stdp_type are not listed).
std::span<const SynapseType* const> synapse_types();
// nullptr when unknown.
const SynapseType* find_synapse_type(spindle::v1::SynapseDynamics::RuleCase c);
// A projection's type: static when synapse_dynamics is unset,
// neuromodulated_stdp_type for an stdp rule with a neuromodulation; nullptr
// when it is set without a rule this build knows.
const SynapseType* synapse_type_of(const spindle::v1::Projection& projection);

extern const SynapseType static_synapse_type;
extern const SynapseType stdp_mechanism_type;
extern const SynapseType neuromodulated_stdp_type;

}  // namespace spindle::host::synapses
