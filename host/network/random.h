// Deterministic random numbers for network expansion. Two generators:
// std::mt19937_64 (whose output sequence the C++ standard fixes) for
// per-population values, and SplitMix64 for the per-post-neuron streams of
// connectors, weights and delays (one state word: a stream per neuron costs
// nothing to seed, so any slice of a projection can be expanded on its own).
// Every distribution on top of them is implemented here (the standard
// library's distributions are implementation-defined), so expanded
// parameters and connectors are identical across standard libraries. See
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

// Seed of the stream of item `index` (e.g. a post neuron) under `parent`.
constexpr uint64_t index_seed(uint64_t parent, uint64_t index) { return mix64(parent ^ mix64(index)); }

// SplitMix64 (Steele, Lea and Flood 2014) as a generator.
class SplitMix64 {
 public:
  using result_type = uint64_t;
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t operator()() {
    const uint64_t x = state_;
    state_ += 0x9E3779B97F4A7C15ull;
    return mix64(x);
  }

 private:
  uint64_t state_;
};

template <class Engine>
class BasicRng {
 public:
  explicit BasicRng(uint64_t seed) : gen_(seed) {}

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

  // Failures before the first success of Bernoulli(p) trials, 0 < p < 1,
  // given log1m_p = ln(1 - p), by inversion: floor(ln u / ln(1 - p)), u
  // uniform in (0, 1].
  uint64_t geometric(double log1m_p) {
    const double u = 1.0 - uniform01();
    const double k = std::floor(std::log(u) / log1m_p);
    return k >= 0x1.0p63 ? UINT64_MAX : static_cast<uint64_t>(k);
  }

 private:
  Engine gen_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

using Rng = BasicRng<std::mt19937_64>;
using StreamRng = BasicRng<SplitMix64>;

}  // namespace spindle::host::network
