// The cell-type registry: every type's descriptor, one line each.
#include <stdexcept>
#include <string>

#include "cells/cell_type.h"
#include "cells/if_cond_exp.h"
#include "cells/if_cond_exp_adaptive.h"
#include "cells/if_curr_exp.h"
#include "cells/if_curr_exp_adaptive.h"
#include "cells/if_curr_exp_segments.h"
#include "cells/if_nonleaky.h"
#include "cells/izhikevich.h"
#include "cells/spike_sources.h"

namespace spindle::host::cells {
namespace {

namespace v1 = spindle::v1;

const CellType* const kCellTypes[] = {
    &if_curr_exp_type,
    &if_cond_exp_type,
    &izhikevich_type,
    &if_nonleaky_type,
    &spike_source_poisson_type,
    &spike_source_array_type,
    &if_curr_exp_adaptive_type,
    &if_cond_exp_adaptive_type,
    &if_curr_exp_segments_type,
};

}  // namespace

std::span<const CellType* const> cell_types() { return kCellTypes; }

const CellType* find_cell_type(v1::Population::CellTypeCase c) {
  for (const CellType* t : kCellTypes)
    if (t->proto_case == c) return t;
  return nullptr;
}

const CellType& cell_type_of(const v1::Population& pop) {
  if (const CellType* t = find_cell_type(pop.cell_type_case())) return *t;
  throw std::invalid_argument("population \"" + pop.label() + "\" has no cell type this build knows");
}

bool has_conductance_synapses(const v1::Population& pop) {
  const CellType* t = find_cell_type(pop.cell_type_case());
  return t != nullptr && t->conductance_synapses;
}

SynapseInputs synapse_inputs(const v1::Population& pop) {
  const CellType& t = cell_type_of(pop);
  return {t.receptors, t.dendrite_types != nullptr ? t.dendrite_types(pop) : 0};
}

const Parameter* CellType::find(std::string_view n) const {
  for (const Parameter& p : parameters)
    if (p.name == n) return &p;
  return nullptr;
}

const std::vector<double>& CellValues::at(std::string_view name) const {
  for (const auto& [n, values] : columns_)
    if (n == name) return values;
  throw std::invalid_argument("cell values: no parameter '" + std::string(name) + "'");
}

}  // namespace spindle::host::cells
