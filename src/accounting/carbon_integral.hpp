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
};


// samples must start at t = 0 with the energy at 0 and be sorted; consecutive samples with equal
// t are merged.
std::vector<IntervalCarbon> integrate_carbon(const std::vector<EnergySample>& samples, const Timeline& tl);

struct ConsumerTotals {
  double energy_j = 0, carbon_g = 0;
  double idle_energy_j = 0, idle_carbon_g = 0;
};
ConsumerTotals sum_intervals(const std::vector<IntervalCarbon>& iv);

}  // namespace ce
