#include "cells/if_curr_exp_segments.h"

namespace spindle::host {

fw::IfCurrExpSegments::Params to_fixed(const IfCurrExpSegmentsParams& p, double dt, QuantizationReport* r) {
  const auto base = to_fixed(static_cast<const IfCurrExpParams&>(p), dt, r);
  fw::IfCurrExpSegments::Params f{};
  f.synapse = base.synapse;
  f.membrane = base.membrane;
  f.threshold = base.threshold;
  f.dendrites = dendrite_segments(p, dt, r);
  return f;
}

fw::IfCurrExpSegments::State initial_state(const IfCurrExpSegmentsParams& p, QuantizationReport* r) {
  const auto base = initial_state(static_cast<const IfCurrExpParams&>(p), r);
  fw::IfCurrExpSegments::State s{};
  s.synapse = base.synapse;
  s.membrane = base.membrane;
  return s;
}

namespace cells {
namespace {

using P = IfCurrExpSegmentsParams;
constexpr auto kFields = join(join(fields_of_derived<P>(kIfCurrExpParameterFields), dendrite_segment_fields<P>()),
                              fields_of_derived<P>(kIfCurrExpStateFields));
constexpr auto kParameters = parameters_of(kFields);
constexpr auto kRules = join(kIfCurrExpRules, kDendriteSegmentRules);

NeuronBlock block(const CellValues& cells, uint32_t lo, uint32_t n, double dt, QuantizationReport* r) {
  return block_of<fw::IfCurrExpSegments>(fw::ModelId::kIfCurrExpSegments, kFields, cells, lo, n, dt, r);
}

uint32_t segment_types(const spindle::v1::Population& pop) {
  const auto& n = pop.if_curr_exp_segments().n_segments();
  return static_cast<uint32_t>(n.has_constant() ? n.constant() : P{}.n_segments);
}

}  // namespace

const CellType if_curr_exp_segments_type = {
    .proto_case = spindle::v1::Population::kIfCurrExpSegments,
    .name = "if_curr_exp_segments",
    .pynn_name = "IF_curr_exp_segments",
    .parameters = kParameters,
    .rules = kRules,
    .model = fw::ModelId::kIfCurrExpSegments,
    // The Cortex-M4 counts (docs/performance.md): 266 instructions for a
    // neuron with one segment, 55 for each further one; 8 segments.
    .cycles_per_atom = 650,
    .dtcm_bytes_per_atom = block_bytes<fw::IfCurrExpSegments>(),
    .receptors = fw::IfCurrExpSegments::kReceptors,
    .conductance_synapses = false,
    .neuron_block = block,
    .dendrite_types = segment_types,
    .state_words = state_words<fw::IfCurrExpSegments>(),
};

}  // namespace cells
}  // namespace spindle::host
