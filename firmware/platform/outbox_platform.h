// The part of a Platform that is the same everywhere a core runs today: the
// core image sits in memory the caller provides, and sent packets collect in
// a bounded outbox that the caller (the engine, a test, the board's loop)
// drains after each tick. Derived platforms own the outbox storage (its size
// is theirs to choose) and supply the timer.
#pragma once

#include <cstdint>

#include "platform/platform.h"

namespace spindle::fw {

// Read-only view of the packets in an outbox.
struct PacketView {
  const Packet* items = nullptr;
  uint32_t count = 0;
  uint32_t size() const { return count; }
  const Packet& operator[](uint32_t i) const { return items[i]; }
};

class OutboxPlatform : public Platform {
 public:
  void set_image(const uint8_t* data, uint32_t size) { image_ = {data, size, nullptr}; }
  // An image in memory the core may write (plastic rows are updated in place).
  void set_writable_image(uint8_t* data, uint32_t size) { image_ = {data, size, data}; }
  MemoryRegion image_memory() override { return image_; }
  // Refuses (and the core counts a failed send) when the outbox is full.
  bool send_packet(const Packet& packet) override {
    if (size_ == capacity_) return false;
    storage_[size_++] = packet;
    return true;
  }
  PacketView outbox() const { return {storage_, size_}; }
  void clear_outbox() { size_ = 0; }
  uint32_t outbox_capacity() const { return capacity_; }

 protected:
  OutboxPlatform(Packet* storage, uint32_t capacity) : storage_(storage), capacity_(capacity) {}
  ~OutboxPlatform() = default;
  OutboxPlatform(const OutboxPlatform&) = delete;
  OutboxPlatform& operator=(const OutboxPlatform&) = delete;

 private:
  MemoryRegion image_{};
  Packet* storage_;
  uint32_t capacity_;
  uint32_t size_ = 0;
};

}  // namespace spindle::fw
