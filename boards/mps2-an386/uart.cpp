// Console on CMSDK APB UART0 (QEMU's first -serial).
#include "board.h"
#include "drivers.h"
#include "mmio.h"

namespace spindle::board {
namespace {

constexpr uintptr_t kUart0 = 0x40004000;
constexpr uintptr_t kData = kUart0 + 0x00;
constexpr uintptr_t kState = kUart0 + 0x04;
constexpr uintptr_t kCtrl = kUart0 + 0x08;
constexpr uintptr_t kBaudDiv = kUart0 + 0x10;

constexpr uint32_t kStateTxFull = 1u << 0;
constexpr uint32_t kStateRxFull = 1u << 1;
constexpr uint32_t kCtrlTxEnable = 1u << 0;
constexpr uint32_t kCtrlRxEnable = 1u << 1;
constexpr uint32_t kCtrlRxInterrupt = 1u << 3;
constexpr uintptr_t kIntClear = kUart0 + 0x0C;
constexpr uint32_t kIntRx = 1u << 1;
constexpr uint32_t kUart0RxIrq = 0;  // AN385/AN386: UART0 receive is IRQ 0
constexpr uint32_t kBaudRate = 115200;
constexpr uint32_t kMinBaudDiv = 16;  // the CMSDK UART's lower limit
constexpr uint32_t kBaudDivValue = kPeripheralClockHz / kBaudRate;
static_assert(kBaudDivValue >= kMinBaudDiv);

}  // namespace

void uart_init() {
  reg32(kBaudDiv) = kBaudDivValue;
  reg32(kCtrl) = kCtrlTxEnable | kCtrlRxEnable;
}

void uart_write(const char* data, uint32_t size) {
  for (uint32_t i = 0; i < size; ++i) {
    while (reg32(kState) & kStateTxFull) {
    }
    reg32(kData) = static_cast<uint8_t>(data[i]);
  }
}

// The CMSDK UART has no "transmitter idle" flag; an empty buffer is the best
// it tells. Under QEMU that means the byte has been handed to the chardev.
void uart_flush() {
  while (reg32(kState) & kStateTxFull) {
  }
}

// Polled: the link protocol is request/reply, so the host never sends while
// the core is busy and the one-byte receive buffer is enough.
bool uart_read(uint8_t& byte) {
  if (!(reg32(kState) & kStateRxFull)) return false;
  byte = static_cast<uint8_t>(reg32(kData));
  return true;
}

void uart_enable_rx_wakeup() {
  asm volatile("cpsid i" ::: "memory");
  reg32(kCtrl) = reg32(kCtrl) | kCtrlRxInterrupt;
  reg32(kNvicIser + 4 * (kUart0RxIrq / 32)) = 1u << (kUart0RxIrq % 32);
}

// Clear first, then look: a byte arriving after the look leaves the
// interrupt pending, and WFI returns at once.
void uart_wait_for_input() {
  reg32(kIntClear) = kIntRx;
  reg32(kNvicIcpr + 4 * (kUart0RxIrq / 32)) = 1u << (kUart0RxIrq % 32);
  if (reg32(kState) & kStateRxFull) return;
  asm volatile("dsb\n\twfi" ::: "memory");
}

}  // namespace spindle::board
