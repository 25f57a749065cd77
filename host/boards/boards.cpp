#include "boards/boards.h"

#include <cstdio>
#include <cstdlib>

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace spindle::host {
namespace {

struct Manifest {
  std::vector<BoardInfo> boards;
  std::string default_board;
};

Manifest parse_manifest() {
  const auto doc = nlohmann::json::parse(kBoardsManifestJson, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.contains("boards") || !doc.contains("default_board"))
    throw std::runtime_error("the compiled-in boards manifest does not parse (rebuild spindle)");
  Manifest m;
  m.default_board = doc.at("default_board").get<std::string>();
  std::vector<BoardInfo>& out = m.boards;
  for (const auto& b : doc.at("boards")) {
    BoardInfo info;
    info.name = b.at("name").get<std::string>();
    info.description = b.at("description").get<std::string>();
    info.cpu = b.at("cpu").get<std::string>();
    info.console = b.at("console").get<std::string>();
    info.qemu_machine = b.at("qemu_machine").get<std::string>();
    const auto& f = b.at("flash");
    info.flash.method = f.at("method").get<std::string>();
    info.flash.address = f.at("address").get<std::string>();
    info.flash.openocd_configs = f.at("openocd_configs").get<std::vector<std::string>>();
    info.flash.pyocd_target = f.at("pyocd_target").get<std::string>();
    info.flash.mass_storage_file = f.at("mass_storage_file").get<std::string>();
    const auto& i = b.at("image");
    info.image.cross_built = i.at("cross_built").get<bool>();
    info.image.build_dir = i.at("build_dir").get<std::string>();
    info.image.elf = i.at("elf").get<std::string>();
    info.image.bin = i.at("bin").get<std::string>();
    info.image.core_elf = i.at("core_elf").get<std::string>();
    info.image.core_bin = i.at("core_bin").get<std::string>();
    out.push_back(std::move(info));
  }
  return m;
}

const Manifest& manifest() {
  static const Manifest m = parse_manifest();
  return m;
}

}  // namespace

const std::vector<BoardInfo>& boards() { return manifest().boards; }

const std::string& default_board() { return manifest().default_board; }

std::optional<BoardInfo> find_board(const std::string& name) {
  for (const auto& b : boards())
    if (b.name == name) return b;
  return std::nullopt;
}

std::string board_names() {
  std::string s;
  for (const auto& b : boards()) s += (s.empty() ? "" : ", ") + b.name;
  return s;
}

std::string core_image_path(const BoardInfo& board) {
  const char* env = std::getenv("SPINDLE_BOARD_IMAGES_DIR");
  if (env == nullptr || *env == '\0') return board.image.core_elf;
  // A directory laid out as the host build's arm/ folder, or holding the
  // images directly.
  const std::string dir(env), file = "spindle-core-" + board.name + ".elf";
  const std::string flat = dir + "/" + file;
  if (std::FILE* f = std::fopen(flat.c_str(), "rb")) {
    std::fclose(f);
    return flat;
  }
  return dir + "/" + board.name + "/boards/" + file;
}

}  // namespace spindle::host
