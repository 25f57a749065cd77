// The serial backend against QEMU standing in for a flashed board: the core
// server image runs with its UART on a pseudo-terminal (`-serial pty`) and
// the host drives it through the tty in raw mode, as it would a board's
// /dev/ttyACM0. Results equal native, plastic weights read back over the
// tty included; bad ports are clear errors.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>

#include "qemu_test_util.h"

namespace spindle::test {
namespace {

// qemu-system-arm with -serial pty; QEMU names the pty on stderr.
class PtyBoard {
 public:
  explicit PtyBoard(const char* machine, const char* elf) {
    int err[2];
    EXPECT_EQ(::pipe(err), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(err[1], 2);
      ::dup2(err[1], 1);
      ::close(err[0]);
      ::execl(SPINDLE_QEMU_SYSTEM_ARM, SPINDLE_QEMU_SYSTEM_ARM, "-M", machine, "-display", "none", "-monitor", "none",
              "-serial", "pty", "-kernel", elf, static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(err[1]);
    FILE* f = ::fdopen(err[0], "r");
    char line[512];
    while (std::fgets(line, sizeof line, f)) {
      const std::string s = line;
      const auto at = s.find("/dev/pts/");
      if (at != std::string::npos) {
        pty_ = s.substr(at, s.find_first_of(" \n", at) - at);
        break;
      }
    }
    stderr_ = f;  // kept open so QEMU never writes into a closed pipe
  }
  ~PtyBoard() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    if (stderr_) std::fclose(stderr_);
  }
  const std::string& pty() const { return pty_; }

 private:
  pid_t pid_ = -1;
  std::string pty_;
  FILE* stderr_ = nullptr;
};

TEST(SerialBackend, BoardOnAPtyRunsItsCoreLikeNative) {
  const Mapped m = map_file(std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/tiny.textproto", emu::machine_from_shape("1"));
  const RunResult native = run(m, 200, std::nullopt);
  PtyBoard board("mps2-an386", SPINDLE_CORE_ELF_MPS2);
  ASSERT_FALSE(board.pty().empty()) << "QEMU did not report its pty";
  host::BackendOptions o;
  o.name = "serial";
  o.ports = {board.pty()};
  o.slices = std::set<uint32_t>{2};  // the neuron slice on the "board", the sources native
  emu::Engine engine(m.machine, emu::EngineConfig{.threads = 2});
  host::make_backend(o)->load(engine, m.load);
  const emu::RunReport report = engine.run(200);
  expect_identical(native, collect(m, engine, report));
}

TEST(SerialBackend, PlasticWeightsFromTheBoardEqualNative) {
  const Mapped m = map_file(std::string(SPINDLE_QEMU_TEST_DATA) + "/plastic_additive.textproto", emu::machine_from_shape("1"));
  std::set<uint32_t> plastic;
  for (const host::CoreLoad& c : m.load.cores)
    if (!c.plastic.empty()) plastic.insert(c.slice);
  ASSERT_EQ(plastic.size(), 1u);
  PtyBoard board("mps2-an386", SPINDLE_CORE_ELF_MPS2);
  ASSERT_FALSE(board.pty().empty()) << "QEMU did not report its pty";
  host::BackendOptions o;
  o.name = "serial";
  o.ports = {board.pty()};
  o.slices = plastic;
  expect_plastic_equal(run_plastic(m, std::nullopt), run_plastic(m, o));
}

TEST(SerialBackend, PortsThatDoNotPairOrOpenAreClearErrors) {
  const Mapped m = map_file(std::string(SPINDLE_EXAMPLE_NETWORKS_DIR) + "/tiny.textproto", emu::machine_from_shape("1"));
  {
    emu::Engine engine(m.machine);
    host::BackendOptions o;
    o.name = "serial";
    o.ports = {"/dev/null"};
    try {
      host::make_backend(o)->load(engine, m.load);
      FAIL();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("1 port(s) for 3 core(s)"), std::string::npos) << e.what();
    }
  }
  {
    emu::Engine engine(m.machine);
    host::BackendOptions o;
    o.name = "serial";
    o.ports = {"/dev/no-such-tty"};
    o.slices = std::set<uint32_t>{0};
    try {
      host::make_backend(o)->load(engine, m.load);
      FAIL();
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("serial port /dev/no-such-tty: No such file or directory"), std::string::npos)
          << e.what();
    }
  }
  {
    emu::Engine engine(m.machine);
    host::BackendOptions o;
    o.name = "serial";
    o.ports = {"/dev/null"};
    o.slices = std::set<uint32_t>{0};
    try {
      host::make_backend(o)->load(engine, m.load);
      FAIL();
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("/dev/null: not a terminal device"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace spindle::test
