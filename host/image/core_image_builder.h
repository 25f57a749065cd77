// Writes a core image (firmware/image/format.h, docs/core-image.md) from the
// plain description of what one core runs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "image/cell_params.h"
#include "image/format.h"
#include "image/synaptic_matrix.h"

namespace spindle::host {

struct CoreImageSpec {
  fw::image::CoreKind kind = fw::image::CoreKind::kNeurons;
  uint32_t n_neurons = 0;
  uint32_t timer_period_us = 1000;  // timestep x time_scale_factor (network::tick_period_us)
  uint32_t key_base = 0;
  uint32_t key_mask = 0;
  bool emits_spikes = true;
  std::array<uint32_t, 4> seed{1, 2, 3, 4};
  std::optional<NeuronBlock> neurons;        // kNeurons
  std::optional<SynapticMatrix> synapses;    // kNeurons with incoming projections
  uint32_t n_synapse_types = 2;              // kNeurons: receptors of the model
  std::vector<fw::image::PoissonSource> poisson;   // kPoissonSource
  std::vector<fw::image::SpikeTime> spike_times;   // kArraySource
  std::optional<fw::image::RecordingRegion> recording;
  // Plastic synapses (synapses->plastic_table non-empty): the STDP rule;
  // the image gets room for the post-spike history after it.
  std::optional<fw::image::StdpRegionHeader> stdp;
  // Neuromodulated plastic synapses (synapses->neuromodulated): region 10,
  // room for the dopamine history after it. Its reward and punishment
  // types must be the last two of n_synapse_types, in that order.
  std::optional<fw::image::NeuromodulationRegionHeader> neuromodulation;
};

std::vector<uint8_t> build_core_image(const CoreImageSpec& spec);

// A Poisson source's per-tick parameters; times in ms, rate in Hz.
fw::image::PoissonSource poisson_source(double rate_hz, double start_ms, double duration_ms, double dt_ms);

// Independent per-core random streams from one seed (SplitMix64): the
// mapping passes the population's seed and the slice's index within the
// population (mapping/core_images.cpp).
std::array<uint32_t, 4> core_seed(uint64_t network_seed, uint32_t core_index);

// Key mask for a slice of n neurons: all bits above the index field.
uint32_t slice_key_mask(uint32_t n_neurons);

// Recording config that records `flags` for every neuron of the slice.
fw::image::RecordingRegion record_all(uint32_t flags, uint32_t n_neurons, uint32_t sample_interval = 1);

}  // namespace spindle::host
