#include "workload/weighted_choice.hpp"

#include <algorithm>
#include <stdexcept>

namespace ce {

void WeightedChoice::add(uint32_t value, double weight) {
  if (!(weight >= 0)) throw std::invalid_argument("weights must be >= 0");
  values_.push_back(value);
  cumulative_.push_back((cumulative_.empty() ? 0.0 : cumulative_.back()) + weight);
}

double WeightedChoice::probability(size_t i) const {
  const double prev = i == 0 ? 0.0 : cumulative_[i - 1];
  return (cumulative_[i] - prev) / cumulative_.back();
}

size_t WeightedChoice::draw_index(Rng& rng) const {
  if (values_.size() <= 1) return 0;
  const double u = rng.uniform() * cumulative_.back();
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  if (it == cumulative_.end()) --it;  // u rounds up to the total
  return static_cast<size_t>(it - cumulative_.begin());
}

}  // namespace ce
