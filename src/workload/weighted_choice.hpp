#pragma once
// Draws one of a few values with given weights (cumulative table + binary search).
#include <cstdint>
#include <vector>

#include "core/rng.hpp"

namespace ce {

class WeightedChoice {
 public:
  // weight >= 0; the total must end up > 0 before draw().
  void add(uint32_t value, double weight);
  bool empty() const { return values_.empty(); }
  size_t size() const { return values_.size(); }
  uint32_t value(size_t i) const { return values_[i]; }
  double total() const { return cumulative_.empty() ? 0.0 : cumulative_.back(); }
  double probability(size_t i) const;
  // Index of the chosen entry. With one entry no random number is consumed.
  size_t draw_index(Rng& rng) const;

 private:
  std::vector<uint32_t> values_;
  std::vector<double> cumulative_;
};

}  // namespace ce
