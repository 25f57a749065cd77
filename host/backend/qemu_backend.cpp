// The qemu backend: chosen cores (all by default) each run the board's core
// server image in their own qemu-system-arm process, loaded with the same
// core image over the link protocol; the rest run natively.
#include <cstdio>
#include <future>
#include <stdexcept>

#include "backend/backends.h"
#include "backend/remote_cores.h"
#include "boards/boards.h"
#include "remote/qemu_process.h"

namespace spindle::host {

std::string qemu_unavailable(const std::string& board_name) {
  const auto board = find_board(board_name);
  if (!board) return "unknown board '" + board_name + "' (boards: " + board_names() + ")";
  if (!emu::remote::find_executable("qemu-system-arm"))
    return "'qemu-system-arm' not found on PATH (Debian package qemu-system-arm)";
  const std::string image = core_image_path(*board);
  if (std::FILE* f = std::fopen(image.c_str(), "rb")) {
    std::fclose(f);
    return {};
  }
  return "no core image for board '" + board_name + "' in this build (" + image + ")";
}

namespace backend_detail {
namespace {

class QemuBackend final : public Backend {
 public:
  QemuBackend(const BackendOptions& options, const BoardInfo& board) : options_(options), board_(board) {}

  std::string_view name() const override { return "qemu"; }

  void load(emu::Engine& engine, const MachineLoad& load) override {
    if (options_.slices) check_slices(load, *options_.slices);
    emu::remote::QemuOptions qemu;
    qemu.qemu = options_.qemu;
    qemu.machine = board_.qemu_machine;
    qemu.kernel = options_.kernel.empty() ? core_image_path(board_) : options_.kernel;
    load_routes(engine, load);
    // QEMU processes start on this thread (they die with it), then load
    // their images side by side; the engine takes them in load order.
    std::vector<std::unique_ptr<emu::remote::QemuCore>> started(load.cores.size());
    for (size_t i = 0; i < load.cores.size(); ++i) {
      const CoreLoad& c = load.cores[i];
      if (options_.slices && !options_.slices->count(c.slice)) continue;
      started[i] = std::make_unique<emu::remote::QemuCore>(core_name(c), qemu, options_.link, options_.wrap);
    }
    std::vector<std::future<void>> booting(load.cores.size());
    for (size_t i = 0; i < load.cores.size(); ++i)
      if (started[i])
        booting[i] =
            std::async(std::launch::async, [&core = *started[i], &image = load.cores[i].image] { core.boot(image); });
    std::exception_ptr first_error;
    for (auto& b : booting) {
      if (!b.valid()) continue;
      try {
        b.get();
      } catch (...) {
        if (!first_error) first_error = std::current_exception();
      }
    }
    if (first_error) std::rethrow_exception(first_error);
    for (size_t i = 0; i < load.cores.size(); ++i)
      engine.load_core({load.cores[i].chip, load.cores[i].core}, load.cores[i].image, std::move(started[i]));
  }

  std::string summary(const emu::Engine& engine) const override {
    return "backend qemu: " + std::to_string(remote_cores(engine)) + " of " + std::to_string(engine.cores().size()) +
           " cores ran as " + board_.name + " images under QEMU";
  }

 private:
  BackendOptions options_;
  BoardInfo board_;
};

}  // namespace

std::unique_ptr<Backend> make_qemu(const BackendOptions& options) {
  if (!options.ports.empty()) throw std::invalid_argument("backend qemu: serial ports need backend serial");
  const std::string name = options.board.empty() ? default_board() : options.board;
  const auto board = find_board(name);
  if (!board) throw std::invalid_argument("unknown board '" + name + "' (boards: " + board_names() + ")");
  return std::make_unique<QemuBackend>(options, *board);
}

}  // namespace backend_detail
}  // namespace spindle::host
