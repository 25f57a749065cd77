// A counter that advances once per executed instruction when the image runs
// under QEMU with `-icount shift=0` (virtual time: 1 ns per instruction),
// read from a board timer clocked at 1 GHz in QEMU. One implementation per
// board that has such a timer (see board.cmake, SPINDLE_BOARD_INSTRUCTION_COUNTER).
#pragma once

#include <cstdint>

namespace spindle::bench {

// Starts the counter (after board::init(), which it may reconfigure).
void counter_start();
uint32_t counter_read();

}  // namespace spindle::bench
