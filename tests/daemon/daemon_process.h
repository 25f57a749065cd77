// Starts the real spindled binary on a free loopback port for end-to-end
// tests, and stops it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace spindle::test {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal or not started
  std::string output;  // stdout and stderr together
};

// Runs a program to completion (at most timeout_s seconds, then it is killed).
ProcessResult run_process(const std::vector<std::string>& argv, int timeout_s = 20);

class DaemonProcess {
 public:
  // spindled --listen LISTEN plus `args`; waits for its "listening on"
  // line. Throws std::runtime_error with the daemon's output if it does not
  // start.
  explicit DaemonProcess(const std::vector<std::string>& args = {}, const std::string& listen = "127.0.0.1:0");
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }  // parent of the QEMU processes of qemu jobs
  // Sends SIGTERM and waits for the exit; returns the exit code (-1 if it
  // had to be killed) and everything it printed.
  ProcessResult terminate(int timeout_s = 20);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string address_;
  std::string output_;
};

}  // namespace spindle::test
