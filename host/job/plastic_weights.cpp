#include "job/plastic_weights.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>

#include "image/parser.h"
#include "synapse/plasticity/plastic_row.h"

namespace spindle::host {
namespace {

namespace img = fw::image;

std::string core_name(const CoreLoad& c) {
  return "core (" + std::to_string(c.chip.x) + "," + std::to_string(c.chip.y) + "," + std::to_string(c.core) + ")";
}

// The 16-bit weights of a core's plastic matrix, in matrix order: table
// entries, their rows, each row's synapses (the order the builder noted in
// CoreLoad::plastic). Rows are found by their offsets, not their sizes: a
// neuromodulated row (plastic_row.h) holds its 16-bit weights where a
// plain one does, and its eligibility and weight-state words after them
// are stepped over. The table comes from the slot's image; the matrix
// from the slot's image (a native core writes it in place) or, for a
// remote core, from `remote_matrix`, the region as the remote core holds it.
std::vector<uint16_t> matrix_weights(const emu::CoreSlot& slot, const CoreLoad& c,
                                     const std::vector<uint32_t>* remote_matrix) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(slot.image.data());
  // The core wrote its plastic regions since load: their CRCs no longer
  // hold, so the regions are found without checking them.
  const img::ImageHeader* h = reinterpret_cast<const img::ImageHeader*>(bytes);
  const auto* entries = reinterpret_cast<const img::RegionEntry*>(bytes + sizeof(img::ImageHeader));
  img::RegionView table{}, matrix{};
  for (uint32_t i = 0; i < h->region_count && i < img::kMaxRegions; ++i) {
    const img::RegionEntry& e = entries[i];
    if (e.id == static_cast<uint32_t>(img::RegionId::kPlasticTable)) table = {bytes + e.offset, e.size};
    if (e.id == static_cast<uint32_t>(img::RegionId::kPlasticMatrix)) matrix = {bytes + e.offset, e.size};
  }
  if (!table.present() || !matrix.present())
    throw std::runtime_error(core_name(c) + ": its image has no plastic synapses to read");
  // The walk (row offsets, row lengths) uses the slot's image, which the
  // native parser checked at load and in which the core writes only
  // weights and row state; the weights come from where the core runs: the
  // slot's image for a native core, `remote_matrix` (the same region, word
  // for word) for a remote one.
  const auto* words = reinterpret_cast<const uint32_t*>(matrix.data);
  const uint32_t* values = words;
  if (remote_matrix != nullptr) {
    if (remote_matrix->size() * 4 != matrix.size)
      throw std::runtime_error(core_name(c) + " (" + slot.remote->describe() + ") returned a plastic matrix of " +
                               std::to_string(remote_matrix->size() * 4) + " bytes, its image holds " +
                               std::to_string(matrix.size));
    values = remote_matrix->data();
  }
  const uint32_t n = reinterpret_cast<const img::PopulationTableHeader*>(table.data)->n_entries;
  const auto* te = reinterpret_cast<const img::PopulationTableEntry*>(table.data + sizeof(img::PopulationTableHeader));
  std::vector<uint16_t> out;
  out.reserve(c.plastic.size());
  for (uint32_t i = 0; i < n; ++i) {  // the core checked the table and rows at load
    const uint32_t* offsets = words + te[i].row_offsets;
    for (uint32_t r = 0; r < te[i].n_rows; ++r) {
      if (offsets[r] == offsets[r + 1]) continue;
      const uint32_t count = reinterpret_cast<const fw::stdp::PlasticRowHeader*>(words + offsets[r])->count;
      const auto* w = reinterpret_cast<const uint16_t*>(values + offsets[r] + fw::stdp::kPlasticRowHeaderWords);
      out.insert(out.end(), w, w + count);
    }
  }
  if (out.size() != c.plastic.size())
    throw std::runtime_error(core_name(c) + ": its image holds " + std::to_string(out.size()) +
                             " plastic synapses, the mapping " + std::to_string(c.plastic.size()));
  return out;
}

}  // namespace

std::vector<ProjectionWeights> read_plastic_weights(emu::Engine& engine, const MachineLoad& load) {
  std::map<uint32_t, ProjectionWeights> by_projection;
  for (const CoreLoad& c : load.cores) {
    if (c.plastic.empty()) continue;
    const emu::CoreSlot* found = engine.find({c.chip, c.core});
    if (found == nullptr) throw std::runtime_error(core_name(c) + ": not loaded in the engine");
    // The engine owns the slot; flushing changes only the rows' state, as a
    // later pre spike would (Core::flush_plastic). A remote core flushes
    // itself and sends its matrix region over the link.
    emu::CoreSlot& slot = const_cast<emu::CoreSlot&>(*found);
    std::vector<uint32_t> remote_matrix;
    if (slot.remote) remote_matrix = slot.remote->read_plastic_matrix();
    else slot.core.flush_plastic();
    const std::vector<uint16_t> w = matrix_weights(slot, c, slot.remote ? &remote_matrix : nullptr);
    for (size_t k = 0; k < w.size(); ++k) {
      const PlasticSynapseRef& s = c.plastic[k];
      ProjectionWeights& p = by_projection[s.projection];
      p.projection = s.projection;
      p.pre.push_back(s.pre);
      p.post.push_back(s.post);
      p.weight.push_back(w[k] * c.plastic_weight_unit);
    }
  }
  std::vector<ProjectionWeights> out;
  for (auto& entry : by_projection) {
    // Not a structured binding: clang before 16 cannot capture one in a lambda.
    const uint32_t e = entry.first;
    const ProjectionWeights& p = entry.second;
    // PyNN's list order: by pre, then post; stable, so synapses of one pair
    // keep the image's order (cores come in slice order, each in its order).
    std::vector<size_t> order(p.pre.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return p.pre[a] != p.pre[b] ? p.pre[a] < p.pre[b] : p.post[a] < p.post[b];
    });
    ProjectionWeights sorted;
    sorted.projection = e;
    for (size_t k : order) {
      sorted.pre.push_back(p.pre[k]);
      sorted.post.push_back(p.post[k]);
      sorted.weight.push_back(p.weight[k]);
    }
    out.push_back(std::move(sorted));
  }
  return out;
}

}  // namespace spindle::host
