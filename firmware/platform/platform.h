// The interface a core talks through. The core never touches hardware or the
// emulator directly: the native engine, the Cortex-M boards and tests each
// provide a Platform.
#pragma once

#include <cstdint>

namespace spindle::fw {

// A block of memory the platform gives the core: where its core image was
// loaded (SDRAM on SpiNNaker, flash or PSRAM on a board, a buffer natively).
// `writable` is `data` when the core may write the image in place (a RAM
// buffer: the native engine's, a board's link buffer), null when it is
// read-only (flash): plastic synapses need the former.
struct MemoryRegion {
  const uint8_t* data = nullptr;
  uint32_t size = 0;
  uint8_t* writable = nullptr;
};

struct Packet {
  uint32_t key = 0;
  uint32_t payload = 0;
  bool has_payload = false;
};

class Platform {
 public:
  // Sends a multicast packet into the router. Returns false if the outgoing
  // path refused it (the core counts that as a dropped packet).
  virtual bool send_packet(const Packet& packet) = 0;
  // Free-running microsecond timer, for tick-overrun detection and profiling.
  virtual uint32_t read_timer_us() = 0;
  // The core image this core runs.
  virtual MemoryRegion image_memory() = 0;

 protected:
  ~Platform() = default;
};

}  // namespace spindle::fw
