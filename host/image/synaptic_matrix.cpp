#include "image/synaptic_matrix.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>

#include "synapse/plasticity/plastic_row.h"

namespace spindle::host {

namespace {

// "0x" + hexadecimal, as keys are written everywhere else.
std::string hex(uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

// The most fractional bits that keep `max_state` (state units, x
// 2^unit_shift) within 16 bits. Clamped before the conversion to int: a
// finite weight can overflow double in state units, and log2(65535 / inf)
// is -inf.
int weight_frac_bits(double max_state) {
  double bits = 15;
  if (max_state > 0) bits = std::floor(std::log2(65535.0 / max_state));
  return static_cast<int>(std::clamp(bits, 15.0 - 31, 15.0 + 31));
}

// The plastic rows of blocks group[...] (one key): an entry of the plastic
// table, its row offsets, then one plastic row (a neuromodulated row when
// m.neuromodulated) per source (plastic_row.h), synapses in a canonical
// order (control word, then weight, then input order), noted in
// plastic_order.
void add_plastic_rows(SynapticMatrix& m, const std::vector<IncomingBlock>& blocks, std::span<const uint32_t> group,
                      const std::array<double, fw::kMaxSynapseTypes>& scale, QuantizationReport* report) {
  const IncomingBlock& first = blocks[group[0]];
  const uint32_t n_rows = first.n_sources;
  struct Item {
    uint16_t control, weight;
    uint32_t block, synapse;
  };
  std::vector<std::vector<Item>> rows(n_rows);
  for (const uint32_t b : group)
    for (uint32_t i = 0; i < blocks[b].synapses.size(); ++i) {
      const SynapseSpec& s = blocks[b].synapses[i];
      const double scaled = std::round(std::fabs(s.weight) * scale[s.type]);
      const auto w = static_cast<uint16_t>(std::min(scaled, 65535.0));
      if (report) report->entries.push_back({"plastic synaptic weight", std::fabs(s.weight), w / scale[s.type], scaled > 65535.0});
      rows[s.source].push_back({static_cast<uint16_t>(m.layout.pack(0, s.delay_ticks, s.type, s.target)), w, b, i});
    }
  const size_t base = m.plastic_words.size();
  size_t at = base + n_rows + 1;
  fw::image::PopulationTableEntry e{};
  e.key = first.key;
  e.mask = first.mask;
  e.row_offsets = static_cast<uint32_t>(base);
  e.n_rows = n_rows;
  m.plastic_table.push_back(e);
  m.plastic_words.resize(at);
  for (uint32_t r = 0; r < n_rows; ++r) {
    std::vector<Item>& row = rows[r];
    if (row.size() > 0xFFFF) throw std::invalid_argument("plastic row of over 65535 synapses at block key " + hex(first.key));
    std::stable_sort(row.begin(), row.end(), [](const Item& a, const Item& b) {
      return a.control != b.control ? a.control < b.control : a.weight < b.weight;
    });
    const auto count = static_cast<uint32_t>(row.size());
    m.plastic_words[base + r] = static_cast<uint32_t>(at);
    if (count == 0) continue;  // an empty row: no words (offsets equal)
    const uint32_t words =
        m.neuromodulated ? fw::stdp::neuromodulated_row_words(count) : fw::stdp::plastic_row_words(count);
    if (at + words > UINT32_MAX / 4) throw std::invalid_argument("plastic synaptic matrix over 4 GiB at block key " + hex(first.key));
    m.plastic_words.resize(at + words);
    std::vector<uint16_t> w(count), c(count);
    for (uint32_t k = 0; k < count; ++k) {
      w[k] = row[k].weight;
      c[k] = row[k].control;
      m.plastic_order.emplace_back(row[k].block, row[k].synapse);
    }
    if (m.neuromodulated) fw::stdp::init_neuromodulated_row(m.plastic_words.data() + at, count, w.data(), c.data());
    else fw::stdp::init_plastic_row(m.plastic_words.data() + at, count, w.data(), c.data());
    at += words;
  }
  m.plastic_words[base + n_rows] = static_cast<uint32_t>(at);
}

}  // namespace

std::array<double, fw::kMaxSynapseTypes> weight_scales(const std::array<double, fw::kMaxSynapseTypes>& largest,
                                                       const std::array<int32_t, fw::kMaxSynapseTypes>& unit_shift) {
  std::array<double, fw::kMaxSynapseTypes> scale{};
  for (uint32_t t = 0; t < fw::kMaxSynapseTypes; ++t) {
    const double unit = std::ldexp(1.0, unit_shift[t]);
    scale[t] = std::ldexp(1.0, weight_frac_bits(largest[t] * unit) + unit_shift[t]);
  }
  return scale;
}

uint32_t bits_for(uint32_t n) {
  uint32_t b = 0;
  while (b < 32 && (uint64_t{1} << b) < n) ++b;
  return b;
}

SynapticMatrix build_synaptic_matrix(const std::vector<IncomingBlock>& blocks, uint32_t n_neurons, uint32_t n_types,
                                     QuantizationReport* report,
                                     const std::array<int32_t, fw::kMaxSynapseTypes>& unit_shift,
                                     const std::array<double, fw::kMaxSynapseTypes>* weight_range,
                                     std::vector<uint32_t> storage) {
  SynapticMatrix m;
  m.words = std::move(storage);
  m.words.clear();
  if (n_types == 0 || n_types > fw::kMaxSynapseTypes) throw std::invalid_argument("synapse types must be 1.." + std::to_string(fw::kMaxSynapseTypes));
  for (int32_t u : unit_shift)
    if (u < 0 || u > 15) throw std::invalid_argument("receptor unit shift must be 0..15");
  m.unit_shift = unit_shift;
  // Blocks in key order; several projections from one source slice (equal
  // keys) share its rows, so they are grouped, not copied together.
  std::vector<uint32_t> order(blocks.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return blocks[a].plastic != blocks[b].plastic ? blocks[b].plastic : blocks[a].key < blocks[b].key;
  });
  for (size_t i = 1; i < order.size(); ++i) {
    const IncomingBlock &a = blocks[order[i - 1]], &b = blocks[order[i]];
    if (a.plastic && b.plastic && a.neuromodulated != b.neuromodulated)
      throw std::invalid_argument("plastic source blocks with keys " + hex(a.key) + " and " + hex(b.key) +
                                  " disagree on neuromodulation (a core runs one plastic rule)");
    if (a.plastic != b.plastic) continue;
    if (a.key == b.key && (a.mask != b.mask || a.n_sources != b.n_sources))
      throw std::invalid_argument("two source blocks with key " + hex(b.key) + " disagree on mask or size");
  }

