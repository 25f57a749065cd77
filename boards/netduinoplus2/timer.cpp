// Microsecond counter from TIM2, the STM32F405's 32-bit general-purpose timer:
// prescaled to 1 MHz and free-running over the full 32 bits, so CNT is the
// microsecond count and wraps exactly as timer_us() should.
#include "board.h"
#include "drivers.h"
#include "mmio.h"

namespace spindle::board {
namespace {

constexpr uintptr_t kTim2 = 0x40000000;
constexpr uintptr_t kCr1 = kTim2 + 0x00;
constexpr uintptr_t kEgr = kTim2 + 0x14;
constexpr uintptr_t kCnt = kTim2 + 0x24;
constexpr uintptr_t kPsc = kTim2 + 0x28;
constexpr uintptr_t kArr = kTim2 + 0x2C;

constexpr uint32_t kCr1CounterEnable = 1u << 0;
constexpr uint32_t kEgrUpdate = 1u << 0;  // loads PSC now rather than at the next overflow
constexpr uint32_t kRccApb1Tim2 = 1u << 0;
constexpr uint32_t kCountHz = 1000000;
constexpr uint32_t kMaxPrescale = 0x10000;  // PSC is 16 bits and divides by PSC + 1
static_assert(kHsiHz / kCountHz <= kMaxPrescale && kPllHz / 2 / kCountHz <= kMaxPrescale &&
              kQemuTimerClockHz / kCountHz <= kMaxPrescale);

}  // namespace

void timer_init() {
  reg32(kRccApb1Enr) |= kRccApb1Tim2;
  // QEMU ignores the RCC and clocks its timers at a fixed rate.
  const uint32_t clock_hz = running_on_silicon() ? clocks().apb1_timer_hz : kQemuTimerClockHz;
  reg32(kCr1) = 0;
  reg32(kPsc) = clock_hz / kCountHz - 1;
  reg32(kArr) = 0xFFFFFFFFu;
  reg32(kEgr) = kEgrUpdate;
  reg32(kCnt) = 0;
  reg32(kCr1) = kCr1CounterEnable;
}

uint32_t timer_us() { return reg32(kCnt); }

}  // namespace spindle::board
