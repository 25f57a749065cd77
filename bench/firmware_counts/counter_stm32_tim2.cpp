// Instruction counter on the STM32F405's TIM2. QEMU 7.2 clocks TIM2 at a
// fixed 1 GHz (boards/netduinoplus2/drivers.h), so with the prescaler at 1
// CNT counts nanoseconds of virtual time, and under -icount shift=0 one
// nanosecond is one instruction. On silicon it would count 16 MHz cycles:
// the counting image is for QEMU only.
#include "instruction_counter.h"
#include "mmio.h"

namespace spindle::bench {
namespace {

using board::reg32;
constexpr uintptr_t kTim2 = 0x40000000;
constexpr uintptr_t kCr1 = kTim2 + 0x00;
constexpr uintptr_t kEgr = kTim2 + 0x14;
constexpr uintptr_t kCnt = kTim2 + 0x24;
constexpr uintptr_t kPsc = kTim2 + 0x28;
constexpr uintptr_t kArr = kTim2 + 0x2C;

}  // namespace

void counter_start() {
  reg32(kCr1) = 0;
  reg32(kPsc) = 0;  // divide by 1
  reg32(kArr) = 0xFFFFFFFFu;
  reg32(kEgr) = 1;  // load PSC now
  reg32(kCnt) = 0;
  reg32(kCr1) = 1;
}

uint32_t counter_read() { return reg32(kCnt); }

}  // namespace spindle::bench
