// mps2-an386 bring-up: the system clock is fixed (25 MHz), nothing to
// configure but the UART and the timer.
#include "board.h"
#include "drivers.h"

namespace spindle::board {

void init() {
  uart_init();
  timer_init();
}

}  // namespace spindle::board
