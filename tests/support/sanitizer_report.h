// Finds a sanitizer report in a child process's output. A sanitizer in a
// process the test started (spindled, spindle) prints its report to that
// process's stderr and, for a daemon stopped by SIGTERM, nothing else tells
// the test: the helpers that start spindled (support/spindled_process.h,
// daemon/daemon_process.h) fail the test when its output holds one.
#pragma once

#include <string>

namespace spindle::testing {

// The report's first lines (from its header up to 40 lines), or empty when
// `output` holds none: ThreadSanitizer's "WARNING: ThreadSanitizer",
// AddressSanitizer's "ERROR: AddressSanitizer", LeakSanitizer's
// "ERROR: LeakSanitizer", UBSan's "runtime error:".
inline std::string sanitizer_report(const std::string& output) {
  static const char* const kMarkers[] = {"WARNING: ThreadSanitizer", "ERROR: AddressSanitizer",
                                         "ERROR: LeakSanitizer", "runtime error:"};
  size_t first = std::string::npos;
  for (const char* m : kMarkers) first = std::min(first, output.find(m));
  if (first == std::string::npos) return {};
  size_t begin = output.rfind('\n', first);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = begin;
  for (int line = 0; line < 40 && end != std::string::npos && end < output.size(); ++line)
    end = output.find('\n', end + 1);
  return output.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace spindle::testing
