// Memory this process may still use: the least of the kernel's
// MemAvailable, the room left under its cgroup's memory.max, and its
// RLIMIT_AS / RLIMIT_DATA. What `spindle run` compares a network's
// estimate with before mapping it.
#pragma once

#include <cstdint>
#include <string>

namespace spindle::cli {

struct HostMemory {
  uint64_t available_bytes = 0;  // 0: unknown
  std::string limited_by;        // "MemAvailable", "cgroup memory.max", "RLIMIT_AS", ...
};

HostMemory host_memory();

}  // namespace spindle::cli
