// mps2-an386 vector table: the 16 ARMv7-M core exceptions and the board's 32
// external interrupts (QEMU's AN385/AN386 NVIC). The code behind it is shared.
#include "startup.h"

namespace {

constexpr uint32_t kExternalInterrupts = 32;
constexpr uint32_t kVectorCount = spindle::board::kCoreVectorCount + kExternalInterrupts;

struct VectorTable {
  uint32_t* initial_sp;
  SpindleHandler handlers[kVectorCount - 1];
};

constexpr VectorTable make_vectors() {
  VectorTable t{__stack_top, {}};
  t.handlers[0] = spindle_reset_handler;
  for (uint32_t i = 1; i < kVectorCount - 1; ++i) t.handlers[i] = spindle_fault_handler;
  return t;
}

}  // namespace

// The CPU reads this at reset from address 0 (VTOR's reset value).
__attribute__((section(".isr_vector"), used)) constinit const VectorTable spindle_vectors = make_vectors();
