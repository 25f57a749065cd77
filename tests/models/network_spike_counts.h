// Runs an example network through the whole host path (validate, map on the
// 48-chip board, core images, native engine) and counts each neuron's spikes:
// what the network-level model tests (CUBA, COBA against Brian2) compare.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spindle/v1/network.pb.h"

namespace spindle::host {

// Per population (in the network's order), per neuron: the ticks it fired
// in, in increasing order; and how many slices (cores) the mapping made.
struct NetworkSpikeTrains {
  std::vector<std::vector<std::vector<uint32_t>>> ticks;
  uint32_t slices = 0;
};
NetworkSpikeTrains network_spike_trains(const v1::Network& net);

// Per population (in the network's order), per neuron: spikes in ticks
// [first_tick, net's duration). Expects a valid network and no dropped
// packets (gtest failures otherwise).
std::vector<std::vector<double>> network_spike_counts(const v1::Network& net, uint32_t first_tick = 0);

// Mean and sample standard deviation (n - 1) of reference statistics.
double mean(const std::vector<double>& v);
double sd(const std::vector<double>& v);

}  // namespace spindle::host
