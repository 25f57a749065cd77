// PyNN STDPMechanism with SpikePairRule timing and additive or
// multiplicative weight dependence (network.proto StdpMechanism; kernel in
// firmware/synapse/plasticity/), and its dopamine-modulated variant (a
// StdpMechanism with a neuromodulation). Their parameters, defaults and the
// conversion to the kernel's integers are in synapses/stdp_params.h.
//
// Cost model (cycles per synaptic event, ARM968-class core, as
// cycles_per_event everywhere): docs/performance.md "Plastic rows" counts
// 39 Cortex-M4 instructions per plastic synapse with no post spike in its
// window and 90 with one (additive; multiplicative 57 / 117), plus ~132
// per row. Static synapses budget 20 cycles for the ~12-instruction ring
// buffer loop ("The synaptic loop"), 5/3 cycles per instruction. A plastic
// event is budgeted at 172 cycles (103 instructions): the one-post-spike
// count and the row overhead of a 16-synapse row (~8 a synapse), so the
// partitioner does not overrun a tick when post neurons are active; the
// multiplicative rule's one-post-spike extra fits in what the far more
// common no-post-spike case (39 / 57) leaves.
//
// A neuromodulated event is budgeted at 1344 cycles (806 instructions):
// docs/performance.md counts 343 Cortex-M4 instructions per synapse with
// no event in its window (one exact integration of the weight, c and d
// decayed) and 806 with one post spike and one dopamine event in it (three
// integrations, the potentiation of c, the dopamine level looked up); as
// for pair STDP the event-rich count is the budget.
#include "synapse/plasticity/plastic_row.h"
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
    .row_header_words = fw::stdp::kPlasticRowHeaderWords,
    .words_per_synapse = 1,
};

const SynapseType neuromodulated_stdp_type = {
    .proto_case = spindle::v1::SynapseDynamics::kStdp,
    .name = "stdp",
    .pynn_name = "STDPMechanism (Neuromodulation)",
    .parameters = stdp_parameters(),
    .cycles_per_event = 1344,
    .plastic = true,
    .row_header_words = fw::stdp::kPlasticRowHeaderWords,
    .words_per_synapse = (fw::stdp::neuromodulated_row_words(2) - fw::stdp::kPlasticRowHeaderWords) / 2,
};

}  // namespace spindle::host::synapses