  uint32_t max_delay = 1;
  std::array<double, fw::kMaxSynapseTypes> max_weight{};
  // 2^unit_shift per type: multiplying by it is exact, as ldexp is, without
  // a library call per synapse.
  std::array<double, fw::kMaxSynapseTypes> unit{};
  for (uint32_t t = 0; t < fw::kMaxSynapseTypes; ++t) unit[t] = std::ldexp(1.0, unit_shift[t]);
  for (const uint32_t b : order) {  // key order: the first error reported does not depend on input order
    for (size_t i = 0; i < blocks[b].synapses.size(); ++i) {
      const SynapseSpec& s = blocks[b].synapses[i];
      auto where = [&] { return "block key " + hex(blocks[b].key) + " synapse " + std::to_string(i); };
      if (s.delay_ticks == 0) throw std::invalid_argument(where() + ": delay must be >= 1 tick");
      if (s.target >= n_neurons) throw std::invalid_argument(where() + ": target out of range");
      if (s.source >= blocks[b].n_sources) throw std::invalid_argument(where() + ": source out of range");
      if (s.type >= n_types) throw std::invalid_argument(where() + ": synapse type out of range");
      if (!std::isfinite(s.weight)) throw std::invalid_argument(where() + ": weight is not finite");
      max_delay = std::max(max_delay, s.delay_ticks);
      max_weight[s.type] = std::max(max_weight[s.type], std::fabs(s.weight) * unit[s.type]);
    }
  }

