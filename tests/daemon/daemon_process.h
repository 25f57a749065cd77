// Starts the real spindled binary on a free loopback port for end-to-end
// tests, and stops it. The daemon's output is read while it runs (so it
// never blocks on a full pipe); a sanitizer report in it fails the test
// (support/sanitizer_report.h).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace spindle::test {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal or not started
  std::string output;  // stdout and stderr together
};

// Runs a program to completion (at most timeout_s seconds, then it is
// killed). A sanitizer report in its output fails the test.
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
  // Everything it printed so far.
  std::string output() const;
  // Sends SIGTERM and waits for the exit; returns the exit code (-1 if it
  // had to be killed) and everything it printed. A sanitizer report in
  // the output fails the test (once).
  ProcessResult terminate(int timeout_s = 20);

 private:
  void read_output();  // reader thread: until end of file or stop_reading_

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string address_;
  mutable std::mutex output_m_;
  std::string output_;  // output_m_
  std::atomic<bool> eof_{false};
  std::atomic<bool> stop_reading_{false};
  std::thread reader_;
};

}  // namespace spindle::test
