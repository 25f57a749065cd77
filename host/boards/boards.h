// The boards manifest (boards/manifest.cmake, generated from each
// boards/<board>/board.cmake), compiled into the host tools: the one list of
// boards the CLI, the daemon and the backends read, with what the host needs
// to know to build, flash and run a board's image.
#pragma once

#include <optional>
#include <string>
#include <vector>


namespace spindle::host {

// The manifest's JSON text (generated boards_manifest.cpp).
extern const char kBoardsManifestJson[];

struct BoardFlashing {
  std::string method;                        // "swd" or "mass-storage"
  std::string address;                       // where the image starts, e.g. "0x08000000"
  std::vector<std::string> openocd_configs;  // -f arguments, in order (swd)
  std::string pyocd_target;                  // pyocd -t (swd)
  std::string mass_storage_file;             // path on the board's mass storage (mass-storage)
};

struct BoardImage {
  bool cross_built = false;  // this build tree cross-builds the board (SPINDLE_BUILD_ARM=ON)
  std::string build_dir;     // its cross-build directory
  std::string elf, bin;            // the self-test image the cross build makes
  std::string core_elf, core_bin;  // the core server image (`--backend serial` drives it)
};

struct BoardInfo {
  std::string name, description, cpu, console, qemu_machine;
  BoardFlashing flash;
  BoardImage image;
};

// Every board in the manifest, in manifest order. Throws std::runtime_error
// if the compiled-in manifest does not parse (a build error, not user input).
const std::vector<BoardInfo>& boards();
std::optional<BoardInfo> find_board(const std::string& name);
// The board a run under QEMU uses when none is named (the manifest's
// default_board, set in boards/boards.cmake).
const std::string& default_board();
// Board names, comma-separated in manifest order: for usage errors.
std::string board_names();
// Where this build put the board's core server image (the manifest's
// image.core_elf); SPINDLE_BOARD_IMAGES_DIR in the environment overrides the
// directory (holding <board>/boards/spindle-core-<board>.elf or
// spindle-core-<board>.elf).
std::string core_image_path(const BoardInfo& board);

}  // namespace spindle::host
