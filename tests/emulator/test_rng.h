// A 32-bit random source for tests (std::mt19937 returns unsigned long,
// which -Wconversion rightly complains about everywhere).
#pragma once

#include <cstdint>
#include <random>

namespace spindle::emu::testing {

class Rng {
 public:
  using result_type = uint32_t;
  explicit Rng(uint32_t seed) : gen_(seed) {}
  uint32_t operator()() { return static_cast<uint32_t>(gen_()); }
  static constexpr uint32_t min() { return 0; }
  static constexpr uint32_t max() { return UINT32_MAX; }

 private:
  std::mt19937 gen_;
};

}  // namespace spindle::emu::testing
