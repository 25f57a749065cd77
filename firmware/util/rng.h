// Per-core pseudo-random stream: xoshiro128++ (Blackman & Vigna). 32-bit
// integer operations only, so every platform draws the same sequence from the
// same seed. Seeds come from the core image (the host derives one stream per
// core from the network seed).
#pragma once

#include <cstdint>

namespace spindle::fw {

class Rng {
 public:
  static constexpr int kStateWords = 4;

  // Unseeded (all-zero state, so that a core's static storage can be zero
  // initialised): reseed() before drawing.
  constexpr Rng() = default;
  constexpr explicit Rng(const uint32_t (&seed)[kStateWords]) { reseed(seed); }

  // Every seed word is scrambled (a 32-bit finaliser of the murmur3 kind,
  // keyed by its position), so that small or similar seeds such as {1,2,3,4}
  // still start from a well-mixed state instead of a run of tiny outputs.
  constexpr void reseed(const uint32_t (&seed)[kStateWords]) {
    for (int i = 0; i < kStateWords; ++i) s_[i] = mix(seed[i] + 0x9E3779B9u * static_cast<uint32_t>(i + 1));
    // An all-zero state would only ever yield zeros.
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 0x9E3779B9u;
  }

  constexpr uint32_t next() {
    const uint32_t result = rotl(s_[0] + s_[3], 7) + s_[0];
    const uint32_t t = s_[1] << 9;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 11);
    return result;
  }

 private:
  static constexpr uint32_t mix(uint32_t x) {
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    x *= 0xC2B2AE35u;
    x ^= x >> 16;
    return x;
  }
  static constexpr uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  uint32_t s_[kStateWords] = {};
};

}  // namespace spindle::fw
