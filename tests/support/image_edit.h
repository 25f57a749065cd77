// Test helpers for core images that are wrong on purpose.
//
// ImageEditor takes a valid image apart into its regions, lets a test change
// any field, and puts it back together with fresh checksums: the core then
// sees a well-signed image whose *contents* are bad, so Core::load's semantic
// checks (not the CRC) must catch it. resign_image() does the same for raw
// container edits (header or region table). LoadedCore loads an image from a
// heap copy of exactly its bytes, so AddressSanitizer flags any read past it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "image/format.h"
#include "image/parser.h"
#include "platform/native_platform.h"
#include "runtime/core.h"
#include "util/crc32.h"

namespace spindle::test {

// Recomputes, in place, the CRC of every region whose table entry lies inside
// the buffer, then the header CRC. Entries pointing outside are left alone.
inline void resign_image(std::vector<uint8_t>& image) {
  namespace img = fw::image;
  if (image.size() < sizeof(img::ImageHeader)) return;
  img::ImageHeader h;
  std::memcpy(&h, image.data(), sizeof h);
  const uint64_t table_end = sizeof(img::ImageHeader) + uint64_t{h.region_count} * sizeof(img::RegionEntry);
  if (table_end > image.size()) return;
  for (uint32_t i = 0; i < h.region_count; ++i) {
    const size_t at = sizeof(img::ImageHeader) + size_t{i} * sizeof(img::RegionEntry);
    img::RegionEntry e;
    std::memcpy(&e, image.data() + at, sizeof e);
    if (uint64_t{e.offset} + e.size > image.size()) continue;
    e.crc = fw::crc32(image.data() + e.offset, e.size);
    std::memcpy(image.data() + at, &e, sizeof e);
  }
  h.header_crc = 0;
  std::memcpy(image.data(), &h, sizeof h);
  const uint32_t crc = fw::crc32(image.data(), static_cast<size_t>(table_end));
  std::memcpy(image.data() + offsetof(img::ImageHeader, header_crc), &crc, 4);
}

// Header and region-table access on raw image bytes (no checks).
inline fw::image::ImageHeader read_header(const std::vector<uint8_t>& image) {
  fw::image::ImageHeader h;
  std::memcpy(&h, image.data(), sizeof h);
  return h;
}
inline void write_header(std::vector<uint8_t>& image, const fw::image::ImageHeader& h) {
  std::memcpy(image.data(), &h, sizeof h);
}
inline size_t entry_offset(uint32_t i) {
  return sizeof(fw::image::ImageHeader) + size_t{i} * sizeof(fw::image::RegionEntry);
}
inline fw::image::RegionEntry read_entry(const std::vector<uint8_t>& image, uint32_t i) {
  fw::image::RegionEntry e;
  std::memcpy(&e, image.data() + entry_offset(i), sizeof e);
  return e;
}
inline void write_entry(std::vector<uint8_t>& image, uint32_t i, const fw::image::RegionEntry& e) {
  std::memcpy(image.data() + entry_offset(i), &e, sizeof e);
}

class ImageEditor {
 public:
  using RegionId = fw::image::RegionId;

  // `image` must be a valid container (it is parsed to take it apart).
  explicit ImageEditor(const std::vector<uint8_t>& image) {
    std::vector<uint32_t> aligned((image.size() + 3) / 4);
    std::memcpy(aligned.data(), image.data(), image.size());
    fw::image::ImageReader reader;
    const fw::image::ImageStatus s = reader.open(reinterpret_cast<const uint8_t*>(aligned.data()), image.size());
    if (!s.ok()) throw std::invalid_argument(std::string("ImageEditor: not a valid image: ") + to_string(s.error));
    header_ = read_header(image);
    for (uint32_t i = 0; i < header_.region_count; ++i) {
      const fw::image::RegionEntry e = read_entry(image, i);
      regions_.emplace_back(static_cast<RegionId>(e.id),
                            std::vector<uint8_t>(image.begin() + e.offset, image.begin() + e.offset + e.size));
    }
  }

  bool has(RegionId id) const { return find(id) != nullptr; }

  std::vector<uint8_t>& payload(RegionId id) {
    auto* p = find(id);
    if (p == nullptr) throw std::out_of_range("ImageEditor: no region " + std::to_string(static_cast<uint32_t>(id)));
    return *p;
  }

  template <class T>
  T get(RegionId id, size_t offset) {
    const std::vector<uint8_t>& p = payload(id);
    if (offset + sizeof(T) > p.size()) throw std::out_of_range("ImageEditor::get past the region");
    T v;
    std::memcpy(&v, p.data() + offset, sizeof v);
    return v;
  }

