// The qemu backend: cores of a mapped network run as the ARM core server
// image under qemu-system-arm, in lock-step with the native engine over the
// link protocol. Every spike, state record and provenance counter must equal
// the native run's, bit for bit; failures (a killed or hung QEMU, a
// corrupted link, bad options) must be clear. Plastic weights read back
// over the link equal the native core's.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>

#include "remote/transport.h"
#include "qemu_test_util.h"

namespace spindle::test {
namespace {

const std::string kData = SPINDLE_QEMU_TEST_DATA;

emu::MachineDescription machine_2x2_two_cores_per_chip() {
  emu::MachineDescription m = emu::machine_from_shape("2x2");
  m.cores_per_chip = 3;  // the monitor and two application cores: slices spread over chips
  return m;
}

size_t chips_used(const Mapped& m) {
  std::set<std::pair<uint32_t, uint32_t>> chips;
  for (const auto& c : m.load.cores) chips.insert({c.chip.x, c.chip.y});
  return chips.size();
}

TEST(QemuBackend, CubaOnQemuEqualsNativeBitForBit) {
  const Mapped m = map_file(kData + "/cuba_small.textproto", emu::machine_from_shape("1"));
  ASSERT_GE(m.load.cores.size(), 2u);
  const RunResult native = run(m, 1000, std::nullopt);
  ASSERT_GT(native.spikes, 100u) << "the reduced CUBA network should be active";
  const RunResult qemu = run(m, 1000, qemu_options());
  expect_identical(native, qemu);
}

// Native cores hold larger slices than ARM images, so a network maps onto
// fewer, larger native cores; its spikes and state traces, by population
// neuron, must still be those of the ARM images' slicing run under QEMU.
TEST(QemuBackend, NativeSlicingEqualsArmSlicingOnQemu) {
  const std::string file = kData + "/random_weights.textproto";
  const Mapped native_map = map_file(file, emu::machine_from_shape("1"), /*native_slices=*/true);
  const Mapped arm_map = map_file(file, emu::machine_from_shape("1"));
  ASSERT_EQ(native_map.mapping.partition.n_slices(1), 1u) << "exc in one native slice";
  ASSERT_EQ(arm_map.mapping.partition.n_slices(1), 2u) << "exc in two ARM slices";
  const PopulationRecords native = by_population(native_map, run(native_map, 300, std::nullopt));
  const PopulationRecords qemu = by_population(arm_map, run(arm_map, 300, qemu_options()));
  EXPECT_GT(native.spikes.size(), 200u) << "the network should be active";
  EXPECT_EQ(native.states.size(), 300u * 6 * 3);
  EXPECT_TRUE(native.spikes == qemu.spikes) << native.spikes.size() << " native spikes, " << qemu.spikes.size()
                                            << " on QEMU";
  EXPECT_TRUE(native.states == qemu.states) << "state traces differ";
}

TEST(QemuBackend, PoissonNetworkAcrossChipsOnQemuEqualsNative) {
  const Mapped m = map_file(kData + "/poisson_chips.textproto", machine_2x2_two_cores_per_chip());
  ASSERT_GE(chips_used(m), 2u);
  const RunResult native = run(m, 1000, std::nullopt);
  ASSERT_GT(native.spikes, 1000u);
  const RunResult qemu = run(m, 1000, qemu_options());
  expect_identical(native, qemu);
}

TEST(QemuBackend, MixedNativeAndQemuCoresEqualNative) {
  const Mapped m = map_file(kData + "/poisson_chips.textproto", machine_2x2_two_cores_per_chip());
  const RunResult native = run(m, 1000, std::nullopt);
  // A source slice and the last neuron slice on QEMU, the rest native.
  const auto last = static_cast<uint32_t>(m.load.cores.size() - 1);
  const RunResult mixed = run(m, 1000, qemu_options(std::set<uint32_t>{0, last}));
  expect_identical(native, mixed);
}

TEST(QemuBackend, RunsContinueAcrossRunCalls) {
  const Mapped m = map_file(kData + "/poisson_chips.textproto", machine_2x2_two_cores_per_chip());
  const RunResult native = run(m, 300, std::nullopt);
  emu::Engine engine(m.machine, emu::EngineConfig{.threads = 2});
  host::make_backend(qemu_options(std::set<uint32_t>{1}))->load(engine, m.load);
  engine.run(120);
  const emu::RunReport report = engine.run(180);
  expect_identical(native, collect(m, engine, report));
}

TEST(QemuBackend, NetduinoBoardRunsTheSameCores) {
  const Mapped m = map_file(std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/tiny.textproto", emu::machine_from_shape("1"));
  const RunResult native = run(m, 200, std::nullopt);
  const RunResult qemu = run(m, 200, qemu_options(std::nullopt, "netduinoplus2"));
  expect_identical(native, qemu);
}

TEST(QemuBackend, PlasticWeightsOnQemuEqualNativeBitForBit) {
  // plastic_additive_edges: the additive hot loop's edge cases (the ARM
  // cores run it in assembly, the native ones in C++).
  for (const char* rule : {"plastic_additive", "plastic_multiplicative", "plastic_additive_edges"}) {
    SCOPED_TRACE(rule);
    const Mapped m = map_file(kData + "/" + rule + ".textproto", emu::machine_from_shape("1"));
    expect_plastic_equal(run_plastic(m, std::nullopt), run_plastic(m, qemu_options()));
  }
}

// Only the plastic slice on QEMU, on the board with the smallest image buffer.
TEST(QemuBackend, PlasticSliceAloneOnNetduinoEqualsNative) {
  const Mapped m = map_file(kData + "/plastic_additive.textproto", emu::machine_from_shape("1"));
  std::set<uint32_t> plastic;
  for (const host::CoreLoad& c : m.load.cores)
    if (!c.plastic.empty()) plastic.insert(c.slice);
  ASSERT_EQ(plastic.size(), 1u);
  const PlasticRun native = run_plastic(m, std::nullopt);
  const PlasticRun qemu = run_plastic(m, qemu_options(plastic, "netduinoplus2"));
  expect_plastic_equal(native, qemu);
  EXPECT_EQ(qemu.remote_plastic_cores, 1u);
}

emu::remote::QemuCore* qemu_core_of(const emu::Engine& engine, size_t i) {
  return dynamic_cast<emu::remote::QemuCore*>(engine.cores()[i]->remote.get());
}

TEST(QemuBackend, KilledQemuFailsNamingTheCoreAndItsLastTick) {
  const Mapped m = map_file(kData + "/poisson_chips.textproto", machine_2x2_two_cores_per_chip());
  emu::Engine engine(m.machine, emu::EngineConfig{.threads = 2});
  host::make_backend(qemu_options(std::set<uint32_t>{1}))->load(engine, m.load);
  engine.run(50);
  size_t remote = 0;
  while (!engine.cores()[remote]->remote) ++remote;
  ASSERT_EQ(::kill(qemu_core_of(engine, remote)->pid(), SIGKILL), 0);
  try {
    engine.run(10);
    FAIL() << "the run went on without its QEMU core";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("slice 1"), std::string::npos) << what;
    EXPECT_NE(what.find("core ("), std::string::npos) << what;
    EXPECT_NE(what.find("killed by signal 9"), std::string::npos) << what;
    EXPECT_NE(what.find("last known tick 50"), std::string::npos) << what;
    EXPECT_NE(what.find("during TICK"), std::string::npos) << what;
  }
}

TEST(QemuBackend, HungQemuIsReportedAfterItsTimeout) {
  const Mapped m = map_file(kData + "/poisson_chips.textproto", machine_2x2_two_cores_per_chip());
  emu::Engine engine(m.machine, emu::EngineConfig{.threads = 1});
  host::make_backend(qemu_options(std::set<uint32_t>{0}))->load(engine, m.load);
  engine.run(20);
  // Booting on a loaded machine may take longer; the frozen core gets 2 x 300 ms.
  emu::remote::LinkConfig quick;
  quick.reply_timeout = std::chrono::milliseconds(300);
  quick.max_attempts = 2;
  qemu_core_of(engine, 0)->set_link_config(quick);
  const pid_t pid = qemu_core_of(engine, 0)->pid();
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);  // frozen: alive, silent
  try {
    engine.run(1);
    ::kill(pid, SIGCONT);
    FAIL() << "a frozen QEMU went unnoticed";
  } catch (const std::runtime_error& e) {
    ::kill(pid, SIGCONT);
    const std::string what = e.what();
    EXPECT_NE(what.find("slice 0"), std::string::npos) << what;
    EXPECT_NE(what.find("no reply within 300 ms"), std::string::npos) << what;
    EXPECT_NE(what.find("hangs"), std::string::npos) << what;
    EXPECT_NE(what.find("last known tick 20"), std::string::npos) << what;
  }
}

// Flips one bit in every `every`-th byte passing in each direction.
class CorruptingTransport final : public emu::remote::ByteTransport {
 public:
  CorruptingTransport(std::unique_ptr<ByteTransport> inner, uint64_t every) : inner_(std::move(inner)), every_(every) {}
  void write(const uint8_t* data, size_t size) override {
    std::vector<uint8_t> copy(data, data + size);
    corrupt(copy.data(), size, written_);
    inner_->write(copy.data(), copy.size());
  }
  size_t read(uint8_t* data, size_t capacity, std::chrono::milliseconds timeout) override {
    const size_t n = inner_->read(data, capacity, timeout);
    corrupt(data, n, read_);
    return n;
  }
  static uint64_t flips() { return flips_; }

