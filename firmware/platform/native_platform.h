// Platform for a core running natively (tests, the emulator's engine): the
// image is a host buffer, sent packets go to a callback-free outbox the
// caller drains, and the timer is the host's steady clock.
#pragma once

#include <cstdint>

#include "platform/platform.h"
#include "runtime/bounded_buffer.h"

namespace spindle::fw {

class NativePlatform final : public Platform {
 public:
  static constexpr uint32_t kOutboxCapacity = 4096;

  void set_image(const uint8_t* data, uint32_t size) { image_ = {data, size}; }
  MemoryRegion image_memory() override { return image_; }
  bool send_packet(const Packet& packet) override { return outbox_.push(packet); }
  uint32_t read_timer_us() override;

  const BoundedBuffer<Packet, kOutboxCapacity>& outbox() const { return outbox_; }
  void clear_outbox() { outbox_.clear(); }

 private:
  MemoryRegion image_{};
  BoundedBuffer<Packet, kOutboxCapacity> outbox_;
};

}  // namespace spindle::fw
