// One job preparation for every front end (`spindle run`, `spindle map`,
// spindled): network -> fit check -> application graph -> mapping -> core
// images -> engine with its backend. The CLI and the daemon differ only in
// where the results go and how errors reach the user.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/backend.h"
#include "engine/engine.h"
#include "machine/machine.h"
#include "mapping/core_images.h"
#include "mapping/graph.h"
#include "job/neuron_modes.h"
#include "mapping/pipeline.h"
#include "network/validate.h"
#include "spindle/v1/network.pb.h"

namespace spindle::host {

// Which stage refused the network; the daemon turns it into a status code.
class PrepareError : public std::runtime_error {
 public:
  enum class Stage { kFit, kMapping, kImages };
  PrepareError(Stage stage, const std::string& what) : std::runtime_error(what), stage_(stage) {}
  Stage stage() const { return stage_; }

 private:
  Stage stage_;
};

// A network mapped onto a machine, with what the mapping was given.
struct MappedNetwork {
  ApplicationGraph graph;
  MappingOptions options;
  MappingResult result;
  DrawnWeights drawn;  // what the graph's draw found, reused by the images
};

// A network mapped and built: everything an engine is loaded from.
struct PreparedNetwork {
  MappedNetwork mapped;
  MachineLoad load;
  // Projections whose weights lose more than the documented fraction in the
  // cores' 16-bit words (mapping/weight_quantization.h), with field paths.
  std::vector<network::ValidationError> weight_warnings;
  // The network's mode switches, per core (start_engine schedules them).
  std::vector<ScheduledModeChange> mode_changes;
};

// A network the cores cannot run is refused first (PrepareError kMapping,
// mapping/from_network.h unrunnable_synapses_problem: plastic projections
// onto one population that do not share one rule and receptor). Fit check (before anything is expanded: PrepareError kFit when the
// network cannot fit the machine's cores or, with available_bytes > 0, the
// host's memory; mapping/fit_check.h), graph, cost model from the run
// settings, placement seed from the run seed, mapping pipeline
// (PrepareError kMapping with the stage's message). std::bad_alloc passes.
MappedNetwork map_network(const spindle::v1::Network& net, const emu::MachineDescription& machine,
                          uint64_t available_bytes = 0, unsigned threads = 0);

// map_network, then every core image and router table (PrepareError kImages
// with the builder's message); threads 0: one per hardware thread.
PreparedNetwork prepare(const spindle::v1::Network& net, const emu::MachineDescription& machine, unsigned threads = 0,
                        uint64_t available_bytes = 0);

// The mapping report as results and the daemon give it: the mapping, and
// each projection's weight quantization.
nlohmann::json mapping_report_json(const spindle::v1::Network& net, const emu::MachineDescription& machine,
                                   const PreparedNetwork& prepared);

// An engine for the machine with the network's cores on it, through the
// backend, with the network's mode switches scheduled; throws what
// Backend::load throws.
std::unique_ptr<emu::Engine> start_engine(const emu::MachineDescription& machine, const emu::EngineConfig& config,
                                          const PreparedNetwork& prepared, Backend& backend);

}  // namespace spindle::host
