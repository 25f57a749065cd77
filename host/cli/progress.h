// The progress display `spindle run` shows (in-process and --connect), on
// stderr once a run has taken over a second. On a terminal it is a bar
// redrawn in place with '\r'; otherwise (stderr redirected to a file or a
// pipe, a log) a plain line, then one every kLineSeconds, so a log holds no
// '\r'.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>

namespace spindle::cli {

class Progress {
 public:
  static constexpr double kLineSeconds = 10;  // between plain lines
  using Clock = std::function<double()>;      // seconds, monotonic

  // Writes to stderr; a bar when stderr is a terminal.
  Progress() : Progress(stderr, ::isatty(::fileno(stderr)) == 1) {}
  Progress(std::FILE* out, bool terminal, Clock clock = steady_seconds)
      : out_(out), terminal_(terminal), clock_(std::move(clock)), start_(clock_()) {}

  void operator()(uint32_t done, uint32_t total) {
    const double s = clock_() - start_;
    if (s < 1.0) return;
    if (terminal_) {
      const int width = 40, filled = total ? static_cast<int>(width * static_cast<double>(done) / total) : width;
      std::fprintf(out_, "\rrunning [%.*s%*s] %3d%% %u/%u ticks", filled, "########################################",
                   width - filled, "", percent(done, total), done, total);
      if (done == total) std::fprintf(out_, "\n");
      std::fflush(out_);
      return;
    }
    if (done == total || s < next_line_) return;  // the summary follows the last tick
    std::fprintf(out_, "running: %d%%, %u of %u ticks, %.0f s\n", percent(done, total), done, total, s);
    std::fflush(out_);
    next_line_ = s + kLineSeconds;
  }

 private:
  static double steady_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  static int percent(uint32_t done, uint32_t total) {
    return total ? static_cast<int>(100.0 * done / total) : 100;
  }

  std::FILE* out_;
  bool terminal_;
  Clock clock_;
  double start_;
  double next_line_ = 1.0;  // the first plain line after a second
};

}  // namespace spindle::cli
