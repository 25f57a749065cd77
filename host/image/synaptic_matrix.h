// Builds a core's synaptic matrix and master population table from the
// synapses that target it: chooses the synaptic word's field widths from the
// core's sizes, a per-type weight scale that keeps 16 bits of precision, and
// the ring-buffer size the longest delay needs. The matrix is the image's
// row-offset layout (firmware/image/format.h): per table entry n_rows + 1
// offsets, then the rows, unpadded.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "image/format.h"
#include "quantize/quantize.h"
#include "synapse/synaptic_word.h"

namespace spindle::host {

struct SynapseSpec {
  uint32_t source = 0;       // index within the source block
  uint32_t target = 0;       // neuron index on this core
  double weight = 0;         // nA (current), uS (conductance) or mV (delta); sign ignored, the type decides
  uint32_t delay_ticks = 1;  // >= 1
  uint32_t type = 0;         // synapse type: 0 excitatory, 1 inhibitory, ... (reward, punishment)
};

// Synapses from one source slice, which sends keys key | index.
// Plastic blocks (STDP) go to the plastic table and matrix (image regions
// 7 and 8) as plastic rows; a source slice may have both kinds. A core's
// plastic blocks are all neuromodulated or none (a core runs one rule).
struct IncomingBlock {
  uint32_t key = 0;
  uint32_t mask = 0;
  uint32_t n_sources = 0;
  std::vector<SynapseSpec> synapses;
  bool plastic = false;
  bool neuromodulated = false;  // plastic: neuromodulated rows (plastic_row.h)
  // Not in the image: the projection and the source slice's first atom,
  // for what reads plastic weights back.
  uint32_t projection = 0;
  uint32_t source_first_atom = 0;
};

struct SynapticMatrix {
  fw::SynapticWordLayout layout{};
  uint32_t ring_slots = 2;
  std::array<int32_t, fw::kMaxSynapseTypes> weight_shift{};
  // The unit_shift the matrix was built with (weights reach the synaptic
  // state x 2^unit_shift[type]).
  std::array<int32_t, fw::kMaxSynapseTypes> unit_shift{};
  std::vector<fw::image::PopulationTableEntry> table;
  std::vector<uint32_t> words;  // the synaptic matrix region, word by word
  // Plastic synapses: table, matrix (plastic rows) and, for each synapse in
  // the order its weight appears in the matrix, (block, synapse) of the
  // input: what the weights read back from the core belong to.
  std::vector<fw::image::PopulationTableEntry> plastic_table;
  std::vector<uint32_t> plastic_words;
  std::vector<std::pair<uint32_t, uint32_t>> plastic_order;
  // The plastic rows are neuromodulated rows (eligibility and weight state
  // after each row's plastic part): the image needs region 10.
  bool neuromodulated = false;
  // The scale of each type (16-bit weight units per caller's unit).
  std::array<double, fw::kMaxSynapseTypes> scale{};
};

// Throws std::invalid_argument naming the block and synapse on bad input
// (delay 0, target out of range, a delay the core's ring buffer cannot hold,
// plastic blocks that disagree on neuromodulated).
// unit_shift[type]: the target model holds that receptor's synaptic state in
// units of 2^-unit_shift of the weight's unit (receptor_unit_shifts(model) in
// image/cell_params.h; 10 for IF_cond_exp's conductances), so weights are
// scaled by 2^unit_shift before the 16-bit weights and shifts are chosen.
// The quantization report lists weights in the caller's units.
// weight_range, when given, is the largest |weight| per type (caller's
// units) the 16-bit weights must cover: the target population's, so every
// slice of it gets the same scale and its spikes do not depend on how it is
// sliced (mapping/weight_scales.h). Without it, this matrix's own largest.
// Blocks with the same key (several projections from one source slice) share
// one entry and its rows. `storage` becomes the matrix's words: passing back
// the words of an earlier matrix reuses their memory (no fresh pages per core).
SynapticMatrix build_synaptic_matrix(const std::vector<IncomingBlock>& blocks, uint32_t n_neurons, uint32_t n_types,
                                     QuantizationReport* report = nullptr,
                                     const std::array<int32_t, fw::kMaxSynapseTypes>& unit_shift = {},
                                     const std::array<double, fw::kMaxSynapseTypes>* weight_range = nullptr,
                                     std::vector<uint32_t> storage = {});

// Bits needed to hold values 0..n-1 (0 for n <= 1).
uint32_t bits_for(uint32_t n);

// Per type, what a weight (caller's units) is multiplied by to give its
// 16-bit synaptic word, round(|w| x scale): 2^(f + unit_shift), with f the
// most fractional bits that keep `largest` (caller's units) within 16 bits.
// build_synaptic_matrix scales by exactly this; the quantization of a
// projection's weights (mapping/weight_quantization.h) reads it.
std::array<double, fw::kMaxSynapseTypes> weight_scales(const std::array<double, fw::kMaxSynapseTypes>& largest,
                                                       const std::array<int32_t, fw::kMaxSynapseTypes>& unit_shift);

}  // namespace spindle::host
