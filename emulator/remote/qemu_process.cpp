#include "remote/qemu_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace spindle::emu::remote {
namespace {

using Clock = std::chrono::steady_clock;

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped (status " + std::to_string(status) + ")";
}

}  // namespace

std::optional<std::string> find_executable(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    const std::string full = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(full.c_str(), X_OK) == 0) return full;
  }
  return std::nullopt;
}

QemuProcess::QemuProcess(const QemuOptions& options) : options_(options) {
  const auto qemu = find_executable(options.qemu);
  if (!qemu)
    throw std::runtime_error("'" + options.qemu + "' not found" +
                             (options.qemu.find('/') == std::string::npos ? " on PATH" : "") +
                             " (Debian package qemu-system-arm)");
  if (options.machine.empty()) throw std::invalid_argument("QemuOptions.machine: no QEMU machine given");
  if (!std::filesystem::is_regular_file(options.kernel))
    throw std::runtime_error("board image '" + options.kernel +
                             "' not found (the host build cross-builds it: build/<preset>/arm/<board>/boards/)");

  char tmpl[] = "/tmp/spindle-qemu-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = tmpl;
  const std::string sock_path = dir_ + "/uart.sock";
  const std::string err_path = dir_ + "/stderr.txt";

  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock_path.c_str(), sizeof addr.sun_path - 1);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 1) != 0) {
    const std::string e = std::strerror(errno);
    if (listener >= 0) ::close(listener);
    std::filesystem::remove_all(dir_);
    throw std::runtime_error("cannot listen on " + sock_path + ": " + e);
  }

  std::vector<std::string> args = {*qemu, "-M", options.machine, "-display", "none", "-monitor", "none",
                                   "-chardev", "socket,id=link,path=" + sock_path, "-serial", "chardev:link",
                                   "-semihosting-config", "enable=on,target=native", "-kernel", options.kernel};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(listener);
    std::filesystem::remove_all(dir_);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    // Its own process group: a terminal's Ctrl-C goes to the parent, which
    // stops the run and then the cores, not to QEMU in the middle of a tick.
    ::setpgid(0, 0);
    const int null_fd = ::open("/dev/null", O_RDWR);
    const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(err_fd >= 0 ? err_fd : null_fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }

  // QEMU connects to us once it has set up the machine.
  const auto deadline = Clock::now() + options.connect_timeout;
  while (socket_ < 0) {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      socket_ = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (socket_ >= 0) break;
    }
    std::string why;
    if (auto ended = exit_description()) why = "QEMU " + *ended;
    else if (Clock::now() > deadline)
      why = "QEMU did not connect within " + std::to_string(options.connect_timeout.count()) + " ms";
    if (!why.empty()) {
      ::close(listener);
      const std::string tail = stderr_tail();
      kill_and_reap();
      std::filesystem::remove_all(dir_);
      throw std::runtime_error(why + " (" + options.machine + ", " + options.kernel + ")" +
                               (tail.empty() ? "" : ": " + tail));
    }
  }
  ::close(listener);
  ::unlink(sock_path.c_str());
}

QemuProcess::~QemuProcess() {
  if (socket_ >= 0) ::close(socket_);
  kill_and_reap();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

int QemuProcess::take_socket() {
  const int fd = socket_;
  socket_ = -1;
  return fd;
}

std::optional<std::string> QemuProcess::exit_description(std::chrono::milliseconds wait) {
  if (ended_ || pid_ <= 0) return ended_;
  const auto deadline = Clock::now() + wait;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      ended_ = describe_status(status);
      return ended_;
    }
    if (r < 0 || Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void QemuProcess::kill_and_reap() {
  if (pid_ <= 0 || ended_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  ended_ = describe_status(status);
}

std::string QemuProcess::stderr_tail() const {
  std::ifstream in(dir_ + "/stderr.txt");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!all.empty() && (all.back() == '\n' || all.back() == ' ')) all.pop_back();
  constexpr size_t kTail = 400;
  return all.size() > kTail ? "..." + all.substr(all.size() - kTail) : all;
}

}  // namespace spindle::emu::remote
