// The synapse-type registry: every type's descriptor, one line each.
#include "synapses/synapse_type.h"

#include "synapses/stdp_params.h"

namespace spindle::host::synapses {
namespace {

namespace v1 = spindle::v1;

const SynapseType* const kSynapseTypes[] = {
    &static_synapse_type,
    &stdp_mechanism_type,
};

}  // namespace

std::span<const SynapseType* const> synapse_types() { return kSynapseTypes; }

const SynapseType* find_synapse_type(v1::SynapseDynamics::RuleCase c) {
  for (const SynapseType* t : kSynapseTypes)
    if (t->proto_case == c) return t;
  return nullptr;
}

const SynapseType* synapse_type_of(const v1::Projection& projection) {
  if (!projection.has_synapse_dynamics()) return &static_synapse_type;
  if (is_neuromodulated(projection)) return &neuromodulated_stdp_type;
  return find_synapse_type(projection.synapse_dynamics().rule_case());
}

}  // namespace spindle::host::synapses
