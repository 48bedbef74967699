#include "workload/token_draw.hpp"

#include <algorithm>
#include <cmath>

namespace ce {

namespace {
constexpr double kZ99 = 2.3263478740408408;  // standard normal 99th percentile
constexpr double kTwoPi = 6.283185307179586;
}  // namespace

TokenDraw TokenDraw::fixed(uint32_t n) {
  TokenDraw d;
  d.kind = Kind::Constant;
  d.constant = n;
  return d;
}

TokenDraw TokenDraw::lognormal(double median, double p99, uint32_t max) {
  TokenDraw d;
  d.kind = Kind::Lognormal;
  d.mu = std::log(median);
  d.sigma = std::log(p99 / median) / kZ99;
  d.max = max;
  return d;
}

uint32_t TokenDraw::draw(Rng& rng) const {
  if (kind == Kind::Constant) return constant;
  if (kind == Kind::None) return 0;
  // Box–Muller on the project's own uniforms: the same numbers under any standard library.
  const double u1 = rng.uniform_pos(), u2 = rng.uniform();
  const double z = std::sqrt(-2 * std::log(u1)) * std::cos(kTwoPi * u2);
  const double x = std::round(std::exp(mu + sigma * z));
  return static_cast<uint32_t>(std::clamp(x, 1.0, static_cast<double>(max)));
}

}  // namespace ce