  if (weight_range)
    for (uint32_t t = 0; t < fw::kMaxSynapseTypes; ++t) {
      const double range = (*weight_range)[t] * unit[t];
      if (!(range >= max_weight[t]))  // NaN included
        throw std::invalid_argument("synapse type " + std::to_string(t) + ": weight " + std::to_string(max_weight[t] / unit[t]) +
                                    " exceeds the population's weight range " + std::to_string((*weight_range)[t]));
      max_weight[t] = range;
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
    frac_bits[t] = weight_frac_bits(max_weight[t]);
    m.weight_shift[t] = 15 - frac_bits[t];
  }

  // 2^bits per type, so scaling a weight is one exact multiplication.
  std::array<double, fw::kMaxSynapseTypes> scale{};
  for (uint32_t t = 0; t < fw::kMaxSynapseTypes; ++t) scale[t] = std::ldexp(1.0, frac_bits[t] + unit_shift[t]);
  m.scale = scale;
  for (const IncomingBlock& b : blocks)
    if (b.plastic) m.neuromodulated = b.neuromodulated;
  std::vector<uint32_t> cursor;
  for (size_t g = 0; g < order.size();) {
    // Blocks order[g, g_end) share one key: one entry, one set of rows.
    const IncomingBlock& first = blocks[order[g]];
    size_t g_end = g + 1;
    size_t n_synapses = first.synapses.size();
    for (; g_end < order.size() && blocks[order[g_end]].key == first.key &&
           blocks[order[g_end]].plastic == first.plastic;
         ++g_end)
      n_synapses += blocks[order[g_end]].synapses.size();
    if (first.plastic) {
      add_plastic_rows(m, blocks, std::span<const uint32_t>(order).subspan(g, g_end - g), scale, report);
      g = g_end;
      continue;
    }
    const uint32_t n_rows = first.n_sources;
    const size_t base = m.words.size(), rows_at = base + n_rows + 1;
    // Offsets are 32-bit word offsets (and the image's size a 32-bit byte count).
    if (rows_at + n_synapses > UINT32_MAX / 4)
      throw std::invalid_argument("synaptic matrix over 4 GiB at block key " + hex(first.key));
    fw::image::PopulationTableEntry e{};
    e.key = first.key;
    e.mask = first.mask;
    e.row_offsets = static_cast<uint32_t>(base);
    e.n_rows = n_rows;
    m.table.push_back(e);

    // Counting sort by source straight into the matrix: offsets first (row
    // lengths, then their prefix sums), then each word at its row's cursor.
    m.words.resize(rows_at + n_synapses);
    uint32_t* const off = m.words.data() + base;
    std::fill(off, off + n_rows + 1, 0u);
    for (size_t k = g; k < g_end; ++k)
      for (const SynapseSpec& s : blocks[order[k]].synapses) ++off[s.source + 1];
    off[0] = static_cast<uint32_t>(rows_at);
    for (uint32_t r = 0; r < n_rows; ++r) off[r + 1] += off[r];
    cursor.assign(off, off + n_rows);
    uint32_t* const words = m.words.data();
    for (size_t k = g; k < g_end; ++k) {
      for (const SynapseSpec& s : blocks[order[k]].synapses) {
        const double scaled = std::round(std::fabs(s.weight) * scale[s.type]);  // 16-bit weight = |w| x 2^bits
        const uint32_t w = static_cast<uint32_t>(std::min(scaled, 65535.0));
        if (report)
          report->entries.push_back({"synaptic weight", std::fabs(s.weight), w / scale[s.type], scaled > 65535.0});
        words[cursor[s.source]++] = m.layout.pack(w, s.delay_ticks, s.type, s.target);
      }
    }
    // Canonical order within a row: images do not depend on input order.
    for (uint32_t r = 0; r < n_rows; ++r)
      if (off[r + 1] - off[r] > 1) std::sort(words + off[r], words + off[r + 1]);
    g = g_end;
  }
  return m;
}

}  // namespace spindle::host
