// One qemu-system-arm process running a board image, its console UART
// connected to a Unix socket this object listens on. The process is killed
// and reaped, and its socket directory removed, on destruction; the child
// also dies with its parent (PR_SET_PDEATHSIG), so none outlives a crash.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace spindle::emu::remote {

struct QemuOptions {
  std::string qemu = "qemu-system-arm";  // a path, or a name looked up on PATH
  std::string machine;                   // QEMU -M value (the board manifest's qemu_machine)
  std::string kernel;                    // the ELF image (spindle-core-<board>.elf)
  std::vector<std::string> extra_args;
  std::chrono::milliseconds connect_timeout{15000};
};

class QemuProcess {
 public:
  // Throws std::runtime_error naming what is missing (qemu-system-arm, the
  // kernel) or why QEMU did not come up (its exit status and stderr).
  explicit QemuProcess(const QemuOptions& options);
  ~QemuProcess();
  QemuProcess(const QemuProcess&) = delete;
  QemuProcess& operator=(const QemuProcess&) = delete;

  // The connected socket (owned by the caller from then on).
  int take_socket();
  pid_t pid() const { return pid_; }
  // How the process ended ("exited with status 1", "killed by signal 9"),
  // waiting up to `wait` for it; nullopt while it runs.
  std::optional<std::string> exit_description(std::chrono::milliseconds wait = std::chrono::milliseconds(0));
  // The last lines QEMU wrote to stderr.
  std::string stderr_tail() const;
  const QemuOptions& options() const { return options_; }

 private:
  void kill_and_reap();

  QemuOptions options_;
  std::string dir_;
  pid_t pid_ = -1;
  int socket_ = -1;
  std::optional<std::string> ended_;
};

// The qemu-system-arm a name resolves to on PATH, or nullopt.
std::optional<std::string> find_executable(const std::string& name);

}  // namespace spindle::emu::remote
