// Ctrl-C and SIGTERM during `spindle run`: the first asks the run to stop
// after the tick in progress, so the results so far are written (marked
// partial) and QEMU processes and their temporary folders are cleaned up;
// a second one ends the process at once (the signal's default action).
#pragma once

#include <atomic>

namespace spindle::cli {

class InterruptGuard {
 public:
  InterruptGuard();   // installs the handlers
  ~InterruptGuard();  // restores the previous ones
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // Set by the first SIGINT or SIGTERM: the engine's stop flag.
  static const std::atomic<bool>& requested();
  // The signal that set it (0: none).
  static int signal_number();
};

// "SIGINT", "SIGTERM", or "signal N".
const char* signal_name(int signal);

}  // namespace spindle::cli
