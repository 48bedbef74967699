#include "carbon/trailing_window.hpp"

#include <algorithm>

namespace ce {

TrailingMinMax::TrailingMinMax(const Timeline& tl, double window_s, double until) {
  const auto& pts = tl.points();
  std::vector<double> steps{0.0};
  for (const auto& p : pts)
    for (double e : {p.t, p.t + window_s})
      if (e > 0 && e < until) steps.push_back(e);
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  for (double e : steps) {
    // The value in force at e − W, then every point in (e − W, e].
    auto first_inside = std::upper_bound(pts.begin(), pts.end(), e - window_s,
                                         [](double x, const IntensityPoint& p) { return x < p.t; });
    double lo = first_inside == pts.begin() ? pts.front().value : std::prev(first_inside)->value, hi = lo;
    for (auto it = first_inside; it != pts.end() && it->t <= e; ++it) {
      lo = std::min(lo, it->value);
      hi = std::max(hi, it->value);
    }
    t_.push_back(e);
    mm_.emplace_back(lo, hi);
  }
}

std::pair<double, double> TrailingMinMax::at(double t) const {
  const size_t i = static_cast<size_t>(std::upper_bound(t_.begin(), t_.end(), t) - t_.begin());
  return mm_[i == 0 ? 0 : i - 1];
}

}  // namespace ce
