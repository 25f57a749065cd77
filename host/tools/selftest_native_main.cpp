// spindle-selftest-native BUNDLE TICKS: runs the board self-test natively,
// printing exactly what the board prints on its UART.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

#include "selftest/selftest.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: spindle-selftest-native BUNDLE TICKS\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "spindle-selftest-native: cannot read %s\n", argv[1]);
    return 2;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Word-aligned copy, as the boards hold it.
  std::vector<uint32_t> words((bytes.size() + 3) / 4);
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(words.data()));
  char* end = nullptr;
  const unsigned long ticks = std::strtoul(argv[2], &end, 10);
  if (*end != '\0') {
    std::fprintf(stderr, "spindle-selftest-native: TICKS must be a number, got '%s'\n", argv[2]);
    return 2;
  }
  return spindle::fw::run_selftest(reinterpret_cast<const uint8_t*>(words.data()), static_cast<uint32_t>(bytes.size()),
                                   static_cast<uint32_t>(ticks),
                                   [](const char* d, uint32_t n) { std::fwrite(d, 1, n, stdout); }, nullptr);
}
