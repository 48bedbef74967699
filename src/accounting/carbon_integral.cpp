#include "accounting/carbon_integral.hpp"

namespace ce {

std::vector<IntervalCarbon> integrate_carbon(const std::vector<EnergySample>& samples, const Timeline& tl) {
  std::vector<IntervalCarbon> out;
  for (size_t i = 1; i < samples.size(); ++i) {
    const EnergySample &a = samples[i - 1], &b = samples[i];
    if (b.t <= a.t) continue;
    // Samples sit on the change points, so the intensity at the interval start holds throughout.
    double ci = tl.at(a.t);
    double de = b.energy_j - a.energy_j, di = b.idle_j - a.idle_j;
    out.push_back({a.t, b.t, ci, de, de * ci / kJoulesPerKWh, di, di * ci / kJoulesPerKWh});
  }
  return out;
}

ConsumerTotals sum_intervals(const std::vector<IntervalCarbon>& iv) {
  ConsumerTotals t;
  for (const auto& x : iv) {
    t.energy_j += x.energy_j;
    t.carbon_g += x.carbon_g;
    t.idle_energy_j += x.idle_energy_j;
    t.idle_carbon_g += x.idle_carbon_g;
  }
  return t;
}

}  // namespace ce
