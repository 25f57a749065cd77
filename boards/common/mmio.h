// Memory-mapped register access: one place for the volatile casts.
#pragma once

#include <cstdint>

namespace spindle::board {

inline volatile uint32_t& reg32(uintptr_t address) { return *reinterpret_cast<volatile uint32_t*>(address); }

}  // namespace spindle::board
