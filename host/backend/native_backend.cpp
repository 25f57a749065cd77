// The native backend: every core's firmware compiled for the host, in the
// engine's threads.
#include "backend/backends.h"

namespace spindle::host::backend_detail {
namespace {

class NativeBackend final : public Backend {
 public:
  std::string_view name() const override { return "native"; }
  void load(emu::Engine& engine, const MachineLoad& load) override { load_into(engine, load); }
  std::string summary(const emu::Engine&) const override { return {}; }
};

}  // namespace

std::unique_ptr<Backend> make_native(const BackendOptions& options) {
  if (options.slices || !options.board.empty() || !options.kernel.empty() || !options.ports.empty())
    throw std::invalid_argument("backend native: remote-core options (slices, board, image, ports) need backend qemu "
                                "or serial");
  return std::make_unique<NativeBackend>();
}

}  // namespace spindle::host::backend_detail
