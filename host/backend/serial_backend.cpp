// The serial backend: chosen cores (all by default) each run on a board
// behind a serial port, one core per board, loaded over the link protocol
// with the same core image; the rest run natively.
#include <algorithm>
#include <stdexcept>

#include "backend/backends.h"
#include "backend/remote_cores.h"
#include "remote/serial_core.h"

namespace spindle::host::backend_detail {
namespace {

class SerialBackend final : public Backend {
 public:
  explicit SerialBackend(const BackendOptions& options) : options_(options) {}

  std::string_view name() const override { return "serial"; }

  void load(emu::Engine& engine, const MachineLoad& load) override {
    std::set<uint32_t> slices;
    if (options_.slices) slices = *options_.slices;
    else
      for (const CoreLoad& c : load.cores) slices.insert(c.slice);
    check_slices(load, slices);
    if (options_.ports.size() != slices.size())
      throw std::invalid_argument("backend serial: " + std::to_string(options_.ports.size()) + " port(s) for " +
                                  std::to_string(slices.size()) +
                                  " core(s); give one port per core, or choose the cores");
    load_routes(engine, load);
    // Cores in slice order get the ports in the order given.
    std::vector<const CoreLoad*> by_slice;
    for (const CoreLoad& c : load.cores) by_slice.push_back(&c);
    std::sort(by_slice.begin(), by_slice.end(), [](const CoreLoad* a, const CoreLoad* b) { return a->slice < b->slice; });
    size_t next_port = 0;
    for (const CoreLoad* c : by_slice) {
      std::unique_ptr<emu::RemoteCore> remote;
      if (slices.count(c->slice))
        remote = std::make_unique<emu::remote::SerialCore>(core_name(*c), options_.ports[next_port++], options_.baud,
                                                           options_.link, c->image);
      engine.load_core({c->chip, c->core}, c->image, std::move(remote));
    }
  }

  std::string summary(const emu::Engine& engine) const override {
    return "backend serial: " + std::to_string(remote_cores(engine)) + " of " + std::to_string(engine.cores().size()) +
           " cores ran on boards";
  }

 private:
  BackendOptions options_;
};

}  // namespace

std::unique_ptr<Backend> make_serial(const BackendOptions& options) {
  if (options.ports.empty()) throw std::invalid_argument("backend serial: needs a serial port per board");
  if (!options.board.empty() || !options.kernel.empty())
    throw std::invalid_argument("backend serial: a board image is chosen by flashing the board (spindle flash), "
                                "not at run time");
  return std::make_unique<SerialBackend>(options);
}

}  // namespace spindle::host::backend_detail
