// Core image parser: checks an image completely before a core uses any of it
// (header, version, region table, bounds, alignment, checksums) and hands out
// bounds-checked views of its regions. It never reads outside [data, size).
#pragma once

#include <cstddef>
#include <cstdint>

#include "image/format.h"

namespace spindle::fw::image {

enum class ImageError : uint32_t {
  kOk = 0,
  kTooSmall,          // shorter than a header
  kMisaligned,        // data not 4-byte aligned
  kBadMagic,
  kBadVersion,        // major version not ours
  kBadTotalSize,      // total_size larger than the buffer or not a multiple of 4
  kTooManyRegions,
  kHeaderChecksum,
  kRegionOutOfBounds, // offset/size outside the image, overlapping the table or another region
  kRegionMisaligned,
  kDuplicateRegion,
  kUnknownRegion,
  kRegionChecksum,
  kMissingRegion,     // a region the core kind needs is absent
  kRegionTooSmall,    // a region shorter than its own header says
  kBadSystem,         // inconsistent values in the system region
  kBadNeurons,        // neuron region does not match the model
  kBadPopulationTable,// unsorted, overlapping, or rows outside the matrix
  kBadSynapticRow,    // a word naming a bad neuron/type/delay
  kBadSources,
  kBadRecording,
  kRingTooLarge,      // slots x types x neurons exceeds kRingBufferWords
  kBadRowOffset,      // a row offset before its entry's rows, decreasing, or past the matrix
  kBadPlasticRow,     // a plastic row whose size, count, state, weight or control word is wrong
  kBadStdp,           // STDP parameters out of range, or a history that is not fresh or too small
  kImageNotWritable,  // plastic synapses in an image the platform holds read-only
};

const char* to_string(ImageError e);

// Where a parse failed: the error, and the region and byte offset involved.
struct ImageStatus {
  ImageError error = ImageError::kOk;
  uint32_t region = 0;  // RegionId, 0 if none
  uint32_t offset = 0;  // byte offset in the image (or within the region)
  bool ok() const { return error == ImageError::kOk; }
};

struct RegionView {
  const uint8_t* data = nullptr;
  uint32_t size = 0;
  bool present() const { return data != nullptr; }
};

// Validates the container (header, table, checksums). Region contents are
// validated by the consumers (Core::load) through the same status type.
class ImageReader {
 public:
  ImageStatus open(const uint8_t* data, size_t size);
  RegionView region(RegionId id) const;

 private:
  const uint8_t* data_ = nullptr;
  RegionView regions_[kMaxRegions] = {};
};

}  // namespace spindle::fw::image
