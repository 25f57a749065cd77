// The vector table every board places at its reset address: the initial stack
// pointer, the shared reset handler, and the shared fault handler for every
// other exception and interrupt (the firmware polls; it enables none). A board
// only says how many external interrupts its NVIC has.
#pragma once

#include "startup.h"

namespace spindle::board {

template <uint32_t ExternalInterrupts>
struct VectorTable {
  static constexpr uint32_t kCount = kCoreVectorCount + ExternalInterrupts;
  uint32_t* initial_sp;
  SpindleHandler handlers[kCount - 1];
};

template <uint32_t ExternalInterrupts>
constexpr VectorTable<ExternalInterrupts> make_vectors() {
  VectorTable<ExternalInterrupts> t{__stack_top, {}};
  t.handlers[0] = spindle_reset_handler;
  for (uint32_t i = 1; i < VectorTable<ExternalInterrupts>::kCount - 1; ++i) t.handlers[i] = spindle_fault_handler;
  return t;
}

}  // namespace spindle::board
