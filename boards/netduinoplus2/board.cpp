// netduinoplus2 bring-up: clocks first (168 MHz, or the 16 MHz HSI as a
// reported fallback), then the UART's baud divisor and the timer's prescaler
// from the clocks reached.
#include "board.h"
#include "drivers.h"

namespace spindle::board {

void init() {
  clock_init();
  uart_init();
  timer_init();
}

}  // namespace spindle::board
