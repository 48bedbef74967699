#pragma once
// The min/max of a zone's intensity over the trailing window [t − W, t], as a step function of t.
// It can only change when a point of the timeline enters the window (at its time) or leaves it (at
// its time + W), so it is computed once at those instants; lookups are a binary search.
// Used by intensity-adaptive's causal `window: DURATION` (only intensities already observed).
#include <utility>
#include <vector>

#include "carbon/carbon_series.hpp"

namespace ce {

class TrailingMinMax {
 public:
  // Steps over [0, until); before the timeline's first point its first value is taken as in force.
  TrailingMinMax(const Timeline& tl, double window_s, double until);
  std::pair<double, double> at(double t) const;  // (min, max) over [t − W, t]

 private:
  std::vector<double> t_;
  std::vector<std::pair<double, double>> mm_;
};

}  // namespace ce
