#include "daemon_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "support/sanitizer_report.h"

namespace spindle::test {
namespace {

// Child: stdout and stderr into the pipe, then exec.
pid_t spawn(const std::vector<std::string>& argv, int& out_fd) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  out_fd = fds[0];
  return pid;
}

// Reads what is there within timeout_ms; false at end of file.
bool read_some(int fd, std::string& out, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return true;
  char buf[4096];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n <= 0) return false;
  out.append(buf, static_cast<size_t>(n));
  return true;
}

int wait_exit(pid_t pid, int timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, int timeout_s) {
  ProcessResult r;
  int fd = -1;
  const pid_t pid = spawn(argv, fd);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (read_some(fd, r.output, 100) && std::chrono::steady_clock::now() < deadline) {
  }
  close(fd);
  r.exit_code = wait_exit(pid, 1);
  if (const std::string report = spindle::testing::sanitizer_report(r.output); !report.empty())
    ADD_FAILURE() << argv[0] << " printed a sanitizer report:\n" << report;
  return r;
}

DaemonProcess::DaemonProcess(const std::vector<std::string>& args, const std::string& listen) {
  std::vector<std::string> argv = {SPINDLED_BIN, "--listen", listen};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = spawn(argv, out_fd_);
  reader_ = std::thread([this] { read_output(); });
  const std::string marker = "listening on ";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline && !eof_.load()) {
    const std::string out = output();
    const size_t at = out.find(marker);
    const size_t end = at == std::string::npos ? at : out.find(' ', at + marker.size());
    if (end != std::string::npos) {
      address_ = out.substr(at + marker.size(), end - at - marker.size());
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const ProcessResult r = terminate(1);
  throw std::runtime_error("spindled did not start:\n" + r.output);
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) terminate(20);
}

void DaemonProcess::read_output() {
  std::string chunk;
  while (!stop_reading_.load()) {
    chunk.clear();
    if (!read_some(out_fd_, chunk, 100)) {
      eof_.store(true);
      return;
    }
    if (chunk.empty()) continue;
    std::lock_guard lock(output_m_);
    output_ += chunk;
  }
}

std::string DaemonProcess::output() const {
  std::lock_guard lock(output_m_);
  return output_;
}

ProcessResult DaemonProcess::terminate(int timeout_s) {
  ProcessResult r;
  if (pid_ <= 0) return r;
  kill(pid_, SIGTERM);
  // Its output ends when it exits (or later, if a QEMU child still holds
  // the pipe: then at the deadline).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (!eof_.load() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  r.exit_code = wait_exit(pid_, 1);
  stop_reading_.store(true);
  reader_.join();
  close(out_fd_);
  pid_ = -1;
  r.output = output();
  if (const std::string report = spindle::testing::sanitizer_report(r.output); !report.empty())
    ADD_FAILURE() << "spindled printed a sanitizer report:\n" << report;
  return r;
}

}  // namespace spindle::test
