// Runs a shell command for the tests that drive Spindle's programs as a user
// would (spindle, its daemon, the Python client), capturing exit code,
// stdout and stderr through files in a scratch directory. A sanitizer report
// on the command's stderr fails the test (support/sanitizer_report.h).
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "support/sanitizer_report.h"

namespace spindle::testing {

struct CommandResult {
  int code = -1;  // the exit status; -1 if the command did not exit normally
  std::string out, err;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `command` (already shell-quoted) with stdout and stderr redirected to
// `scratch`/stdout`tag` and stderr`tag`.
inline CommandResult run_command(const std::string& command, const std::filesystem::path& scratch,
                                 const std::string& tag = "") {
  const std::filesystem::path out = scratch / ("stdout" + tag), err = scratch / ("stderr" + tag);
  const std::string cmd = command + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  if (const std::string report = sanitizer_report(r.err); !report.empty())
    ADD_FAILURE() << command << " printed a sanitizer report:\n" << report;
  return r;
}

}  // namespace spindle::testing
