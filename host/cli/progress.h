// The progress bar `spindle run` shows (in-process and --connect).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace spindle::cli {

// A progress bar on stderr, shown only once a run has taken over a second.
class Progress {
 public:
  void operator()(uint32_t done, uint32_t total) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (s < 1.0 && done < total) return;
    if (s < 1.0 && !shown_) return;
    shown_ = true;
    const int width = 40, filled = static_cast<int>(width * static_cast<double>(done) / total);
    std::fprintf(stderr, "\rrunning [%.*s%*s] %3d%% %u/%u ticks", filled, "########################################",
                 width - filled, "", static_cast<int>(100.0 * done / total), done, total);
    if (done == total) std::fprintf(stderr, "\n");
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool shown_ = false;
};

}  // namespace spindle::cli
