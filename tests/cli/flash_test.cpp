// `spindle flash`: the exact dry-run commands per board and probe, usage
// errors, a missing tool, the MPS2 mass-storage copy, and real runs of fake
// `openocd` / `pyocd` scripts put first on PATH that record their arguments
// and exit with a chosen status. Also the boards manifest the build writes.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "support/command.h"
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

using Result = spindle::testing::CommandResult;
using spindle::testing::read_file;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class FlashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("spindle_flash_test_") + info->name() + "_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "bin");
    elf_ = write("fw.elf", "\x7f" "ELF not really");
    bin_ = write("fw.bin", std::string("\x00\x10\x00\x20\x41\x00\x00\x08", 8));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `ENV spindle flash ARGS` (shell-quoted strings), capturing stdout and stderr.
  Result flash(const std::string& args, const std::string& env = "") {
    return spindle::testing::run_command(env + " '" + SPINDLE_BIN + "' flash " + args, dir_);
  }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  // A stand-in for a flashing tool: writes each argument on its own line to
  // <tool>.args and exits with $FAKE_STATUS (0 if unset).
  void fake_tool(const std::string& tool) {
    const fs::path script = dir_ / "bin" / tool;
    std::ofstream(script) << "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '"
                          << (dir_ / (tool + ".args")).string() << "'\nexit ${FAKE_STATUS:-0}\n";
    fs::permissions(script, fs::perms::owner_all);
  }
  std::string path_env() const { return "PATH='" + (dir_ / "bin").string() + ":/usr/bin:/bin'"; }

  fs::path dir_, elf_, bin_;
};

TEST_F(FlashTest, HelpListsFlash) {
  const std::string cmd = std::string("'") + SPINDLE_BIN + "' --help > '" + (dir_ / "help").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_TRUE(contains(read_file(dir_ / "help"), "flash"));
}

TEST_F(FlashTest, DryRunOpenocdElf) {
  const Result r = flash("--board netduinoplus2 --image '" + elf_.string() + "' --dry-run");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "openocd -f interface/stlink.cfg -f target/stm32f4x.cfg -c 'program " + elf_.string() +
                       " verify reset exit'\n");
}

TEST_F(FlashTest, DryRunOpenocdBinGivesTheFlashAddress) {
  const Result r = flash("--board netduinoplus2 --probe openocd --image '" + bin_.string() + "' --dry-run");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "openocd -f interface/stlink.cfg -f target/stm32f4x.cfg -c 'program " + bin_.string() +
                       " 0x08000000 verify reset exit'\n");
}

TEST_F(FlashTest, DryRunPyocd) {
  Result r = flash("--board netduinoplus2 --probe pyocd --image '" + elf_.string() + "' --dry-run");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "pyocd flash -t stm32f405rgtx " + elf_.string() + "\n");
  r = flash("--board netduinoplus2 --probe pyocd --image '" + bin_.string() + "' --dry-run");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "pyocd flash -t stm32f405rgtx --base-address 0x08000000 " + bin_.string() + "\n");
}

TEST_F(FlashTest, DryRunQuotesPathsWithSpaces) {
  const fs::path spaced = write("my fw.elf", "x");
  const Result r = flash("--board netduinoplus2 --probe pyocd --image '" + spaced.string() + "' --dry-run");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "pyocd flash -t stm32f405rgtx '" + spaced.string() + "'\n");
}

TEST_F(FlashTest, DryRunMps2CopiesToTheCard) {
  const Result r =
      flash("--board mps2-an386 --image '" + bin_.string() + "' --mount '" + (dir_ / "card").string() + "' --dry-run");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "cp " + bin_.string() + " " + (dir_ / "card" / "SOFTWARE" / "SPINDLE.BIN").string() + "\n");
}

TEST_F(FlashTest, DryRunWithoutImageUsesTheBuildTree) {
  const Result r = flash("--board netduinoplus2 --dry-run");
#if SPINDLE_TEST_ARM_BUILT
  EXPECT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string build, program;
  std::getline(lines, build);
  std::getline(lines, program);
  EXPECT_TRUE(contains(build, " --build ") && contains(build, "/arm/netduinoplus2")) << build;
  // By default the core server: the image `spindle run --backend serial` drives.
  EXPECT_TRUE(contains(program, "/arm/netduinoplus2/boards/spindle-core-netduinoplus2.elf verify reset exit"))
      << program;
  const Result selftest = flash("--board netduinoplus2 --what selftest --dry-run");
  EXPECT_TRUE(contains(selftest.out, "/arm/netduinoplus2/boards/spindle-netduinoplus2.elf verify reset exit"))
      << selftest.out;
  // The MPS2 loads a .bin from its card: the core server's.
  const Result mps2 = flash("--board mps2-an386 --mount '" + (dir_ / "card").string() + "' --dry-run");
  EXPECT_EQ(mps2.code, 0) << mps2.err;
  EXPECT_TRUE(contains(mps2.out, "/arm/mps2-an386/boards/spindle-core-mps2-an386.bin")) << mps2.out;
#else
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "SPINDLE_BUILD_ARM=OFF") && contains(r.err, "--image")) << r.err;
#endif
}

TEST_F(FlashTest, UnknownBoardListsTheBoards) {
  const Result r = flash("--board stm32f4discovery --dry-run");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "unknown board 'stm32f4discovery'; boards: mps2-an386, netduinoplus2")) << r.err;
}

TEST_F(FlashTest, UnknownProbeListsTheProbes) {
  const Result r = flash("--board netduinoplus2 --probe jlink --image '" + elf_.string() + "' --dry-run");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "unknown probe 'jlink'; probes: openocd, pyocd")) << r.err;
}

