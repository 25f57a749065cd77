// A fixed-capacity buffer (no heap): push fails when full, and the caller
// counts the loss.
#pragma once

#include <cstdint>

namespace spindle::fw {

template <class T, uint32_t Capacity>
class BoundedBuffer {
 public:
  bool push(const T& v) {
    if (size_ == Capacity) return false;
    items_[size_++] = v;
    return true;
  }
  void clear() { size_ = 0; }
  uint32_t size() const { return size_; }
  static constexpr uint32_t capacity() { return Capacity; }
  const T* data() const { return items_; }
  const T& operator[](uint32_t i) const { return items_[i]; }

 private:
  T items_[Capacity] = {};
  uint32_t size_ = 0;
};

// Fixed-capacity FIFO for incoming packets.
template <class T, uint32_t Capacity>
class BoundedQueue {
 public:
  bool push(const T& v) {
    if (size_ == Capacity) return false;
    items_[(head_ + size_) % Capacity] = v;
    ++size_;
    return true;
  }
  bool pop(T& out) {
    if (size_ == 0) return false;
    out = items_[head_];
    head_ = (head_ + 1) % Capacity;
    --size_;
    return true;
  }
  uint32_t size() const { return size_; }
  void clear() { head_ = size_ = 0; }

 private:
  T items_[Capacity] = {};
  uint32_t head_ = 0;
  uint32_t size_ = 0;
};

}  // namespace spindle::fw
