// `spindle flash --board NAME [--probe openocd|pyocd] [--image FILE]
// [--mount DIR] [--dry-run]`: puts a board image on a real board, with the
// flashing facts of the boards manifest (boards/<board>/board.cmake).
// SWD boards run OpenOCD or pyOCD; mass-storage boards (the MPS2) get the
// .bin copied onto their mounted MicroSD card. docs/boards.md, docs/cli.md.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "boards/boards.h"
#include "cli/common.h"

extern char** environ;

namespace spindle::cli {
namespace {

using host::BoardInfo;
using host::board_names;
using host::find_board;

namespace fs = std::filesystem;

struct FlashArgs {
  std::string board;
  std::string probe;  // empty: openocd
  std::string image;  // empty: the build tree's image, built first
  std::string mount;
  std::string what = "core";  // core: the core server `--backend serial` drives; selftest
  bool dry_run = false;
};

struct Tool {
  const char* name;
  const char* debian_package;
};
constexpr Tool kOpenocd{"openocd", "openocd"};
constexpr Tool kPyocd{"pyocd", "python3-pyocd"};

// One argument as a POSIX shell reads it back: printed commands can be pasted.
std::string shell_quote(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of(
                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-") ==
                                       std::string::npos;
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + shell_quote(a);
  return line;
}

// The tool's path on PATH, or empty.
std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = end > start ? dirs.substr(start, end - start) : ".";
    const fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate.string();
    start = end + 1;
  }
  return {};
}

// Runs argv (argv[0] an absolute path) with this process's stdio; returns its
// exit status, 128 + the signal that killed it, or -1 if it could not start.
int run_process(const std::string& program, const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, program.c_str(), nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Finds (and unless dry-run, first builds) the board's image in this build
// tree; empty on failure, after saying why.
std::string build_tree_image(const BoardInfo& board, bool want_bin, bool core, bool dry_run) {
  if (!board.image.cross_built) {
    std::cerr << "spindle flash: no image for " << board.name
              << ": this build tree has no ARM cross build (configured with SPINDLE_BUILD_ARM=OFF); "
                 "pass --image FILE, or build the host preset (cmake --preset host)\n";
    return {};
  }
  const std::string image = core ? (want_bin ? board.image.core_bin : board.image.core_elf)
                                 : (want_bin ? board.image.bin : board.image.elf);
  const std::vector<std::string> build = {SPINDLE_CMAKE_COMMAND, "--build", board.image.build_dir};
  if (dry_run) {
    std::cout << command_line(build) << '\n';
    return image;
  }
  std::cerr << "spindle flash: building the " << board.name << " image in " << board.image.build_dir << ": "
            << command_line(build) << '\n';
  const int status = run_process(build[0], build);
  if (status != 0) {
    std::cerr << "spindle flash: building the image failed (" << command_line(build) << " exited with status "
              << status << ")\n";
    return {};
  }
  if (!fs::exists(image)) {
    std::cerr << "spindle flash: the build finished but made no " << image << '\n';
    return {};
  }
  std::cerr << "spindle flash: image " << image << '\n';
  return image;
}

int flash_mass_storage(const BoardInfo& board, const FlashArgs& a, const std::string& image) {
  const fs::path target = fs::path(a.mount) / board.flash.mass_storage_file;
  if (a.dry_run) {
    std::cout << command_line({"cp", image, target.string()}) << '\n';
    return kExitOk;
  }
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (!ec) fs::copy_file(image, target, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    std::cerr << "spindle flash: cannot copy " << image << " to " << target.string() << ": " << ec.message() << '\n';
    return kExitFailed;
  }
  std::cerr << "spindle flash: copied " << image << " to " << target.string() << '\n';
  // The board reads images.txt of its current application note at power-up;
  // its folder name depends on the board revision, so it is found, not assumed.
  std::string dos_name = board.flash.mass_storage_file;
  for (char& c : dos_name)
    if (c == '/') c = '\\';
  std::cerr << "spindle flash: in the AN386 images.txt (MB/HBI*/AN386/images.txt on the card) set\n"
            << "    IMAGE0ADDRESS: " << board.flash.address << "\n    IMAGE0FILE: \\" << dos_name << '\n';
  const fs::path mb = fs::path(a.mount) / "MB";
  if (fs::is_directory(mb, ec))
    for (const auto& dir : fs::directory_iterator(mb, ec)) {
      const fs::path txt = dir.path() / "AN386" / "images.txt";
      if (fs::exists(txt, ec)) std::cerr << "spindle flash: found " << txt.string() << '\n';
    }
  std::cerr << "spindle flash: then power-cycle the board (or press its reset button)\n";
  return kExitOk;
}

int flash_swd(const BoardInfo& board, const FlashArgs& a, const std::string& image, const Tool& tool) {
  const bool is_bin = ends_with(image, ".bin");
  std::vector<std::string> argv = {tool.name};
  if (&tool == &kOpenocd) {
    for (const auto& cfg : board.flash.openocd_configs) argv.insert(argv.end(), {"-f", cfg});
    // A .bin carries no load address; an ELF does.
    argv.insert(argv.end(), {"-c", "program " + image + (is_bin ? " " + board.flash.address : "") +
                                       " verify reset exit"});
  } else {
    argv.insert(argv.end(), {"flash", "-t", board.flash.pyocd_target});
    if (is_bin) argv.insert(argv.end(), {"--base-address", board.flash.address});
    argv.push_back(image);
  }
  if (a.dry_run) {
    std::cout << command_line(argv) << '\n';
    return kExitOk;
  }
  const std::string program = find_on_path(tool.name);
  if (program.empty()) {
    std::cerr << "spindle flash: " << tool.name << " not found on PATH; install the Debian package '"
              << tool.debian_package << "' (apt-get install " << tool.debian_package << ")\n";
    return kExitFailed;
  }
  std::cerr << "spindle flash: " << command_line(argv) << '\n';
  const int status = run_process(program, argv);
  if (status < 0) {
    std::cerr << "spindle flash: cannot start " << program << ": " << std::strerror(errno) << '\n';
    return kExitFailed;
  }
  if (status != 0) std::cerr << "spindle flash: " << tool.name << " exited with status " << status << '\n';
  return status;
}

int flash(const FlashArgs& a) {
  const auto board = find_board(a.board);
  if (!board) {
    std::cerr << "spindle flash: --board: unknown board '" << a.board << "'; boards: " << board_names() << '\n';
    return kExitUsage;
  }
  const bool mass_storage = board->flash.method == "mass-storage";
  const Tool* tool = &kOpenocd;
  if (!a.probe.empty()) {
    if (a.probe == "pyocd") tool = &kPyocd;
    else if (a.probe != "openocd") {
      std::cerr << "spindle flash: --probe: unknown probe '" << a.probe << "'; probes: openocd, pyocd\n";
      return kExitUsage;
    }
  }
  if (mass_storage && !a.probe.empty()) {
    std::cerr << "spindle flash: --probe: " << board->name << " is not flashed through a debug probe: "
              << "its images load from the board's USB mass storage (MicroSD card); pass --mount DIR instead\n";
    return kExitUsage;
  }
  if (mass_storage && a.mount.empty()) {
    std::cerr << "spindle flash: " << board->name << " has nothing to flash over SWD: the MPS2 loads its image "
              << "at power-up from its USB mass storage (MicroSD card). Connect the board's configuration USB port, "
              << "mount the card and pass --mount DIR: spindle copies the .bin to DIR/"
              << board->flash.mass_storage_file << " and says which images.txt line names it\n";
    return kExitUsage;
  }
  if (!mass_storage && !a.mount.empty()) {
    std::cerr << "spindle flash: --mount: " << board->name << " is flashed over SWD (--probe), not by copying\n";
    return kExitUsage;
  }
  if (mass_storage && !a.dry_run && !fs::is_directory(a.mount)) {
    std::cerr << "spindle flash: --mount: " << a.mount << " is not a directory (mount the board's card first)\n";
    return kExitUsage;
  }

  std::string image = a.image;
  if (!image.empty()) {
    const bool elf = ends_with(image, ".elf"), bin = ends_with(image, ".bin");
    if (!elf && !bin) {
      std::cerr << "spindle flash: --image: " << image << " is neither an .elf nor a .bin file\n";
      return kExitUsage;
    }
    if (mass_storage && !bin) {
      std::cerr << "spindle flash: --image: " << board->name << " loads raw .bin images, not " << image << '\n';
      return kExitUsage;
    }
    if (!fs::is_regular_file(image)) {
      std::cerr << "spindle flash: --image: " << image << ": no such file\n";
      return kExitUsage;
    }
  } else {
    image = build_tree_image(*board, mass_storage, a.what == "core", a.dry_run);
    if (image.empty()) return kExitFailed;
  }
  return mass_storage ? flash_mass_storage(*board, a, image) : flash_swd(*board, a, image, *tool);
}

}  // namespace

void add_flash_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<FlashArgs>();
  CLI::App* cmd = app.add_subcommand("flash", "Put a board image on a real board (OpenOCD, pyOCD or mass storage)");
  cmd->add_option("--board", args->board, "Board: " + board_names())->required();
  cmd->add_option("--probe", args->probe, "Debug probe tool for SWD boards: openocd (default) or pyocd");
  cmd->add_option("--image", args->image,
                  "Image to flash (.elf, or .bin); default: this build tree's image (--what), built first");
  cmd->add_option("--what", args->what,
                  "Which of the build's images: core (the core server `spindle run --backend serial` drives) or "
                  "selftest (runs the built-in self-test networks and prints their checksums)")
      ->check(CLI::IsMember({"core", "selftest"}))
      ->capture_default_str();
  cmd->add_option("--mount", args->mount, "Mass-storage boards (mps2-an386): where the board's card is mounted");
  cmd->add_flag("--dry-run", args->dry_run, "Print the exact commands instead of running them");
  cmd->callback([args, &exit_code] { exit_code = flash(*args); });
}

}  // namespace spindle::cli