TEST_F(FlashTest, BoardIsRequired) {
  const Result r = flash("--dry-run");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--board")) << r.err;
}

TEST_F(FlashTest, BadImages) {
  Result r = flash("--board netduinoplus2 --image '" + (dir_ / "none.elf").string() + "' --dry-run");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "none.elf: no such file")) << r.err;
  const fs::path hex = write("fw.hex", ":00000001FF\n");
  r = flash("--board netduinoplus2 --image '" + hex.string() + "' --dry-run");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "neither an .elf nor a .bin")) << r.err;
  r = flash("--board mps2-an386 --image '" + elf_.string() + "' --mount '" + dir_.string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "loads raw .bin images")) << r.err;
}

TEST_F(FlashTest, Mps2WithoutMountExplainsMassStorage) {
  const Result r = flash("--board mps2-an386 --image '" + bin_.string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "USB mass storage") && contains(r.err, "--mount DIR") &&
              contains(r.err, "SOFTWARE/SPINDLE.BIN"))
      << r.err;
}

TEST_F(FlashTest, Mps2RejectsProbeAndSwdBoardRejectsMount) {
  Result r = flash("--board mps2-an386 --probe openocd --image '" + bin_.string() + "' --mount '" + dir_.string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "not flashed through a debug probe")) << r.err;
  r = flash("--board netduinoplus2 --image '" + elf_.string() + "' --mount '" + dir_.string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "flashed over SWD")) << r.err;
}

TEST_F(FlashTest, Mps2CopiesTheImageOntoTheCard) {
  const fs::path card = dir_ / "card";
  fs::create_directories(card / "MB" / "HBI0263C" / "AN386");
  std::ofstream(card / "MB" / "HBI0263C" / "AN386" / "images.txt") << "TITLE: Versatile Express Images Configuration File\n";
  const Result r = flash("--board mps2-an386 --image '" + bin_.string() + "' --mount '" + card.string() + "'");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_file(card / "SOFTWARE" / "SPINDLE.BIN"), read_file(bin_));
  EXPECT_TRUE(contains(r.err, "IMAGE0FILE: \\SOFTWARE\\SPINDLE.BIN")) << r.err;
  EXPECT_TRUE(contains(r.err, "IMAGE0ADDRESS: 0x00000000")) << r.err;
  EXPECT_TRUE(contains(r.err, "found " + (card / "MB" / "HBI0263C" / "AN386" / "images.txt").string())) << r.err;
}

TEST_F(FlashTest, Mps2MountMustBeADirectory) {
  const Result r = flash("--board mps2-an386 --image '" + bin_.string() + "' --mount '" + (dir_ / "nope").string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "is not a directory")) << r.err;
}

TEST_F(FlashTest, MissingToolNamesTheDebianPackage) {
  const std::string empty_path = "PATH='" + (dir_ / "bin").string() + "'";
  Result r = flash("--board netduinoplus2 --image '" + elf_.string() + "'", empty_path);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "openocd not found on PATH") && contains(r.err, "apt-get install openocd")) << r.err;
  r = flash("--board netduinoplus2 --probe pyocd --image '" + elf_.string() + "'", empty_path);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "pyocd not found on PATH") && contains(r.err, "apt-get install python3-pyocd")) << r.err;
}

TEST_F(FlashTest, RunsOpenocdWithTheseArguments) {
  fake_tool("openocd");
  const Result r = flash("--board netduinoplus2 --image '" + elf_.string() + "'", path_env());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_file(dir_ / "openocd.args"), "-f\ninterface/stlink.cfg\n-f\ntarget/stm32f4x.cfg\n-c\nprogram " +
                                                  elf_.string() + " verify reset exit\n");
}

TEST_F(FlashTest, RunsPyocdWithTheseArguments) {
  fake_tool("pyocd");
  const Result r = flash("--board netduinoplus2 --probe pyocd --image '" + bin_.string() + "'", path_env());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_file(dir_ / "pyocd.args"),
            "flash\n-t\nstm32f405rgtx\n--base-address\n0x08000000\n" + bin_.string() + "\n");
}

TEST_F(FlashTest, ToolFailureIsTheExitCode) {
  fake_tool("openocd");
  const Result r = flash("--board netduinoplus2 --image '" + elf_.string() + "'", path_env() + " FAKE_STATUS=3");
  EXPECT_EQ(r.code, 3);
  EXPECT_TRUE(contains(r.err, "openocd exited with status 3")) << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "openocd.args"));
}

TEST(BoardsManifest, EveryBoardHasItsFlashingFacts) {
  std::ifstream in(SPINDLE_BOARDS_JSON);
  ASSERT_TRUE(in) << SPINDLE_BOARDS_JSON;
  const auto doc = nlohmann::json::parse(in);
  ASSERT_EQ(doc.at("boards").size(), 2u);
  for (const auto& b : doc.at("boards")) {
    const auto& f = b.at("flash");
    const std::string method = f.at("method");
    SCOPED_TRACE(b.at("name").get<std::string>());
    EXPECT_FALSE(b.at("qemu_machine").get<std::string>().empty());
    EXPECT_FALSE(b.at("memory").empty());
    if (method == "swd") {
      EXPECT_FALSE(f.at("openocd_configs").empty());
      EXPECT_FALSE(f.at("pyocd_target").get<std::string>().empty());
    } else {
      EXPECT_EQ(method, "mass-storage");
      EXPECT_FALSE(f.at("mass_storage_file").get<std::string>().empty());
    }
  }
}

}  // namespace
