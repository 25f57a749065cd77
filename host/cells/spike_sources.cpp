#include "cells/spike_sources.h"

#include "image/format.h"

namespace spindle::host::cells {
namespace {

using P = PoissonSourceParams;
constexpr std::array<Field<P>, 3> kPoissonFields = {{
    Field<P>{"rate", "Hz", &P::rate},
    Field<P>{"start", "ms", &P::start},
    Field<P>{"duration", "ms", &P::duration},
}};
constexpr auto kPoissonParameters = parameters_of(kPoissonFields);
constexpr ParameterRule kPoissonRules[] = {
    {Rule::kNonNegative, "rate"},
    {Rule::kNonNegative, "start"},
    {Rule::kNonNegative, "duration"},
};

}  // namespace

const CellType spike_source_poisson_type = {
    .proto_case = spindle::v1::Population::kSpikeSourcePoisson,
    .name = "spike_source_poisson",
    .pynn_name = "SpikeSourcePoisson",
    .parameters = kPoissonParameters,
    .rules = kPoissonRules,
    .source = SourceKind::kPoisson,
    .cycles_per_atom = 60,
    .dtcm_bytes_per_atom = sizeof(fw::image::PoissonSource),
};

// Spike times are in the population's spike_source_array message, not
// parameters; a source core keeps a cursor per neuron.
const CellType spike_source_array_type = {
    .proto_case = spindle::v1::Population::kSpikeSourceArray,
    .name = "spike_source_array",
    .pynn_name = "SpikeSourceArray",
    .parameters = {},
    .rules = {},
    .source = SourceKind::kArray,
    .cycles_per_atom = 20,
    .dtcm_bytes_per_atom = 4,
};

}  // namespace spindle::host::cells
