#include "image/synaptic_matrix.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace spindle::host {

namespace {

// "0x" + hexadecimal, as keys are written everywhere else.
std::string hex(uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

}  // namespace

uint32_t bits_for(uint32_t n) {
  uint32_t b = 0;
  while (b < 32 && (uint64_t{1} << b) < n) ++b;
  return b;
}

SynapticMatrix build_synaptic_matrix(std::vector<IncomingBlock> blocks, uint32_t n_neurons, uint32_t n_types,
                                     QuantizationReport* report,
                                     const std::array<int32_t, fw::kMaxSynapseTypes>& unit_shift) {
  SynapticMatrix m;
  if (n_types == 0 || n_types > fw::kMaxSynapseTypes) throw std::invalid_argument("synapse types must be 1..4");
  for (int32_t u : unit_shift)
    if (u < 0 || u > 15) throw std::invalid_argument("receptor unit shift must be 0..15");
  m.unit_shift = unit_shift;
  std::stable_sort(blocks.begin(), blocks.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  // Several projections from one source slice share its rows.
  std::vector<IncomingBlock> merged;
  for (IncomingBlock& b : blocks) {
    if (!merged.empty() && merged.back().key == b.key) {
      if (merged.back().mask != b.mask || merged.back().n_sources != b.n_sources)
        throw std::invalid_argument("two source blocks with key " + hex(b.key) + " disagree on mask or size");
      merged.back().synapses.insert(merged.back().synapses.end(), b.synapses.begin(), b.synapses.end());
    } else {
      merged.push_back(std::move(b));
    }
  }
  blocks = std::move(merged);

  uint32_t max_delay = 1;
  std::array<double, fw::kMaxSynapseTypes> max_weight{};
  for (size_t b = 0; b < blocks.size(); ++b) {
    for (size_t i = 0; i < blocks[b].synapses.size(); ++i) {
      const SynapseSpec& s = blocks[b].synapses[i];
      auto where = [&] { return "block key " + hex(blocks[b].key) + " synapse " + std::to_string(i); };
      if (s.delay_ticks == 0) throw std::invalid_argument(where() + ": delay must be >= 1 tick");
      if (s.target >= n_neurons) throw std::invalid_argument(where() + ": target out of range");
      if (s.source >= blocks[b].n_sources) throw std::invalid_argument(where() + ": source out of range");
      if (s.type >= n_types) throw std::invalid_argument(where() + ": synapse type out of range");
      if (!std::isfinite(s.weight)) throw std::invalid_argument(where() + ": weight is not finite");
      max_delay = std::max(max_delay, s.delay_ticks);
      max_weight[s.type] = std::max(max_weight[s.type], std::ldexp(std::fabs(s.weight), unit_shift[s.type]));
    }
  }

  m.layout = fw::SynapticWordLayout{bits_for(n_neurons), bits_for(n_types), bits_for(max_delay + 1)};
  m.ring_slots = 1u << m.layout.delay_bits;
  if (m.ring_slots < 2) m.ring_slots = 2;
  if (!fw::SynapticWordLayout::valid(m.layout.index_bits, m.layout.type_bits, m.layout.delay_bits) ||
      m.ring_slots > fw::kMaxRingSlots ||
      (uint64_t{m.ring_slots} << (m.layout.type_bits + m.layout.index_bits)) > fw::kRingBufferWords)
    throw std::invalid_argument("delay of " + std::to_string(max_delay) + " ticks does not fit the ring buffer of a " +
                                std::to_string(n_neurons) + "-neuron core (needs a delay extension)");

  // Per type: the most fractional bits f that keep the largest weight (in
  // state units, x 2^unit_shift) within 16 bits; the core scales sums by
  // 2^(15 - f) into s16.15.
  std::array<int, fw::kMaxSynapseTypes> frac_bits{};
  for (uint32_t t = 0; t < fw::kMaxSynapseTypes; ++t) {
    int f = 15;
    if (max_weight[t] > 0) f = static_cast<int>(std::floor(std::log2(65535.0 / max_weight[t])));
    f = std::clamp(f, 15 - 31, 15 + 31);
    frac_bits[t] = f;
    m.weight_shift[t] = 15 - f;
  }

  // 2^bits per type, so scaling a weight is one exact multiplication.
  std::array<double, fw::kMaxSynapseTypes> scale{};
  for (uint32_t t = 0; t < fw::kMaxSynapseTypes; ++t) scale[t] = std::ldexp(1.0, frac_bits[t] + unit_shift[t]);
  std::vector<uint32_t> row_start, cursor, flat;
  for (const IncomingBlock& block : blocks) {
    // Rows in one flat array (counting sort by source), not a vector per row.
    row_start.assign(block.n_sources + 1, 0);
    for (const SynapseSpec& s : block.synapses) ++row_start[s.source + 1];
    for (uint32_t r = 0; r < block.n_sources; ++r) row_start[r + 1] += row_start[r];
    cursor.assign(row_start.begin(), row_start.end() - 1);
    flat.resize(block.synapses.size());
    for (const SynapseSpec& s : block.synapses) {
      const double scaled = std::round(std::fabs(s.weight) * scale[s.type]);  // 16-bit weight = |w| x 2^bits
      const uint32_t w = static_cast<uint32_t>(std::min(scaled, 65535.0));
      if (report)
        report->entries.push_back({"synaptic weight", std::fabs(s.weight), w / scale[s.type], scaled > 65535.0});
      flat[cursor[s.source]++] = m.layout.pack(w, s.delay_ticks, s.type, s.target);
    }
    size_t longest = 0;
    for (uint32_t r = 0; r < block.n_sources; ++r) {
      // Canonical order: images do not depend on input order.
      std::sort(flat.begin() + row_start[r], flat.begin() + row_start[r + 1]);
      longest = std::max<size_t>(longest, row_start[r + 1] - row_start[r]);
    }
    fw::image::PopulationTableEntry e{};
    e.key = block.key;
    e.mask = block.mask;
    e.first_row = static_cast<uint32_t>(m.words.size());
    e.row_stride = static_cast<uint32_t>(longest + 1);
    e.n_rows = block.n_sources;
    // Rows written in place into the zeroed block (the padding stays 0).
    const size_t stride = longest + 1;
    m.words.resize(m.words.size() + size_t{block.n_sources} * stride, 0u);
    uint32_t* row = m.words.data() + e.first_row;
    for (uint32_t r = 0; r < block.n_sources; ++r, row += stride) {
      row[0] = row_start[r + 1] - row_start[r];
      std::copy(flat.begin() + row_start[r], flat.begin() + row_start[r + 1], row + 1);
    }
    m.table.push_back(e);
  }
  return m;
}

}  // namespace spindle::host