 private:
  void corrupt(uint8_t* data, size_t n, uint64_t& count) {
    for (size_t i = 0; i < n; ++i)
      if (++count % every_ == 0) {
        data[i] ^= static_cast<uint8_t>(1u << (count / every_ % 8));
        ++flips_;
      }
  }
  std::unique_ptr<ByteTransport> inner_;
  uint64_t every_, written_ = 0, read_ = 0;
  static inline uint64_t flips_ = 0;
};

TEST(QemuBackend, CorruptedFramesAreRetriedAndTheRunStaysExact) {
  const Mapped m = map_file(kData + "/poisson_chips.textproto", machine_2x2_two_cores_per_chip());
  const RunResult native = run(m, 400, std::nullopt);
  auto options = qemu_options(std::set<uint32_t>{0, 2});
  options.link.reply_timeout = std::chrono::milliseconds(500);
  options.link.max_attempts = 8;
  options.wrap = [](std::unique_ptr<emu::remote::ByteTransport> t) -> std::unique_ptr<emu::remote::ByteTransport> {
    return std::make_unique<CorruptingTransport>(std::move(t), 4999);
  };
  emu::Engine engine(m.machine, emu::EngineConfig{.threads = 2});
  host::make_backend(options)->load(engine, m.load);
  const emu::RunReport report = engine.run(400);
  expect_identical(native, collect(m, engine, report));
  uint64_t resends = 0, bad = 0;
  for (size_t i = 0; i < engine.cores().size(); ++i)
    if (auto* q = qemu_core_of(engine, i)) {
      resends += q->link_stats().resends;
      bad += q->link_stats().bad_frames + q->link_stats().naks;
    }
  EXPECT_GT(CorruptingTransport::flips(), 3u);
  EXPECT_GT(resends, 0u);
  EXPECT_GT(bad, 0u);
}

TEST(QemuBackend, UnknownBoardMissingImageAndMissingQemuAreClearErrors) {
  const Mapped m = map_file(kData + "/poisson_chips.textproto", machine_2x2_two_cores_per_chip());
  {
    emu::Engine engine(m.machine);
    auto o = qemu_options();
    o.board = "pdp11";
    try {
      host::make_backend(o)->load(engine, m.load);
      FAIL();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("unknown board 'pdp11'"), std::string::npos) << e.what();
    }
  }
  {
    emu::Engine engine(m.machine);
    auto o = qemu_options(std::set<uint32_t>{0});
    o.kernel = "/nonexistent/spindle-core.elf";
    try {
      host::make_backend(o)->load(engine, m.load);
      FAIL();
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("'/nonexistent/spindle-core.elf' not found"), std::string::npos) << e.what();
    }
  }
  {
    emu::Engine engine(m.machine);
    auto o = qemu_options(std::set<uint32_t>{0});
    o.qemu = "no-such-qemu-system-arm";
    try {
      host::make_backend(o)->load(engine, m.load);
      FAIL();
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("'no-such-qemu-system-arm' not found on PATH"), std::string::npos)
          << e.what();
    }
  }
  {
    emu::Engine engine(m.machine);
    try {
      host::make_backend(qemu_options(std::set<uint32_t>{99}))->load(engine, m.load);
      FAIL();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("slice 99 does not exist"), std::string::npos) << e.what();
    }
  }
}

TEST(QemuBackend, BadImageIsRejectedByTheBoardParser) {
  const Mapped m = map_file(kData + "/poisson_chips.textproto", machine_2x2_two_cores_per_chip());
  std::vector<uint8_t> image = m.load.cores[0].image;
  image[image.size() - 1] ^= 0x40;  // region checksum no longer matches
  try {
    emu::remote::QemuOptions q;
    q.qemu = SPINDLE_QEMU_SYSTEM_ARM;
    q.machine = "mps2-an386";
    q.kernel = SPINDLE_CORE_ELF_MPS2;
    emu::remote::QemuCore core("core under test", q, {}, image);
    FAIL() << "a corrupt core image loaded";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("core under test"), std::string::npos) << what;
    EXPECT_NE(what.find("core refused LOAD_END: core image rejected by the parser"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace spindle::test
