// Runs a handful of core images natively, the way the board self-test does
// (broadcast loopback instead of a router), and returns what they recorded.
// For kernel and model tests that want the whole core path: image -> parser
// -> population table -> ring buffer -> neuron model -> recording.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/native_platform.h"
#include "runtime/core.h"

namespace spindle::test {

struct RecordedSpike {
  uint32_t tick, core, neuron;
  bool operator==(const RecordedSpike&) const = default;
};

struct RecordedState {
  uint32_t tick, core, neuron, variable;
  int32_t raw;
};

struct HarnessResult {
  std::vector<RecordedSpike> spikes;
  std::vector<RecordedState> states;
  std::vector<fw::Provenance> provenance;
};

class CoreHarness {
 public:
  // Loads each image into its own core; throws std::runtime_error naming the
  // core and the parser's error if one does not load.
  explicit CoreHarness(std::vector<std::vector<uint8_t>> images);
  // Runs n ticks; may be called repeatedly (results accumulate).
  void run(uint32_t n_ticks);
  const HarnessResult& result() const { return result_; }
  fw::Core& core(size_t i) { return *cores_[i]; }

 private:
  std::vector<std::vector<uint32_t>> images_;  // word-aligned copies
  std::vector<std::unique_ptr<fw::NativePlatform>> platforms_;
  std::vector<std::unique_ptr<fw::Core>> cores_;
  HarnessResult result_;
};

}  // namespace spindle::test
