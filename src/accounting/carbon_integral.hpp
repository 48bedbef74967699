#pragma once
// Carbon of a power consumer (host or link) from its cumulative energy sampled at every change
// point of its zone's intensity and at the end: Σ ΔE × CI(interval) / 3.6e6 g. Exact for
// piecewise-constant intensity, whatever happened between two samples.
#include <string>
#include <vector>

#include "carbon/carbon_series.hpp"
#include "records/energy_sample.hpp"

namespace ce {


struct IntervalCarbon {
  double t0, t1;
  double intensity;  // gCO2eq/kWh in force over [t0, t1)
  double energy_j;
  double carbon_g;
  double idle_energy_j = 0, idle_carbon_g = 0;
  double replica_energy_j = 0, replica_carbon_g = 0;  // of idle: replicas held and loaded
};


// The interval between two consecutive samples a, b of one consumer; false (nothing) when b.t <=
// a.t (samples at the same instant are merged: the next interval starts from b). RunAccountant
// calls it as each sample becomes final, so no run keeps its samples.
inline bool interval_between(const EnergySample& a, const EnergySample& b, const Timeline& tl, IntervalCarbon& out) {
  if (b.t <= a.t) return false;
  // Samples sit on the change points, so the intensity at the interval start holds throughout.
  const double ci = tl.at(a.t);
  const double de = b.energy_j - a.energy_j, di = b.idle_j - a.idle_j, dr = b.replica_j - a.replica_j;
  out = IntervalCarbon{a.t, b.t, ci, de, de * ci / kJoulesPerKWh, di, di * ci / kJoulesPerKWh, dr, dr * ci / kJoulesPerKWh};
  return true;
}

// Calls f(IntervalCarbon) for each interval between consecutive samples, in time order (tests,
// reference computations). samples must start at t = 0 with the energy at 0 and be sorted;
// consecutive samples with equal t are merged.
template <class F>
void for_each_interval(const std::vector<EnergySample>& samples, const Timeline& tl, F&& f) {
  IntervalCarbon x;
  for (size_t i = 1; i < samples.size(); ++i)
    if (interval_between(samples[i - 1], samples[i], tl, x)) f(x);
}

// The same intervals as a vector (tests, small runs).
std::vector<IntervalCarbon> integrate_carbon(const std::vector<EnergySample>& samples, const Timeline& tl);

struct ConsumerTotals {
  double energy_j = 0, carbon_g = 0;
  double idle_energy_j = 0, idle_carbon_g = 0;
  double replica_energy_j = 0, replica_carbon_g = 0;
};
// Adds one interval to the totals (the same additions, in the same order, as sum_intervals).
inline void add_interval(ConsumerTotals& t, const IntervalCarbon& x) {
  t.energy_j += x.energy_j;
  t.carbon_g += x.carbon_g;
  t.idle_energy_j += x.idle_energy_j;
  t.idle_carbon_g += x.idle_carbon_g;
  t.replica_energy_j += x.replica_energy_j;
  t.replica_carbon_g += x.replica_carbon_g;
}
ConsumerTotals sum_intervals(const std::vector<IntervalCarbon>& iv);

}  // namespace ce
