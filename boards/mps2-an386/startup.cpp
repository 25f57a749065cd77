// mps2-an386 vector table: the 16 ARMv7-M core exceptions and the board's 32
// external interrupts (QEMU's AN385/AN386 NVIC). The code behind it is shared.
#include "vector_table.h"

// The CPU reads this at reset from address 0 (VTOR's reset value).
__attribute__((section(".isr_vector"), used)) constinit const spindle::board::VectorTable<32> spindle_vectors =
    spindle::board::make_vectors<32>();
