// Input of the mapping pipeline: the application graph. Vertices are
// populations (with what one neuron costs a core), edges are projections
// (with an estimate of how many synapses they make). Plain data, independent
// of the network file format; the network loader fills it in.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spindle::host {

struct ApplicationVertex {
  std::string label;
  uint32_t n_atoms = 0;               // neurons (or source channels)
  uint32_t dtcm_bytes_per_atom = 64;  // parameters + state + recording buffer share
  uint32_t sdram_bytes_per_atom = 0;  // e.g. recorded data kept in SDRAM
  // Neuron update, per tick, on a 200 MHz ARM968-class core: each cell type's
  // descriptor says (cells/cell_type.h); 120 is a LIF neuron's.
  uint32_t cycles_per_atom = 120;
  uint32_t n_synapse_types = 2;       // ring-buffer planes: receptors (+ reward, punishment)
  double rate_hz = 10;                // expected mean firing rate (drives the load on its targets)
  uint32_t max_atoms_per_core = 0;    // 0: the machine's max_neurons_per_core (sources: fw::kMaxSourcesPerCore)
  // A neuron's state block; above fw::kMaxNeuronStateWords a core holds
  // fewer neurons (fw::max_neurons_for_state). 0: a small block.
  uint32_t neuron_state_words = 0;
};

// Which slices of the post-population an edge reaches from a slice of the pre-population.
enum class EdgeReach : uint8_t {
  kAllSlices,    // every pre slice may target every post slice (random, all-to-all, ...)
  kSameIndices,  // pre atom i targets post atom i only (one-to-one): overlapping ranges only
};

struct ApplicationEdge {
  uint32_t pre = 0;
  uint32_t post = 0;
  double n_synapses = 0;        // expected total synapse count of the projection
  uint32_t max_delay_ticks = 1; // longest delay (sizes the ring buffer)
  EdgeReach reach = EdgeReach::kAllSlices;
  uint32_t row_header_words = 1; // words of a row besides its synapses (synapses/synapse_type.h)
  uint32_t words_per_synapse = 1; // words of a row per synapse (3 in a neuromodulated row)
};

struct ApplicationGraph {
  std::vector<ApplicationVertex> vertices;
  std::vector<ApplicationEdge> edges;
};

// Throws std::invalid_argument naming the first bad vertex or edge
// (e.g. "edges[3].post: vertex 9 does not exist (8 vertices)").
void validate_graph(const ApplicationGraph& graph);

// For each vertex, the indices of the edges that end (incoming) or start (outgoing) there, ascending.
std::vector<std::vector<uint32_t>> incoming_edges(const ApplicationGraph& graph);
std::vector<std::vector<uint32_t>> outgoing_edges(const ApplicationGraph& graph);

}  // namespace spindle::host
