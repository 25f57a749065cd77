// PyNN StaticSynapse: weights and delays fixed for the whole run (they are
// the projection's weight and delay, not parameters of the type).
#include "synapses/synapse_type.h"

namespace spindle::host::synapses {

const SynapseType static_synapse_type = {
    .proto_case = spindle::v1::SynapseDynamics::kStaticSynapse,
    .name = "static_synapse",
    .pynn_name = "StaticSynapse",
    .parameters = {},
    .cycles_per_event = 20,
    .plastic = false,
    .row_header_words = 1,
    .words_per_synapse = 1,
};

}  // namespace spindle::host::synapses
