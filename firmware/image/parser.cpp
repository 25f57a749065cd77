#include "image/parser.h"

#include <cstring>

#include "util/crc32.h"

namespace spindle::fw::image {

const char* to_string(ImageError e) {
  switch (e) {
    case ImageError::kOk: return "ok";
    case ImageError::kTooSmall: return "image shorter than its header";
    case ImageError::kMisaligned: return "image not 4-byte aligned in memory";
    case ImageError::kBadMagic: return "bad magic (not a Spindle core image)";
    case ImageError::kBadVersion: return "unsupported image format version";
    case ImageError::kBadTotalSize: return "total size larger than the data or not a multiple of 4";
    case ImageError::kTooManyRegions: return "too many regions";
    case ImageError::kHeaderChecksum: return "header checksum mismatch";
    case ImageError::kRegionOutOfBounds: return "region outside the image or overlapping another";
    case ImageError::kRegionMisaligned: return "region offset or size not a multiple of 4";
    case ImageError::kDuplicateRegion: return "region appears twice";
    case ImageError::kUnknownRegion: return "unknown region id";
    case ImageError::kRegionChecksum: return "region checksum mismatch";
    case ImageError::kMissingRegion: return "required region missing";
    case ImageError::kRegionTooSmall: return "region shorter than its contents";
    case ImageError::kBadSystem: return "inconsistent system region";
    case ImageError::kBadNeurons: return "neuron region does not match the model";
    case ImageError::kBadPopulationTable: return "bad population table";
    case ImageError::kBadSynapticRow: return "bad synaptic row";
    case ImageError::kBadSources: return "bad spike source data";
    case ImageError::kBadRecording: return "bad recording configuration";
    case ImageError::kRingTooLarge: return "ring buffer would exceed the core's memory";
    case ImageError::kBadRowOffset: return "synaptic row offset before its rows, decreasing, or past the matrix";
    case ImageError::kBadPlasticRow: return "bad plastic synaptic row (size, count, state, weight or control word)";
    case ImageError::kBadStdp: return "bad STDP region (parameters out of range, or a history not fresh or too small)";
    case ImageError::kImageNotWritable: return "plastic synapses in an image held in read-only memory";
  }
  return "unknown error";
}

ImageStatus ImageReader::open(const uint8_t* data, size_t size) {
  *this = ImageReader{};
  if (data == nullptr || size < sizeof(ImageHeader)) return {ImageError::kTooSmall, 0, 0};
  if (reinterpret_cast<uintptr_t>(data) % 4 != 0) return {ImageError::kMisaligned, 0, 0};

  ImageHeader h;
  std::memcpy(&h, data, sizeof h);
  if (h.magic != kMagic) return {ImageError::kBadMagic, 0, 0};
  if (h.version_major != kVersionMajor) return {ImageError::kBadVersion, 0, 4};
  if (h.total_size > size || h.total_size < sizeof(ImageHeader) || h.total_size % 4 != 0)
    return {ImageError::kBadTotalSize, 0, 8};
  if (h.region_count > kMaxRegions) return {ImageError::kTooManyRegions, 0, 12};

  const uint32_t table_end = static_cast<uint32_t>(sizeof(ImageHeader) + h.region_count * sizeof(RegionEntry));
  if (table_end > h.total_size) return {ImageError::kRegionOutOfBounds, 0, sizeof(ImageHeader)};

  // Header CRC covers header and table with the CRC field read as zero.
  ImageHeader zeroed = h;
  zeroed.header_crc = 0;
  uint32_t crc = crc32(reinterpret_cast<const uint8_t*>(&zeroed), sizeof zeroed);
  crc = crc32(data + sizeof(ImageHeader), table_end - sizeof(ImageHeader), crc);
  if (crc != h.header_crc) return {ImageError::kHeaderChecksum, 0, 16};

  for (uint32_t i = 0; i < h.region_count; ++i) {
    const uint32_t entry_offset = static_cast<uint32_t>(sizeof(ImageHeader) + i * sizeof(RegionEntry));
    RegionEntry e;
    std::memcpy(&e, data + entry_offset, sizeof e);
    if (e.id == 0 || e.id >= kMaxRegions || e.id > static_cast<uint32_t>(RegionId::kNeuromodulation))
      return {ImageError::kUnknownRegion, e.id, entry_offset};
    if (regions_[e.id].present()) return {ImageError::kDuplicateRegion, e.id, entry_offset};
    if (e.offset % 4 != 0 || e.size % 4 != 0) return {ImageError::kRegionMisaligned, e.id, entry_offset};
    // 64-bit sum: offset + size cannot wrap.
    if (e.offset < table_end || uint64_t{e.offset} + e.size > h.total_size)
      return {ImageError::kRegionOutOfBounds, e.id, entry_offset};
    // No byte belongs to two regions (each would read it as something else).
    for (const RegionView& other : regions_) {
      if (!other.present() || other.size == 0 || e.size == 0) continue;
      const uint64_t start = static_cast<uint64_t>(other.data - data);
      if (e.offset < start + other.size && start < uint64_t{e.offset} + e.size)
        return {ImageError::kRegionOutOfBounds, e.id, entry_offset};
    }
    if (crc32(data + e.offset, e.size) != e.crc) return {ImageError::kRegionChecksum, e.id, e.offset};
    regions_[e.id] = RegionView{data + e.offset, e.size};
  }
  data_ = data;
  return {};
}

RegionView ImageReader::region(RegionId id) const {
  const auto i = static_cast<uint32_t>(id);
  return i < kMaxRegions ? regions_[i] : RegionView{};
}

}  // namespace spindle::fw::image
