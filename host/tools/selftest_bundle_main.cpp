// spindle-selftest-bundle NETWORK OUT [--seed N]: writes the bundle of core
// images a board's self-test firmware embeds.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

#include "tools/selftest_networks.h"

int main(int argc, char** argv) {
  if (argc != 3 && !(argc == 5 && std::string(argv[3]) == "--seed")) {
    std::fprintf(stderr, "usage: spindle-selftest-bundle NETWORK OUT [--seed N]\n");
    return 2;
  }
  try {
    const uint64_t seed = argc == 5 ? std::stoull(argv[4]) : 12345;
    const auto bundle = spindle::host::make_bundle(spindle::host::selftest_network(argv[1], seed));
    std::ofstream out(argv[2], std::ios::binary);
    out.write(reinterpret_cast<const char*>(bundle.data()), static_cast<std::streamsize>(bundle.size()));
    if (!out) {
      std::fprintf(stderr, "spindle-selftest-bundle: cannot write %s\n", argv[2]);
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spindle-selftest-bundle: %s\n", e.what());
    return 2;
  }
  return 0;
}
