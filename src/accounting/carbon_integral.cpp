#include "accounting/carbon_integral.hpp"

namespace ce {

std::vector<IntervalCarbon> integrate_carbon(const std::vector<EnergySample>& samples, const Timeline& tl) {
  std::vector<IntervalCarbon> out;
  for_each_interval(samples, tl, [&](const IntervalCarbon& x) { out.push_back(x); });
  return out;
}

ConsumerTotals sum_intervals(const std::vector<IntervalCarbon>& iv) {
  ConsumerTotals t;
  for (const auto& x : iv) add_interval(t, x);
  return t;
}

}  // namespace ce
