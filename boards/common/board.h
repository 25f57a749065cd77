// What each board provides to the shared Cortex-M code (startup, self-test
// main). One implementation per board folder; no heap, no interrupts needed.
#pragma once

#include <cstdint>

namespace spindle::board {

// Brings up what the self-test uses: clocks (where the board needs them),
// the console UART and the microsecond timer.
void init();

// Blocking write to the console UART (the one QEMU's `-serial` shows).
void uart_write(const char* data, uint32_t size);
// Returns once everything written has left the UART, so nothing is lost when
// the program exits right after.
void uart_flush();
// Non-blocking read from the console UART (the host link's receive side):
// true and the byte if one has arrived.
bool uart_read(uint8_t& byte);
// Lets a received byte wake the core from WFI (its interrupt enabled in the
// UART and the NVIC, but masked by PRIMASK so no handler runs), for
// uart_wait_for_input().
void uart_enable_rx_wakeup();
// Sleeps (WFI) until the UART has a byte, or returns at once if one is
// waiting; so an idle core server does not spin (under QEMU, a spinning
// guest takes a host CPU for nothing).
void uart_wait_for_input();

// NVIC registers (ARMv7-M), for the wake-up interrupts.
inline constexpr uintptr_t kNvicIser = 0xE000E100;
inline constexpr uintptr_t kNvicIcpr = 0xE000E280;

// Free-running microsecond counter, wrapping at 2^32.
uint32_t timer_us();

}  // namespace spindle::board
