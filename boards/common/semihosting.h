// ARM semihosting, used to end a run under QEMU with an exit status
// (`-semihosting-config enable=on,target=native`).
#pragma once

#include <cstdint>

namespace spindle::board {

// SYS_EXIT_EXTENDED: QEMU exits with `status` as its process exit code. Without
// a semihosting host (a bare board, no debugger) the BKPT faults and the core
// ends in lockup; the run is over by then, so that is acceptable.
[[noreturn]] void semihosting_exit(uint32_t status);

}  // namespace spindle::board
