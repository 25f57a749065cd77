// netduinoplus2 bring-up: the part stays on its reset clock (HSI, 16 MHz);
// only the console UART and the timer need setting up.
#include "board.h"
#include "drivers.h"

namespace spindle::board {

void init() {
  uart_init();
  timer_init();
}

}  // namespace spindle::board
