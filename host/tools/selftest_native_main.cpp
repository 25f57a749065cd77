// spindle-selftest-native BUNDLE TICKS: runs the board self-test natively,
// printing exactly what the board prints on its UART.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "platform/native_platform.h"
#include "selftest/selftest.h"

// As many platforms as the largest board self-test (mps2-an386) runs cores.
constexpr uint32_t kPlatforms = 8;

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
  std::vector<std::unique_ptr<spindle::fw::NativePlatform>> owned;
  std::vector<spindle::fw::OutboxPlatform*> platforms;
  for (uint32_t i = 0; i < kPlatforms; ++i) {
    owned.push_back(std::make_unique<spindle::fw::NativePlatform>());
    platforms.push_back(owned.back().get());
  }
  return spindle::fw::run_selftest(reinterpret_cast<const uint8_t*>(words.data()), static_cast<uint32_t>(bytes.size()),
                                   static_cast<uint32_t>(ticks),
                                   [](const char* d, uint32_t n) { std::fwrite(d, 1, n, stdout); }, platforms.data(),
                                   kPlatforms);
}
