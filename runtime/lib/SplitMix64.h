//===- SplitMix64.h - the runtime's random number generator -----*- C++ -*-===//
//
// splitmix64 (Steele, Lea & Flood 2014): small, fast and fully specified, so every
// random choice of libnnrt (parameter init, shuffling) is a documented function of the
// seed. Internal to libnnrt and its driver.
//
//===----------------------------------------------------------------------===//
#ifndef NNRT_LIB_SPLITMIX64_H
#define NNRT_LIB_SPLITMIX64_H

#include <cmath>
#include <cstdint>

namespace nnrt {

/// splitmix64: 64-bit state, one add and a mix per draw.
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : State(seed) {}
  uint64_t next() {
    uint64_t z = (State += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1) with 24 random bits (exact in float).
  float uniform01() { return float(next() >> 40) * (1.0f / 16777216.0f); }
  /// Uniform in [lo, hi).
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform01(); }
  /// Standard normal by Box-Muller (one draw per call, the sine branch is dropped).
  float normal() {
    double u1 = (double(next() >> 11) + 1.0) * (1.0 / 9007199254740993.0); // (0, 1]
    double u2 = double(next() >> 11) * (1.0 / 9007199254740992.0);
    return float(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2));
  }

private:
  uint64_t State;
};

} // namespace nnrt

#endif // NNRT_LIB_SPLITMIX64_H
