#include "cli/host_memory.h"

#include <sys/resource.h>

#include <fstream>
#include <sstream>
#include <string>

namespace spindle::cli {
namespace {

void consider(HostMemory& m, uint64_t bytes, const char* source) {
  if (bytes == 0) return;
  if (m.available_bytes == 0 || bytes < m.available_bytes) {
    m.available_bytes = bytes;
    m.limited_by = source;
  }
}

uint64_t read_number(const std::string& file) {
  std::ifstream in(file);
  std::string text;
  if (!(in >> text) || text == "max") return 0;
  try {
    return std::stoull(text);
  } catch (const std::exception&) {
    return 0;
  }
}

uint64_t mem_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

// cgroup v2: "0::/path" in /proc/self/cgroup.
uint64_t cgroup_room() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    const std::string dir = "/sys/fs/cgroup" + line.substr(3);
    const uint64_t max = read_number(dir + "/memory.max");
    if (max == 0) return 0;
    const uint64_t current = read_number(dir + "/memory.current");
    return max > current ? max - current : 1;
  }
  return 0;
}

uint64_t rlimit_bytes(int resource) {
  rlimit r{};
  if (getrlimit(resource, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return 0;
  return r.rlim_cur;
}

}  // namespace

HostMemory host_memory() {
  HostMemory m;
  consider(m, mem_available(), "MemAvailable");
  consider(m, cgroup_room(), "cgroup memory.max");
  consider(m, rlimit_bytes(RLIMIT_AS), "RLIMIT_AS (ulimit -v)");
  consider(m, rlimit_bytes(RLIMIT_DATA), "RLIMIT_DATA (ulimit -d)");
  return m;
}

}  // namespace spindle::cli
