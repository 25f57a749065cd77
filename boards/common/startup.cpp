#include "startup.h"

#include "mmio.h"
#include "semihosting.h"

// Symbols from sections.ld.
extern "C" {
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern SpindleHandler __preinit_array_start[], __preinit_array_end[];
extern SpindleHandler __init_array_start[], __init_array_end[];
int main();
}

namespace {

constexpr uintptr_t kCpacr = 0xE000ED88;               // Coprocessor Access Control
constexpr uint32_t kCpacrCp10Cp11Full = 0xFu << 20;   // CP10+CP11 (the FPU): full access

// Before anything that could touch an FP register: code built with
// -mfloat-abi=hard may use them anywhere, and they fault while disabled.
__attribute__((always_inline)) inline void enable_fpu() {
  spindle::board::reg32(kCpacr) |= kCpacrCp10Cp11Full;
  asm volatile("dsb\n\tisb" ::: "memory");
}

void run_all(SpindleHandler* begin, SpindleHandler* end) {
  for (SpindleHandler* f = begin; f != end; ++f) (*f)();
}

}  // namespace

extern "C" void spindle_reset_handler() {
  enable_fpu();
  // Word loops: the linker script keeps both sections 4-byte aligned and sized.
  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) *dst++ = *src++;
  for (uint32_t* dst = __bss_start; dst < __bss_end;) *dst++ = 0;
  run_all(__preinit_array_start, __preinit_array_end);
  run_all(__init_array_start, __init_array_end);
  spindle::board::semihosting_exit(static_cast<uint32_t>(main()));
}

extern "C" void spindle_fault_handler() {
  uint32_t ipsr;
  asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  spindle::board::semihosting_exit(spindle::board::kFaultExitBase + (ipsr & 0x1FFu));
}
