// The board image's program: the firmware self-test on the embedded bundle,
// printed on the console UART. The same run_selftest() runs natively in
// spindle-selftest-native; the QEMU tests compare the two outputs.
#include <cstdint>

#include "board.h"
#include "selftest/selftest.h"

#ifndef SPINDLE_SELFTEST_TICKS
#error "SPINDLE_SELFTEST_TICKS must be defined by the board build"
#endif

// The bundle, embedded by bundle.S.
extern "C" const uint8_t spindle_bundle_start[];
extern "C" const uint8_t spindle_bundle_end[];

int main() {
  spindle::board::init();
  const auto size = static_cast<uint32_t>(spindle_bundle_end - spindle_bundle_start);
  const int status = spindle::fw::run_selftest(spindle_bundle_start, size, SPINDLE_SELFTEST_TICKS,
                                               spindle::board::uart_write, spindle::board::timer_us);
  spindle::board::uart_flush();
  return status;
}
