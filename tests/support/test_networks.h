// Small networks more than one test binary runs.
#pragma once

namespace spindle::test {

// A projection of tiny weights sharing its target with one of large
// weights: the cores' 16-bit weights (scaled by the largest) round
// projections[1] to 0, which `spindle run` (in-process or through the
// daemon) reports with the projection's path and --strict-weights refuses.
inline constexpr const char* kLostWeightsNetwork = R"(run { timestep_ms: 0.1 duration_ms: 5 }
populations { label: "src" size: 4 spike_source_poisson { rate { constant: 50 } } }
populations { label: "dst" size: 4 if_curr_exp {} }
projections { pre: "src" post: "dst" receptor: EXCITATORY connector { one_to_one {} } weight { constant: 100 } }
projections { pre: "src" post: "dst" receptor: EXCITATORY connector { all_to_all {} } weight { constant: 0.0005 } })";

}  // namespace spindle::test
