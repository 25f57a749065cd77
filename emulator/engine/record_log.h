// An append-only store of what a core recorded over a run (spikes, state
// samples). Records live in fixed-size blocks that are never moved or
// reallocated, so appending costs a copy of the new records only (a growing
// vector copies everything it holds on each doubling and faults in twice the
// memory), and an index taken by a reader (the daemon's stream cursor) stays
// valid while the log grows. clear() keeps the blocks for the next run.
//
// Not synchronised: appends and reads of one log must not overlap (the
// engine appends during run(); readers read between runs or under the lock
// that guards the engine).
#pragma once

#include <cstddef>
#include <cstring>
#include <iterator>
#include <memory>
#include <type_traits>
#include <vector>

namespace spindle::emu {

template <class T>
class RecordLog {
  static_assert(std::is_trivially_copyable_v<T>, "records are copied as bytes");

 public:
  // 8192 records a block: 64 KiB of spike records, large enough that block
  // switches are rare, small enough that a core with few spikes wastes little.
  static constexpr size_t kBlockShift = 13;
  static constexpr size_t kBlockSize = size_t{1} << kBlockShift;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;
    const_iterator() = default;
    const_iterator(const RecordLog* log, size_t i) : log_(log), i_(i) {}
    reference operator*() const { return (*log_)[i_]; }
    pointer operator->() const { return &(*log_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++i_;
      return old;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.i_ == b.i_; }

   private:
    const RecordLog* log_ = nullptr;
    size_t i_ = 0;
  };

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return blocks_[i >> kBlockShift][i & (kBlockSize - 1)]; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

  void push_back(const T& record) { append(&record, 1); }

  void append(const T* records, size_t n) {
    while (n > 0) {
      const size_t offset = size_ & (kBlockSize - 1);
      const size_t block = size_ >> kBlockShift;
      if (block == blocks_.size()) blocks_.push_back(std::make_unique_for_overwrite<T[]>(kBlockSize));
      const size_t k = n < kBlockSize - offset ? n : kBlockSize - offset;
      std::memcpy(blocks_[block].get() + offset, records, k * sizeof(T));
      records += k;
      n -= k;
      size_ += k;
    }
  }
  void append(const std::vector<T>& records) { append(records.data(), records.size()); }

  // Calls f(const T* first, size_t count) for each contiguous run of the
  // records [from, size()), in order: bulk readers copy block by block.
  template <class F>
  void for_each_span(size_t from, F&& f) const {
    while (from < size_) {
      const size_t offset = from & (kBlockSize - 1);
      const size_t in_block = kBlockSize - offset;
      const size_t k = size_ - from < in_block ? size_ - from : in_block;
      f(blocks_[from >> kBlockShift].get() + offset, k);
      from += k;
    }
  }

  std::vector<T> to_vector() const {
    std::vector<T> out;
    out.reserve(size_);
    for_each_span(0, [&](const T* p, size_t n) { out.insert(out.end(), p, p + n); });
    return out;
  }

  // Forgets the records; the blocks stay allocated and are refilled in order.
  void clear() { size_ = 0; }
  size_t capacity() const { return blocks_.size() * kBlockSize; }

 private:
  std::vector<std::unique_ptr<T[]>> blocks_;
  size_t size_ = 0;
};

}  // namespace spindle::emu
