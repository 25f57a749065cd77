// Console on USART1 (TX on PA9, RX on PA10, alternate function 7). QEMU 7.2's
// stm32f405 SoC connects its first -serial to USART1 (0x40011000).
#include "board.h"
#include "drivers.h"
#include "mmio.h"

namespace spindle::board {
namespace {

constexpr uintptr_t kUsart1 = 0x40011000;
constexpr uintptr_t kSr = kUsart1 + 0x00;
constexpr uintptr_t kDr = kUsart1 + 0x04;
constexpr uintptr_t kBrr = kUsart1 + 0x08;
constexpr uintptr_t kCr1 = kUsart1 + 0x0C;

constexpr uint32_t kSrTxEmpty = 1u << 7;
constexpr uint32_t kSrTxComplete = 1u << 6;
constexpr uint32_t kSrRxNotEmpty = 1u << 5;
constexpr uint32_t kCr1Enable = 1u << 13;
constexpr uint32_t kCr1TxEnable = 1u << 3;
constexpr uint32_t kCr1RxEnable = 1u << 2;
constexpr uint32_t kCr1RxInterrupt = 1u << 5;  // RXNEIE
constexpr uint32_t kUsart1Irq = 37;

constexpr uint32_t kBaudRate = 115200;
// 16x oversampling: BRR holds PCLK2 / baud as 12.4 fixed point, rounded
// (84 MHz: 729.2 -> 729, 0.03% fast; 16 MHz: 138.9 -> 139, 0.08% slow).
constexpr uint32_t brr_value(uint32_t pclk2_hz) { return (pclk2_hz + kBaudRate / 2) / kBaudRate; }
static_assert(brr_value(kPllHz / 2) == 729 && brr_value(kHsiHz) == 139);

constexpr uintptr_t kGpioA = 0x40020000;
constexpr uintptr_t kGpioAModer = kGpioA + 0x00;
constexpr uintptr_t kGpioAAfrH = kGpioA + 0x24;
constexpr uint32_t kRccAhb1GpioA = 1u << 0;
constexpr uint32_t kRccApb2Usart1 = 1u << 4;
constexpr uint32_t kModerAlternate = 2;
constexpr uint32_t kAfUsart1 = 7;
constexpr uint32_t kTxPin = 9;
constexpr uint32_t kRxPin = 10;

void pin_to_usart(uint32_t pin) {
  reg32(kGpioAModer) = (reg32(kGpioAModer) & ~(3u << (2 * pin))) | (kModerAlternate << (2 * pin));
  const uint32_t shift = 4 * (pin - 8);  // AFRH holds pins 8..15
  reg32(kGpioAAfrH) = (reg32(kGpioAAfrH) & ~(0xFu << shift)) | (kAfUsart1 << shift);
}

}  // namespace

void uart_init() {
  reg32(kRccAhb1Enr) |= kRccAhb1GpioA;
  reg32(kRccApb2Enr) |= kRccApb2Usart1;
  pin_to_usart(kTxPin);
  pin_to_usart(kRxPin);
  reg32(kBrr) = brr_value(clocks().pclk2_hz);
  reg32(kCr1) = kCr1Enable | kCr1TxEnable | kCr1RxEnable;
}

void uart_write(const char* data, uint32_t size) {
  for (uint32_t i = 0; i < size; ++i) {
    while (!(reg32(kSr) & kSrTxEmpty)) {
    }
    reg32(kDr) = static_cast<uint8_t>(data[i]);
  }
}

void uart_flush() {
  while (!(reg32(kSr) & kSrTxComplete)) {
  }
}

// Polled: the link protocol is request/reply, so the host never sends while
// the core is busy. Reading SR then DR also clears an overrun flag; a byte
// lost to an overrun shows up as a bad frame, which the protocol retries.
bool uart_read(uint8_t& byte) {
  if (!(reg32(kSr) & kSrRxNotEmpty)) return false;
  byte = static_cast<uint8_t>(reg32(kDr));
  return true;
}

void uart_enable_rx_wakeup() {
  asm volatile("cpsid i" ::: "memory");
  reg32(kCr1) = reg32(kCr1) | kCr1RxInterrupt;
  reg32(kNvicIser + 4 * (kUsart1Irq / 32)) = 1u << (kUsart1Irq % 32);
}

// RXNE holds the USART's interrupt line high until DR is read; the NVIC
// keeps it pending. Clear, then look, then sleep: no byte is missed.
void uart_wait_for_input() {
  reg32(kNvicIcpr + 4 * (kUsart1Irq / 32)) = 1u << (kUsart1Irq % 32);
  if (reg32(kSr) & kSrRxNotEmpty) return;
  asm volatile("dsb\n\twfi" ::: "memory");
}

}  // namespace spindle::board
