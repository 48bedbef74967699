#pragma once
// Metrics that compare each policy of a run with the reference policy named in the experiment
// (`metrics: {reference: LABEL}`), added to every summary as `vs_reference` (each one is a
// vs_reference.* entry of the metric registry, output/metric_registry.cpp):
//   delta_top1_pp, delta_top5_pp   accuracy gained over the reference (percentage points)
//   delta_carbon_g, carbon_change  extra CO2 over the reference (grams; relative)
//   cee_top1, cee_top5             carbon-emission efficiency = Δaccuracy / ΔCO2 (points per gram;
//                                  null where ΔCO2 = 0), the metric of arXiv 2403.15824 as
//                                  reconstructed in papers.md §2.2
// Totals, not per-inference figures: every policy of a run sees the same arrivals.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "config/experiment.hpp"

namespace ce {

using PolicyRows = std::vector<std::pair<PolicySpec, nlohmann::json>>;

// Adds `vs_reference` to every row's summary; does nothing when `reference` is empty.
void add_reference_metrics(PolicyRows& rows, const std::string& reference);

}  // namespace ce
