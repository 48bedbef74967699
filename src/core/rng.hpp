#pragma once
// Deterministic random numbers. std::*_distribution differ between standard libraries, so the
// variates are computed here from the raw 64-bit engine output: same seed, same numbers, anywhere.
#include <cmath>
#include <cstdint>
#include <random>

namespace ce {

class Rng {
 public:
  explicit Rng(uint64_t seed) : eng_(seed) {}
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(eng_() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1]: safe to take the log of.
  double uniform_pos() { return 1.0 - uniform(); }
  double exponential(double rate) { return -std::log(uniform_pos()) / rate; }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : eng_() % n; }
  uint64_t raw() { return eng_(); }

 private:
  std::mt19937_64 eng_;
};

// Arithmetic that wraps modulo 2^64 on purpose (hashes, seed mixing): exempt from clang's
// -fsanitize=unsigned-integer-overflow (part of -fsanitize=integer, scripts/ci-sanitize.sh), which
// reports even well-defined unsigned wrap-around.
#if defined(__clang__)
#define CE_INTENDED_WRAPAROUND __attribute__((no_sanitize("unsigned-integer-overflow")))
#else
#define CE_INTENDED_WRAPAROUND
#endif

// Derives independent stream seeds from one experiment seed (splitmix64).
CE_INTENDED_WRAPAROUND inline uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace ce
