// The core server image (spindle-core-<board>.elf): one fw::Core driven by
// the host over the console UART with the link protocol
// (docs/link-protocol.md). The host loads the core image in chunks into a
// static buffer, then runs tick barriers; the qemu and serial backends talk
// to this program.
#include <cstdint>

#include "board.h"
#include "link/core_server.h"
#include "platform/outbox_platform.h"
#include "runtime/core.h"

#ifndef SPINDLE_LINK_IMAGE_BYTES
#error "SPINDLE_LINK_IMAGE_BYTES must be defined by the board build"
#endif
#ifndef SPINDLE_LINK_OUTBOX_CAPACITY
#error "SPINDLE_LINK_OUTBOX_CAPACITY must be defined by the board build"
#endif

namespace {

using spindle::fw::Packet;

// Outbox drained by the server after every TICK; the board's RAM sets its
// size (the native engine's is 4096: a smaller one is the one place the two
// can differ, and every refused packet is counted in provenance).
class LinkPlatform final : public spindle::fw::OutboxPlatform {
 public:
  LinkPlatform() : OutboxPlatform(storage_, SPINDLE_LINK_OUTBOX_CAPACITY) {}
  uint32_t read_timer_us() override { return spindle::board::timer_us(); }

 private:
  Packet storage_[SPINDLE_LINK_OUTBOX_CAPACITY];
};

constexpr char kBoardName[] = SPINDLE_BOARD_NAME;

alignas(8) uint32_t g_image[SPINDLE_LINK_IMAGE_BYTES / 4];
spindle::fw::Core g_core;
LinkPlatform g_platform;

void write_uart(void*, const uint8_t* data, uint32_t size) {
  spindle::board::uart_write(reinterpret_cast<const char*>(data), size);
}

}  // namespace

int main() {
  spindle::board::init();
  spindle::board::uart_enable_rx_wakeup();
  static spindle::fw::link::CoreServer server(
      g_core, g_platform, {kBoardName, g_image, static_cast<uint32_t>(sizeof g_image)}, write_uart, nullptr);
  // Serves until the host stops the board (QEMU is killed; a board is reset).
  for (;;) {
    uint8_t byte;
    while (spindle::board::uart_read(byte)) server.on_byte(byte);
    spindle::board::uart_wait_for_input();
  }
}
