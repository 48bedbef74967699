#pragma once
// A language-model request's prompt or output length drawn for a generator source (workload keys
// `prompt_tokens` / `output_tokens`, docs/inputs-workload.md "Token counts"): a constant, or a
// lognormal given by its median and 99th percentile (σ = ln(p99 / median) / z₀.₉₉), rounded to
// the nearest whole token and clamped to [1, max]. Traces that carry their own counts (azure_trace)
// do not take these keys.
#include <cstdint>

#include "core/rng.hpp"

namespace ce {

struct TokenDraw {
  enum class Kind : uint8_t { None, Constant, Lognormal } kind = Kind::None;
  uint32_t constant = 0;
  double mu = 0, sigma = 0;  // of ln(tokens)
  uint32_t max = 0;

  bool given() const { return kind != Kind::None; }
  static TokenDraw fixed(uint32_t n);
  // median > 0, p99 >= median, max >= 1.
  static TokenDraw lognormal(double median, double p99, uint32_t max);
  uint32_t draw(Rng& rng) const;
};

}  // namespace ce
