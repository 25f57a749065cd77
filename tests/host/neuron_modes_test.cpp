// Neuron modes end to end on the native engine (job/neuron_modes.h, the
// cores' Core::set_mode): a threshold offset is the same as a threshold
// moved by it, a gain the same as the synaptic input scaled by it; a switch
// made live between two runs gives the spikes of the same switch written in
// the network file; a switch before any input gives the spikes of a fresh
// run started in the new mode; and no switch touches synaptic memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "backend/backend.h"
#include "job/neuron_modes.h"
#include "job/prepare.h"
#include "network/load.h"
#include "network/validate.h"
#include "util/crc32.h"

namespace spindle::host {
namespace {

// (global neuron id, tick) of every spike of population "cells", sorted.
using Spikes = std::vector<std::pair<uint32_t, uint32_t>>;

// 300 cells on cores of 64 neurons (five slices), driven by 40 Poisson
// sources at 30 Hz from `input_start` ms on; `cell` is the cell type's
// text-format body, `extra` more fields of the network (mode switches).
std::string network_text(const std::string& cell, const std::string& extra, double input_start = 0,
                         int projections = 1, double weight = 0.6) {
  std::string text = "run { timestep_ms: 0.5 duration_ms: 400 seed: 7 }\n"
                     "populations { label: \"in\" size: 40 spike_source_poisson { rate { constant: 30 } start { constant: " +
                     std::to_string(input_start) + " } } }\n"
                     "populations { label: \"cells\" size: 300 " + cell + " }\n";
  for (int k = 0; k < projections; ++k)
    text += "projections { label: \"in\" pre: \"in\" post: \"cells\" receptor: EXCITATORY seed: 11 "
            "connector { fixed_probability { p: 0.3 } } weight { constant: " + std::to_string(weight) +
            " } delay { constant: 1 } }\n";
  text += "recordings { population: \"cells\" variables: [SPIKES] }\n" + extra;
  return text;
}

v1::Network parse(const std::string& text) {
  v1::Network net = network::parse_network(text, network::NetworkFormat::kText, "modes");
  const auto errors = network::validate_network(net);
  EXPECT_TRUE(errors.empty()) << network::format_errors(errors);
  return net;
}

emu::MachineDescription small_cores() {
  emu::MachineDescription m = emu::machine_from_shape("1");
  m.max_neurons_per_core = 64;
  return m;
}

struct Job {
  v1::Network net;
  PreparedNetwork prepared;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<emu::Engine> engine;
};

Job start(const v1::Network& net) {
  Job j{net, prepare(net, small_cores(), 1), nullptr, nullptr};
  j.backend = make_backend(BackendOptions{});
  j.engine = start_engine(small_cores(), emu::EngineConfig{.threads = 1}, j.prepared, *j.backend);
  return j;
}

Spikes spikes_of(const Job& j) {
  Spikes out;
  for (const CoreLoad& c : j.prepared.load.cores) {
    const Slice& s = j.prepared.mapped.result.partition.slices[c.slice];
    if (j.net.populations(static_cast<int>(s.vertex)).label() != "cells") continue;
    for (const fw::SpikeRecord& r : j.engine->find({c.chip, c.core})->spikes)
      out.emplace_back(s.lo_atom + r.neuron, r.tick);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Spikes run(const std::string& text, uint32_t ticks = 800) {
  Job j = start(parse(text));
  j.engine->run(ticks);
  return spikes_of(j);
}

// Every core's whole image: its synaptic matrix, population table and
// parameters, as the cores read them.
std::vector<uint32_t> image_crcs(const Job& j) {
  std::vector<uint32_t> out;
  for (const auto& slot : j.engine->cores())
    out.push_back(fw::crc32(reinterpret_cast<const uint8_t*>(slot->image.data()), slot->image.size() * 4));
  return out;
}

const std::vector<std::pair<std::string, std::string>>& cell_types() {
  static const std::vector<std::pair<std::string, std::string>> types = {
      {"if_curr_exp", "if_curr_exp { tau_refrac { constant: 2 } v_thresh { constant: THRESH } }"},
      {"if_cond_exp", "if_cond_exp { tau_refrac { constant: 2 } v_thresh { constant: THRESH } }"},
      {"if_curr_exp_adaptive",
       "if_curr_exp_adaptive { tau_refrac { constant: 2 } v_thresh { constant: THRESH } theta_plus { constant: 0.5 } "
       "eta_h { constant: 0.01 } target_rate { constant: 5 } }"},
      // Its reset subtracts v_thresh - v_reset, which an offset leaves as it
      // was: the moved threshold moves v_reset with it (RESET).
      {"if_nonleaky", "if_nonleaky { v_thresh { constant: THRESH } v_reset { constant: RESET } } "
                      "initial_values { v { constant: 0 } }"},
  };
  return types;
}

// The threshold, and for IF_nonleaky v_reset moved by `reset`.
std::string with_threshold(std::string cell, double thresh, double reset = 0) {
  cell.replace(cell.find("THRESH"), 6, std::to_string(thresh));
  if (const auto at = cell.find("RESET"); at != std::string::npos) cell.replace(at, 5, std::to_string(reset));
  return cell;
}

// Thresholds of each type that let the cells fire at a moderate rate.
double base_threshold(const std::string& type) {
  if (type == "if_nonleaky") return 20;
  return -55;
}

TEST(NeuronModes, ThresholdOffsetIsTheThresholdMovedByIt) {
  for (const auto& [type, cell] : cell_types()) {
    SCOPED_TRACE(type);
    const double thresh = base_threshold(type), offset = 1.5;  // both exact in s16.15
    const Spikes moved = run(network_text(with_threshold(cell, thresh + offset, offset), ""));
    const Spikes mode = run(network_text(with_threshold(cell, thresh),
                                         "mode_switches { at_ms: 0 population: \"cells\" threshold_offset: 1.5 }"));
    EXPECT_GT(moved.size(), 100u);
    EXPECT_EQ(mode, moved);
    EXPECT_NE(mode, run(network_text(with_threshold(cell, thresh), "")));
  }
}

TEST(NeuronModes, GainIsTheSynapticInputScaledByIt) {
  // Two identical projections put exactly twice the weight sum into each
  // ring-buffer cell; gain 2 doubles the one projection's sum exactly.
  for (const auto& [type, cell] : cell_types()) {
    SCOPED_TRACE(type);
    const std::string c = with_threshold(cell, base_threshold(type));
    const Spikes doubled = run(network_text(c, "", 0, 2, 0.3));
    const Spikes gained = run(network_text(c, "mode_switches { at_ms: 0 population: \"cells\" gain: 2 }", 0, 1, 0.3));
    EXPECT_GT(doubled.size(), 100u);
    EXPECT_EQ(gained, doubled);
    EXPECT_NE(gained, run(network_text(c, "", 0, 1, 0.3)));
  }
}

TEST(NeuronModes, GainZeroSilencesInputAndOneChangesNothing) {
  const std::string c = with_threshold(cell_types()[0].second, -55);
  EXPECT_TRUE(run(network_text(c, "mode_switches { at_ms: 0 population: \"cells\" gain: 0 }")).empty());
  EXPECT_EQ(run(network_text(c, "mode_switches { at_ms: 0 population: \"cells\" gain: 1 threshold_offset: 0 }")),
            run(network_text(c, "")));
}

TEST(NeuronModes, LiveSwitchEqualsTheSameSwitchInTheFile) {
  // Half the cells (a list across slices, with gaps) switch at 150 ms.
  std::string ids;
  for (uint32_t n = 10; n < 300; n += 2) ids += (ids.empty() ? "" : ", ") + std::to_string(n);
  const std::string c = with_threshold(cell_types()[0].second, -55);
  const std::string sw = "mode_switches { at_ms: 150 population: \"cells\" neuron_ids: [" + ids +
                         "] threshold_offset: -2 gain: 1.25 }";
  const Spikes from_file = run(network_text(c, sw));

  Job j = start(parse(network_text(c, "")));
  j.engine->run(300);
  const std::vector<uint32_t> before = image_crcs(j);
  std::vector<uint32_t> id_list;
  for (uint32_t n = 10; n < 300; n += 2) id_list.push_back(n);
  schedule_mode_changes(*j.engine, mode_changes(population_slices(j.prepared.mapped.result, 1), id_list,
                                                network::mode_values(-2, 1.25), j.engine->ticks_run()));
  j.engine->run(500);
  EXPECT_EQ(image_crcs(j), before) << "a mode switch must not write synaptic memory or parameters in the image";
  EXPECT_EQ(spikes_of(j), from_file);
  EXPECT_NE(from_file, run(network_text(c, "")));

  // Scheduled ahead, inside one run: the same.
  Job k = start(parse(network_text(c, "")));
  schedule_mode_changes(*k.engine, mode_changes(population_slices(k.prepared.mapped.result, 1), id_list, network::mode_values(-2, 1.25), 300));
  k.engine->run(800);
  EXPECT_EQ(spikes_of(k), from_file);
}

TEST(NeuronModes, SwitchBeforeAnyInputEqualsAFreshRunInTheNewMode) {
  // The cells rest (v_rest, no bias) until the input starts at 100 ms; a
  // switch at 50 ms leaves them exactly as a run started in the new mode.
  for (const auto& [type, cell] : cell_types()) {
    SCOPED_TRACE(type);
    const std::string c = with_threshold(cell, base_threshold(type));
    const std::string fresh = "mode_switches { at_ms: 0 population: \"cells\" threshold_offset: 1 gain: 0.75 }";
    const Spikes expected = run(network_text(c, fresh, 100));
    Job j = start(parse(network_text(c, "", 100)));
    j.engine->run(100);
    schedule_mode_changes(*j.engine, mode_changes(population_slices(j.prepared.mapped.result, 1), {}, network::mode_values(1, 0.75),
                                                  j.engine->ticks_run()));
    j.engine->run(700);
    EXPECT_GT(expected.size(), 20u);
    EXPECT_EQ(spikes_of(j), expected);
  }
}

TEST(NeuronModes, SwitchesAtOneTickAreMadeInOrder) {
  const std::string c = with_threshold(cell_types()[0].second, -55);
  const Spikes last_wins = run(network_text(
      c, "mode_switches { at_ms: 100 population: \"cells\" gain: 3 }\n"
         "mode_switches { at_ms: 100 population: \"cells\" gain: 0.5 threshold_offset: 1 }"));
  EXPECT_EQ(last_wins,
            run(network_text(c, "mode_switches { at_ms: 100 population: \"cells\" gain: 0.5 threshold_offset: 1 }")));
}

TEST(NeuronModes, PerCoreChangesCoverExactlyTheListedNeurons) {
  const v1::Network net = parse(network_text(with_threshold(cell_types()[0].second, -55), ""));
  const PreparedNetwork p = prepare(net, small_cores(), 1);
  const std::vector<uint32_t> ids = {0, 1, 2, 63, 64, 65, 65, 299, 128, 130};
  const auto changes = mode_changes(population_slices(p.mapped.result, 1), ids, network::mode_values(0, 2), 5);
  std::vector<uint32_t> covered;
  for (const ScheduledModeChange& c : changes) {
    EXPECT_EQ(c.tick, 5u);
    EXPECT_EQ(c.change.gain, 2 * fw::kModeGainOne);
    // The slice on that core.
    for (uint32_t s = 0; s < p.mapped.result.placements.size(); ++s) {
      const Placement& pl = p.mapped.result.placements[s];
      if (pl.chip == c.where.chip && pl.core == c.where.core) {
        const Slice& slice = p.mapped.result.partition.slices[s];
        ASSERT_LE(c.change.first + c.change.count, slice.n_atoms);
        for (uint32_t k = 0; k < c.change.count; ++k) covered.push_back(slice.lo_atom + c.change.first + k);
      }
    }
  }
  EXPECT_EQ(covered, (std::vector<uint32_t>{0, 1, 2, 63, 64, 65, 128, 130, 299}));
  // One change per run of consecutive ids on a core: at most [0,3) [63]
  // [64,66) [128] [130] [299], fewer where a slice holds 63 to 65.
  EXPECT_LE(changes.size(), 6u);
}

TEST(NeuronModes, TheEngineRefusesChangesNoCoreCanMake) {
  Job j = start(parse(network_text(with_threshold(cell_types()[0].second, -55), "")));
  const auto changes = mode_changes(population_slices(j.prepared.mapped.result, 1), {}, network::mode_values(0, 1), 0);
  const emu::CoreLocation where = changes[0].where;
  EXPECT_THROW(j.engine->schedule_mode(0, where, fw::ModeChange{60, 10, {}, fw::kModeGainOne}), std::invalid_argument);
  EXPECT_THROW(j.engine->schedule_mode(0, where, fw::ModeChange{0, 0, {}, fw::kModeGainOne}), std::invalid_argument);
  EXPECT_THROW(j.engine->schedule_mode(0, where, fw::ModeChange{0, 1, {}, fw::kModeGainMax + 1}), std::invalid_argument);
  EXPECT_THROW(j.engine->schedule_mode(0, where, fw::ModeChange{0, 1, fw::Accum{fw::kModeMaxThresholdOffsetRaw + 1}, 0}),
               std::invalid_argument);
  // The Poisson sources' core holds no neurons to switch.
  const auto source = mode_changes(population_slices(j.prepared.mapped.result, 0), {}, network::mode_values(0, 1), 0);
  EXPECT_THROW(j.engine->schedule_mode(0, source[0].where, fw::ModeChange{0, 1, {}, fw::kModeGainOne}),
               std::invalid_argument);
  EXPECT_EQ(j.engine->scheduled_modes(), 0u);
}

}  // namespace
}  // namespace spindle::host
