#include "shifting/shifting_potential.hpp"

#include <algorithm>
#include <stdexcept>

namespace ce {

ShiftingPotential shifting_potential(const std::vector<double>& hourly, size_t first, size_t last, size_t length,
                                     size_t slack) {
  if (length == 0) throw std::invalid_argument("a job lasts at least one hour");
  ShiftingPotential out;
  const size_t window = slack + length;
  // prefix[i] = Σ hourly[0, i): every contiguous sum in O(1).
  std::vector<double> prefix(hourly.size() + 1, 0.0);
  for (size_t i = 0; i < hourly.size(); ++i) prefix[i + 1] = prefix[i] + hourly[i];
  std::vector<double> cleanest;
  for (size_t i = first; i < last && i + window <= hourly.size(); ++i) {
    ++out.jobs;
    out.run_now += prefix[i + length] - prefix[i];
    double best = prefix[i + length] - prefix[i];
    for (size_t s = i + 1; s + length <= i + window; ++s) best = std::min(best, prefix[s + length] - prefix[s]);
    out.deferrable += best;
    cleanest.assign(hourly.begin() + static_cast<std::ptrdiff_t>(i), hourly.begin() + static_cast<std::ptrdiff_t>(i + window));
    std::nth_element(cleanest.begin(), cleanest.begin() + static_cast<std::ptrdiff_t>(length - 1), cleanest.end());
    double sum = 0;
    for (size_t k = 0; k < length; ++k) sum += cleanest[k];
    out.interruptible += sum;
  }
  return out;
}

}  // namespace ce
