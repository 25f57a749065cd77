// Microsecond counter from CMSDK APB timer 0: a 32-bit down-counter at PCLK
// with no prescaler, so it wraps every 2^32 / 25 MHz = 171 s and its ticks are
// not microseconds. timer_us() accumulates elapsed ticks in software; it must
// be called at least once per wrap (the core calls it every timestep).
#include "board.h"
#include "drivers.h"
#include "mmio.h"

namespace spindle::board {
namespace {

constexpr uintptr_t kTimer0 = 0x40000000;
constexpr uintptr_t kCtrl = kTimer0 + 0x00;
constexpr uintptr_t kValue = kTimer0 + 0x04;
constexpr uintptr_t kReload = kTimer0 + 0x08;

constexpr uint32_t kCtrlEnable = 1u << 0;
constexpr uint32_t kTicksPerUs = kPeripheralClockHz / 1000000;
static_assert(kTicksPerUs * 1000000 == kPeripheralClockHz, "PCLK must be a whole number of MHz");

uint32_t g_last_value = 0;  // timer value at the previous read
uint32_t g_us = 0;          // microseconds so far (wraps at 2^32)
uint32_t g_sub_us = 0;      // ticks not yet counted as a whole microsecond

}  // namespace

void timer_init() {
  reg32(kCtrl) = 0;
  reg32(kReload) = 0xFFFFFFFFu;
  reg32(kValue) = 0xFFFFFFFFu;
  g_last_value = 0xFFFFFFFFu;
  reg32(kCtrl) = kCtrlEnable;
}

uint32_t timer_us() {
  const uint32_t now = reg32(kValue);
  const uint32_t elapsed = g_last_value - now;  // down-counter; modular across one wrap
  g_last_value = now;
  g_us += elapsed / kTicksPerUs;
  g_sub_us += elapsed % kTicksPerUs;
  if (g_sub_us >= kTicksPerUs) {
    g_sub_us -= kTicksPerUs;
    ++g_us;
  }
  return g_us;
}

}  // namespace spindle::board
