// Shared Cortex-M start-up; each board's startup.cpp instantiates the
// vector table of vector_table.h with its interrupt count.
#pragma once

#include <cstdint>

extern "C" {

using SpindleHandler = void (*)();

// Top of the stack, from the linker script (sections.ld).
extern uint32_t __stack_top[];

// Reset: enables the FPU, copies .data, zeroes .bss, runs static
// constructors, calls main() and exits through semihosting with its status.
[[noreturn]] void spindle_reset_handler();

// Every other exception and interrupt (none are enabled): exits with
// kFaultExitBase + the exception number, so a crash under QEMU is reported at
// once instead of running into the test's timeout.
[[noreturn]] void spindle_fault_handler();

}

namespace spindle::board {

inline constexpr uint32_t kFaultExitBase = 0x80;
// Core exceptions before the first external interrupt (ARMv7-M).
inline constexpr uint32_t kCoreVectorCount = 16;

}  // namespace spindle::board
