// mps2-an386 peripherals, as QEMU 7.2 and the AN386 FPGA image lay them out.
#pragma once

#include <cstdint>

namespace spindle::board {

inline constexpr uint32_t kPeripheralClockHz = 25000000;  // PCLK = system clock

void uart_init();
void timer_init();

}  // namespace spindle::board