  template <class T>
  void set(RegionId id, size_t offset, const T& v) {
    std::vector<uint8_t>& p = payload(id);
    if (offset + sizeof(T) > p.size()) throw std::out_of_range("ImageEditor::set past the region");
    std::memcpy(p.data() + offset, &v, sizeof v);
  }

  // Reads a T at `offset`, lets f change it, writes it back.
  template <class T, class F>
  void edit(RegionId id, size_t offset, F&& f) {
    T v = get<T>(id, offset);
    f(v);
    set(id, offset, v);
  }

  void remove(RegionId id) {
    for (auto it = regions_.begin(); it != regions_.end(); ++it)
      if (it->first == id) {
        regions_.erase(it);
        return;
      }
  }

  // Replaces the region's payload, or appends the region if absent.
  void put(RegionId id, std::vector<uint8_t> bytes) {
    if (auto* p = find(id)) *p = std::move(bytes);
    else regions_.emplace_back(id, std::move(bytes));
  }

  fw::image::ImageHeader& header() { return header_; }

  // Lays the regions out again (header, table, payloads padded to 4 bytes)
  // with fresh checksums. Header fields other than total_size, region_count
  // and header_crc are kept as edited.
  std::vector<uint8_t> build() const {
    namespace img = fw::image;
    const uint32_t n = static_cast<uint32_t>(regions_.size());
    std::vector<uint8_t> out(entry_offset(n));
    for (uint32_t i = 0; i < n; ++i) {
      std::vector<uint8_t> bytes = regions_[i].second;
      bytes.resize((bytes.size() + 3) & ~size_t{3}, 0);
      const img::RegionEntry e{static_cast<uint32_t>(regions_[i].first), static_cast<uint32_t>(out.size()),
                               static_cast<uint32_t>(bytes.size()), 0};
      write_entry(out, i, e);
      out.insert(out.end(), bytes.begin(), bytes.end());
    }
    img::ImageHeader h = header_;
    h.total_size = static_cast<uint32_t>(out.size());
    h.region_count = n;
    write_header(out, h);
    resign_image(out);
    return out;
  }

 private:
  std::vector<uint8_t>* find(RegionId id) {
    for (auto& r : regions_)
      if (r.first == id) return &r.second;
    return nullptr;
  }
  const std::vector<uint8_t>* find(RegionId id) const {
    for (const auto& r : regions_)
      if (r.first == id) return &r.second;
    return nullptr;
  }

  fw::image::ImageHeader header_{};
  std::vector<std::pair<RegionId, std::vector<uint8_t>>> regions_;
};

// Copies bytes into a heap block of exactly that many bytes (operator new is
// at least 16-byte aligned), so ASan catches a read one byte past the end.
// `misalign` shifts the copy off the block's alignment by that many bytes.
class ExactBuffer {
 public:
  explicit ExactBuffer(const uint8_t* data, size_t size, size_t misalign = 0)
      : size_(size), storage_(new uint8_t[size + misalign]) {
    data_ = storage_.get() + misalign;
    if (size != 0) std::memcpy(data_, data, size);
  }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  size_t size_;
  std::unique_ptr<uint8_t[]> storage_;
  uint8_t* data_ = nullptr;
};

// A core loaded from a copy of the image (exactly its bytes, 4-byte aligned),
// in memory the core may write unless `writable` is false (as in flash).
class LoadedCore {
 public:
  explicit LoadedCore(const std::vector<uint8_t>& image, bool writable = true)
      : bytes_(new uint8_t[image.empty() ? 1 : image.size()]),
        platform_(std::make_unique<fw::NativePlatform>()),
        core_(std::make_unique<fw::Core>()) {
    if (!image.empty()) std::memcpy(bytes_.get(), image.data(), image.size());
    if (writable)
      platform_->set_writable_image(bytes_.get(), static_cast<uint32_t>(image.size()));
    else
      platform_->set_image(bytes_.get(), static_cast<uint32_t>(image.size()));
    status_ = core_->load(*platform_);
  }

  fw::Core& core() { return *core_; }
  fw::NativePlatform& platform() { return *platform_; }
  const fw::image::ImageStatus& status() const { return status_; }

 private:
  std::unique_ptr<uint8_t[]> bytes_;
  std::unique_ptr<fw::NativePlatform> platform_;
  std::unique_ptr<fw::Core> core_;
  fw::image::ImageStatus status_{};
};

}  // namespace spindle::test
