// The board image's program: the firmware self-test on the embedded bundle,
// printed on the console UART. The same run_selftest() runs natively in
// spindle-selftest-native; the QEMU tests compare the two outputs.
#include <cstdint>

#include "board.h"
#include "cortex_m_platform.h"
#include "selftest/selftest.h"

#ifndef SPINDLE_SELFTEST_TICKS
#error "SPINDLE_SELFTEST_TICKS must be defined by the board build"
#endif

// The bundle, embedded by bundle.S.
extern "C" const uint8_t spindle_bundle_start[];
extern "C" const uint8_t spindle_bundle_end[];

#ifndef SPINDLE_SELFTEST_MAX_CORES
#error "SPINDLE_SELFTEST_MAX_CORES must be defined by the board build"
#endif

namespace {
spindle::board::CortexMPlatform g_platforms[SPINDLE_SELFTEST_MAX_CORES];
}  // namespace

int main() {
  spindle::board::init();
  const auto size = static_cast<uint32_t>(spindle_bundle_end - spindle_bundle_start);
  spindle::fw::OutboxPlatform* platforms[SPINDLE_SELFTEST_MAX_CORES];
  for (uint32_t i = 0; i < SPINDLE_SELFTEST_MAX_CORES; ++i) platforms[i] = &g_platforms[i];
  const int status = spindle::fw::run_selftest(spindle_bundle_start, size, SPINDLE_SELFTEST_TICKS,
                                               spindle::board::uart_write, platforms, SPINDLE_SELFTEST_MAX_CORES);
  spindle::board::uart_flush();
  return status;
}
