// PyNN STDPMechanism with SpikePairRule timing and additive or
// multiplicative weight dependence (network.proto StdpMechanism; kernel in
// firmware/synapse/plasticity/). Its parameters, defaults and the
// conversion to the kernel's integers are in synapses/stdp_params.h.
//
// Cost model (cycles per synaptic event, ARM968-class core, as
// cycles_per_event everywhere): docs/performance.md "Plastic rows" counts
// ~51 Cortex-M4 instructions per plastic synapse with no post spike in its
// window and ~103 with one (additive; multiplicative 60 / 122), plus ~110
// per row. Static synapses budget 20 cycles for the ~12-instruction ring
// buffer loop ("The synaptic loop"), 5/3 cycles per instruction. A plastic
// event is budgeted at the one-post-spike count, 103 x 5/3 = 172 cycles:
// the partitioner must not overrun a tick when post neurons are active,
// and the row overhead (~110 / 16-synapse rows, ~7 per synapse) and the
// multiplicative extra fit in what the no-post-spike case leaves. Adjust
// once plastic rows run on a core and can be measured.
#include "synapses/stdp_params.h"
#include "synapses/synapse_type.h"

namespace spindle::host::synapses {

const SynapseType stdp_mechanism_type = {
    .proto_case = spindle::v1::SynapseDynamics::kStdp,
    .name = "stdp",
    .pynn_name = "STDPMechanism",
    .parameters = stdp_parameters(),
    .cycles_per_event = 172,
    .plastic = true,
};

}  // namespace spindle::host::synapses
