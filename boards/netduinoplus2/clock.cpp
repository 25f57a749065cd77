// STM32F405 clock tree (RM0090 section 6): SYSCLK 168 MHz from the main PLL
// fed by the HSE crystal, AHB 168 MHz, APB1 42 MHz (its maximum), APB2
// 84 MHz (its maximum), flash at 5 wait states (168 MHz at 2.7-3.6 V).
//
// Every ready-bit wait has a bound. If the crystal does not start, the PLL is
// fed from the 16 MHz HSI instead (same 168 MHz); if the PLL does not lock or
// the switch is not confirmed, the part stays on the HSI at 16 MHz. The
// outcome is in spindle_clock_status (docs/boards.md, "Clocks"). QEMU 7.2
// does not model the RCC (its registers read as zero, writes are ignored),
// so under QEMU both waits time out and the image runs on the HSI path: that
// is the fallback the QEMU tests exercise.
#include "drivers.h"
#include "mmio.h"

// Read with a debugger (`mdw` on the symbol's address in OpenOCD, or
// `print/x spindle_clock_status` in gdb); kClock* bits in drivers.h.
extern "C" {
volatile uint32_t spindle_clock_status = 0;
}

namespace spindle::board {
namespace {

constexpr uintptr_t kRccPllCfgr = kRcc + 0x04;
constexpr uintptr_t kRccCfgr = kRcc + 0x08;
constexpr uintptr_t kFlashAcr = 0x40023C00;
constexpr uintptr_t kPwrCr = 0x40007000;

constexpr uint32_t kCrHseOn = 1u << 16;
constexpr uint32_t kCrHseReady = 1u << 17;
constexpr uint32_t kCrPllOn = 1u << 24;
constexpr uint32_t kCrPllReady = 1u << 25;
constexpr uint32_t kPllSourceHse = 1u << 22;
constexpr uint32_t kCfgrSwMask = 3u;
constexpr uint32_t kCfgrSwPll = 2u;
constexpr uint32_t kCfgrSwsPll = 2u << 2;
constexpr uint32_t kCfgrSwsMask = 3u << 2;
constexpr uint32_t kCfgrHpreShift = 4, kCfgrPpre1Shift = 10, kCfgrPpre2Shift = 13;
constexpr uint32_t kPpreDiv2 = 4, kPpreDiv4 = 5;  // PPRE encodings
constexpr uint32_t kRccApb1Pwr = 1u << 28;
constexpr uint32_t kPwrCrVosScale1 = 1u << 14;  // needed above 144 MHz
constexpr uint32_t kFlashLatency5 = 5;
constexpr uint32_t kFlashPrefetch = 1u << 8, kFlashICache = 1u << 9, kFlashDCache = 1u << 10;

// PLL: VCO input = source / M = 1 MHz (the datasheet's 1-2 MHz, 2 MHz
// recommended for jitter but 1 MHz keeps M = the crystal's MHz), VCO = 336
// MHz, SYSCLK = VCO / P = 168 MHz, 48 MHz clock = VCO / Q.
constexpr uint32_t kPllN = 336, kPllP = 2, kPllQ = 7;
constexpr uint32_t kPllMHse = kHseHz / 1000000, kPllMHsi = kHsiHz / 1000000;
static_assert(kHseHz / kPllMHse * kPllN / kPllP == kPllHz && kHsiHz / kPllMHsi * kPllN / kPllP == kPllHz);
static_assert(kHseHz / kPllMHse * kPllN / kPllQ == 48000000);

// About 25 ms at 16 MHz (a few cycles per poll): the HSE's start-up is at
// most 2 ms, the PLL's lock 0.1 ms. Under QEMU it costs each wait 100k
// polls once, at boot.
constexpr uint32_t kReadyPolls = 100000;

bool wait_for(uintptr_t reg, uint32_t mask, uint32_t value) {
  for (uint32_t i = 0; i < kReadyPolls; ++i)
    if ((reg32(reg) & mask) == value) return true;
  return false;
}

constexpr uint32_t pllcfgr(uint32_t m, uint32_t source) {
  return m | (kPllN << 6) | ((kPllP / 2 - 1) << 16) | source | (kPllQ << 24);
}

constinit Clocks g_clocks{kHsiHz, kHsiHz, kHsiHz, kHsiHz};

}  // namespace

void clock_init() {
  uint32_t status = 0;
  reg32(kRccCr) |= kCrHseOn;
  uint32_t source = kPllSourceHse, m = kPllMHse;
  if (wait_for(kRccCr, kCrHseReady, kCrHseReady)) {
    status |= kClockHseReady;
  } else {
    status |= kClockHseTimeout;
    reg32(kRccCr) &= ~kCrHseOn;
    source = 0;  // PLLSRC = HSI
    m = kPllMHsi;
  }
  reg32(kRccApb1Enr) |= kRccApb1Pwr;
  reg32(kPwrCr) |= kPwrCrVosScale1;
  reg32(kRccPllCfgr) = pllcfgr(m, source);
  reg32(kRccCr) |= kCrPllOn;
  if (!wait_for(kRccCr, kCrPllReady, kCrPllReady)) {
    reg32(kRccCr) &= ~kCrPllOn;
    spindle_clock_status = status | kClockPllTimeout;
    return;  // g_clocks stay at the HSI's 16 MHz, prescalers at 1
  }
  // Slow the buses and the flash before the core speeds up.
  reg32(kFlashAcr) = kFlashLatency5 | kFlashPrefetch | kFlashICache | kFlashDCache;
  reg32(kRccCfgr) = (0u << kCfgrHpreShift) | (kPpreDiv4 << kCfgrPpre1Shift) | (kPpreDiv2 << kCfgrPpre2Shift);
  reg32(kRccCfgr) = (reg32(kRccCfgr) & ~kCfgrSwMask) | kCfgrSwPll;
  if (!wait_for(kRccCfgr, kCfgrSwsMask, kCfgrSwsPll)) {
    reg32(kRccCfgr) = 0;  // back to the HSI, prescalers 1
    spindle_clock_status = status | kClockSwitchTimeout;
    return;
  }
  // APB timers run at twice their bus clock when the bus is divided.
  g_clocks = Clocks{kPllHz, kPllHz / 4, kPllHz / 2, kPllHz / 2};
  spindle_clock_status = status | kClockOnPll | (source == kPllSourceHse ? kClockPllFromHse : 0u);
}

const Clocks& clocks() { return g_clocks; }

}  // namespace spindle::board
