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

// The image does not touch the PLL: silicon runs from the 16 MHz HSI it
// resets to, with APB1/APB2 undivided, so peripheral and timer clocks are
// 16 MHz. QEMU 7.2 does not model the RCC (its registers read as zero) and
// clocks TIM2..5 at a fixed 1 GHz (its stm32f405_soc.c; later QEMU versions
// changed this to 48 MHz, which would make timer_us() run 20x slow).
inline constexpr uint32_t kHsiHz = 16000000;
inline constexpr uint32_t kQemuTimerClockHz = 1000000000;
inline constexpr uint32_t kRccCrHsiReady = 1u << 1;

// True on silicon (HSIRDY is set out of reset), false under QEMU.
inline bool running_on_silicon() {
  return (reg32(kRccCr) & kRccCrHsiReady) != 0;
}

void uart_init();
void timer_init();

}  // namespace spindle::board
