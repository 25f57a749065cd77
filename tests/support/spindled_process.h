// Starts the real spindled on a free loopback port (--listen 127.0.0.1:0)
// for tests and benchmarks, and stops it with SIGTERM. The daemon prints
// "spindled listening on HOST:PORT ..." once it serves; its stdout and
// stderr go to a log file, read back for the port and for failure reports.
// A sanitizer report in the log when it is stopped fails the test
// (support/sanitizer_report.h); users link GTest::gtest.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/sanitizer_report.h"

namespace spindle::testing {

class SpindledProcess {
 public:
  SpindledProcess() = default;
  SpindledProcess(const SpindledProcess&) = delete;
  SpindledProcess& operator=(const SpindledProcess&) = delete;
  ~SpindledProcess() { stop(); }

  // Empty on success; otherwise why the daemon is not serving (with its log).
  std::string start(const std::string& binary, const std::string& log_path, std::vector<std::string> extra_args = {},
                    std::chrono::seconds timeout = std::chrono::seconds(60)) {
    log_path_ = log_path;
    std::vector<std::string> args = {binary, "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::fflush(nullptr);  // or the child's freopen writes our buffered output again
    pid_ = ::fork();
    if (pid_ < 0) return "fork failed";
    if (pid_ == 0) {
      if (!std::freopen(log_path.c_str(), "w", stdout) || ::dup2(STDOUT_FILENO, STDERR_FILENO) < 0) ::_exit(126);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const std::string marker = "spindled listening on ";
    for (;;) {
      const std::string log = read_log();
      const auto at = log.find(marker);
      if (at != std::string::npos && log.find('\n', at) != std::string::npos) {
        std::istringstream line(log.substr(at + marker.size()));
        line >> address_;
        return {};
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "spindled exited before listening (status " + std::to_string(status) + "):\n" + log;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        stop();
        return "spindled not listening after " + std::to_string(timeout.count()) + " s:\n" + log;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // SIGTERM and wait; the exit status (-1 if it was not running).
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    if (const std::string report = sanitizer_report(read_log()); !report.empty())
      ADD_FAILURE() << "spindled printed a sanitizer report (" << log_path_ << "):\n" << report;
    return status;
  }

  pid_t pid() const { return pid_; }

  bool running() const { return pid_ > 0; }
  const std::string& address() const { return address_; }  // HOST:PORT it serves
  std::string read_log() const {
    std::ifstream in(log_path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::string address_;
};

}  // namespace spindle::testing
