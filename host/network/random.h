// Deterministic random numbers for network expansion. The generator is
// std::mt19937_64, whose output sequence the C++ standard fixes; every
// distribution on top of it is implemented here (the standard library's
// distributions are implementation-defined), so expanded parameters and
// connectors are identical across standard libraries. See
// docs/network-format.md, "Random values".
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string_view>

namespace spindle::host::network {

// SplitMix64 finaliser: a bijective 64-bit mix.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// FNV-1a over the bytes of a name.
constexpr uint64_t hash_name(std::string_view s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001B3ull;
  }
  return h;
}

// Seed of a child stream: mix64(parent ^ mix64(fnv1a(name))).
constexpr uint64_t derive_seed(uint64_t parent, std::string_view name) {
  return mix64(parent ^ mix64(hash_name(name)));
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}

  uint64_t next_u64() { return gen_(); }

  // Uniform in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }

  // Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform01(); }

  // Uniform integer in [0, n), n > 0, without bias (rejection of the top
  // partial block).
  uint64_t below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - (UINT64_MAX % n + 1) % n;  // largest multiple of n, minus 1
    for (;;) {
      const uint64_t x = gen_();
      if (x <= limit) return x % n;
    }
  }

  // Standard normal by Marsaglia's polar method (uses only +, *, /, sqrt
  // and log); the second value of each pair is kept for the next call.
  double standard_normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    for (;;) {
      const double x = 2.0 * uniform01() - 1.0;
      const double y = 2.0 * uniform01() - 1.0;
      const double s = x * x + y * y;
      if (s > 0.0 && s < 1.0) {
        const double f = std::sqrt(-2.0 * std::log(s) / s);
        spare_ = y * f;
        has_spare_ = true;
        return x * f;
      }
    }
  }

  double normal(double mean, double sd) { return mean + sd * standard_normal(); }

 private:
  std::mt19937_64 gen_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace spindle::host::network
