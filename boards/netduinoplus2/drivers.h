// netduinoplus2 (STM32F405) peripherals and clocks (RM0090).
#pragma once

#include <cstdint>

#include "mmio.h"

namespace spindle::board {

inline constexpr uintptr_t kRcc = 0x40023800;
inline constexpr uintptr_t kRccCr = kRcc + 0x00;
inline constexpr uintptr_t kRccAhb1Enr = kRcc + 0x30;
inline constexpr uintptr_t kRccApb1Enr = kRcc + 0x40;
inline constexpr uintptr_t kRccApb2Enr = kRcc + 0x44;

// clock_init() (clock.cpp) runs the part at 168 MHz from the PLL, fed by the
// 25 MHz HSE crystal of the Netduino 2 family (or the 16 MHz HSI if the
// crystal does not start), or stays on the 16 MHz HSI it resets to if the PLL
// does not lock. QEMU 7.2 does not model the RCC (its registers read as zero)
// and clocks TIM2..5 at a fixed 1 GHz (its stm32f405_soc.c; later QEMU
// versions changed this to 48 MHz, which would make timer_us() run 20x slow).
inline constexpr uint32_t kHsiHz = 16000000;
inline constexpr uint32_t kHseHz = 25000000;
inline constexpr uint32_t kPllHz = 168000000;
inline constexpr uint32_t kQemuTimerClockHz = 1000000000;
inline constexpr uint32_t kRccCrHsiReady = 1u << 1;

// True on silicon (HSIRDY is set out of reset), false under QEMU.
inline bool running_on_silicon() {
  return (reg32(kRccCr) & kRccCrHsiReady) != 0;
}

// What clock_init() reached: SYSCLK, the APB1 and APB2 bus clocks, and the
// clock of the APB1 timers (TIM2), twice APB1's when APB1 is divided.
struct Clocks {
  uint32_t sysclk_hz, pclk1_hz, pclk2_hz, apb1_timer_hz;
};

// spindle_clock_status bits (set once by clock_init(); 0 before it ran).
inline constexpr uint32_t kClockOnPll = 1u << 0;          // SYSCLK is the PLL's 168 MHz
inline constexpr uint32_t kClockPllFromHse = 1u << 1;     // ... fed by the crystal (else the HSI)
inline constexpr uint32_t kClockHseReady = 1u << 2;       // the crystal started
inline constexpr uint32_t kClockHseTimeout = 1u << 8;     // it did not: PLL fed by the HSI
inline constexpr uint32_t kClockPllTimeout = 1u << 9;     // PLL did not lock: HSI 16 MHz
inline constexpr uint32_t kClockSwitchTimeout = 1u << 10; // switch not confirmed: HSI 16 MHz

void clock_init();
const Clocks& clocks();
void uart_init();
void timer_init();

}  // namespace spindle::board
