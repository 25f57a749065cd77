// netduinoplus2 (STM32F405) vector table: the 16 ARMv7-M core exceptions and
// the part's 82 external interrupts (RM0090). The code behind it is shared.
#include "vector_table.h"

// At the start of flash, which the part aliases at 0 when booting from flash.
__attribute__((section(".isr_vector"), used)) constinit const spindle::board::VectorTable<82> spindle_vectors =
    spindle::board::make_vectors<82>();
