// Small networks for the self-test firmware and the native-vs-QEMU
// comparison, built straight into core images (no mapping pipeline needed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spindle::host {

// Names: "single-core" (one LIF core with recurrent synapses; fits any board)
// and "four-core" (Poisson and array sources, IF_curr_exp, IF_cond_exp and
// Izhikevich cores wired together). Throws std::invalid_argument on an
// unknown name.
std::vector<std::vector<uint8_t>> selftest_network(const std::string& name, uint64_t seed);
std::vector<std::string> selftest_network_names();

// Packs images into the bundle format of firmware/selftest/bundle.h.
std::vector<uint8_t> make_bundle(const std::vector<std::vector<uint8_t>>& images);

}  // namespace spindle::host
