// The backend registry and factory, the boards manifest they read, and the
// one job preparation: what the CLI and the daemon rely on instead of
// comparing backend and board names themselves.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "backend/backend.h"
#include "boards/boards.h"
#include "job/prepare.h"
#include "mapping/from_network.h"
#include "network/load.h"

namespace spindle::host {
namespace {

std::string error_of(const BackendOptions& o) {
  try {
    make_backend(o);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(BackendRegistry, EveryBackendIsMadeByItsNameAndUnknownNamesAreListed) {
  ASSERT_FALSE(backend_types().empty());
  for (const BackendType& t : backend_types()) {
    EXPECT_EQ(find_backend_type(t.name), &t);
    BackendOptions o;
    o.name = std::string(t.name);
    if (t.name == "serial") o.ports = {"/dev/null"};  // serial needs a port
    EXPECT_EQ(make_backend(o)->name(), t.name);
  }
  BackendOptions o;
  o.name = "fpga";
  EXPECT_EQ(error_of(o), "unknown backend 'fpga' (backends: " + backend_names() + ")");
  EXPECT_EQ(find_backend_type("fpga"), nullptr);
}

TEST(BackendRegistry, OptionsOfAnotherBackendAreRefused) {
  BackendOptions native;
  native.board = default_board();
  EXPECT_NE(error_of(native).find("backend native"), std::string::npos);
  BackendOptions qemu;
  qemu.name = "qemu";
  qemu.ports = {"/dev/ttyUSB0"};
  EXPECT_NE(error_of(qemu).find("need backend serial"), std::string::npos);
  BackendOptions serial;
  serial.name = "serial";
  EXPECT_NE(error_of(serial).find("needs a serial port"), std::string::npos);
  qemu.ports.clear();
  qemu.board = "pdp11";
  EXPECT_EQ(error_of(qemu), "unknown board 'pdp11' (boards: " + board_names() + ")");
}

TEST(BackendRegistry, ArmImageBackendsMapForArmCores) {
  emu::MachineDescription m = emu::machine_from_shape("1");
  m.max_neurons_per_core = fw::kNativeMaxNeuronsPerCore;
  for (const BackendType& t : backend_types())
    EXPECT_EQ(machine_for(t, m).max_neurons_per_core,
              t.arm_images ? fw::kArmMaxNeuronsPerCore : fw::kNativeMaxNeuronsPerCore)
        << t.name;
}

TEST(BoardsManifest, TheDefaultBoardIsABoardAndEachHasItsQemuMachineAndCoreImage) {
  ASSERT_FALSE(boards().empty());
  EXPECT_TRUE(find_board(default_board()).has_value());
  for (const BoardInfo& b : boards()) {
    EXPECT_FALSE(b.qemu_machine.empty()) << b.name;
    EXPECT_NE(core_image_path(b).find("spindle-core-" + b.name + ".elf"), std::string::npos) << b.name;
  }
}

// A core runs one STDP rule on one receptor: plastic projections onto one
// population with different rules are refused at the mapping stage, naming
// the second one's field; with one rule the network maps.
TEST(Prepare, PlasticProjectionsOntoOnePopulationShareOneRule) {
  v1::Network net = network::load_network(std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/cuba.textproto");
  ASSERT_GE(net.projections_size(), 1);
  // A second projection like projections[0] (same pre, post and receptor).
  const int a = 0, b = net.projections_size();
  *net.add_projections() = net.projections(a);
  net.mutable_projections(b)->set_label("second");
  for (int j : {a, b}) {
    auto* stdp = net.mutable_projections(j)->mutable_synapse_dynamics()->mutable_stdp();
    stdp->mutable_timing_dependence();
    stdp->mutable_additive()->set_w_max(10);  // CUBA's weights are below it
  }
  ASSERT_EQ(network::format_errors(network::validate_network(net)), "");
  EXPECT_NO_THROW(graph_from_network(net));
  net.mutable_projections(b)->mutable_synapse_dynamics()->mutable_stdp()->mutable_timing_dependence()->set_tau_plus(10);
  ASSERT_EQ(network::format_errors(network::validate_network(net)), "");
  try {
    prepare(net, emu::machine_from_shape("2x2"));
    FAIL() << "two STDP rules onto one population were mapped";
  } catch (const PrepareError& e) {
    EXPECT_EQ(e.stage(), PrepareError::Stage::kMapping);
    EXPECT_EQ(std::string(e.what()).rfind("projections[" + std::to_string(b) +
                                              "].synapse_dynamics.stdp: plastic projections onto one population "
                                              "must share one STDP mechanism; projections[" +
                                              std::to_string(a) + "]",
                                          0),
              0u)
        << e.what();
  }
  EXPECT_THROW(graph_from_network(net), std::invalid_argument);
}

TEST(Prepare, StagesThatRefuseANetworkSaySo) {
  const std::string dir = SPINDLE_EXAMPLE_NETWORKS_DIR;
  // The 10% microcircuit's 7,700 neurons and their sources cannot fit one
  // chip: refused before anything is expanded.
  try {
    prepare(network::load_network(dir + "/microcircuit_10pct.textproto"), emu::machine_from_shape("1"));
    FAIL() << "the 10% microcircuit fitted one chip";
  } catch (const PrepareError& e) {
    EXPECT_EQ(e.stage(), PrepareError::Stage::kFit) << e.what();
  }
  const v1::Network net = network::load_network(dir + "/cuba.textproto");
  // On a machine it fits: every slice has a core image, and the mapping
  // report names the quantization of each projection.
  const emu::MachineDescription machine = emu::machine_from_shape("2x2");
  const PreparedNetwork p = prepare(net, machine, 1);
  EXPECT_EQ(p.load.cores.size(), p.mapped.result.partition.slices.size());
  const auto report = mapping_report_json(net, machine, p);
  EXPECT_EQ(report["weight_quantization"].size(), static_cast<size_t>(net.projections_size()));
  // The engine gets every core through the backend.
  BackendOptions o;
  const auto backend = make_backend(o);
  const auto engine = start_engine(machine, emu::EngineConfig{.threads = 1}, p, *backend);
  EXPECT_EQ(engine->cores().size(), p.load.cores.size());
  EXPECT_EQ(backend->summary(*engine), "");
}

}  // namespace
}  // namespace spindle::host
