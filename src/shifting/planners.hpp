#pragma once
// Online-style planners for one elastic job over a forecast (the slots' intensities as the planner
// believes them; evaluate() the plan against the true intensities to charge it). Each returns a
// plan of the model of elastic_job.hpp; `feasible` is false when even the plan's best effort does
// not complete the job in the window (the plan then runs as much as it can).
#include "shifting/elastic_job.hpp"

namespace ce {

// Carbon-agnostic: `workers` workers from the first slot on, in time order, until done.
SlotPlan plan_carbon_agnostic(const ElasticJob& job, const SlotGrid& grid, uint32_t workers);

// Suspend-resume (Let's Wait Awhile, interruptible; CarbonScaler's deadline-aware baseline): the
// job's minimum workers in the cleanest slots of the window that complete it.
SlotPlan plan_suspend_resume(const ElasticJob& job, const SlotGrid& grid);

// CarbonScaler (Hanafy et al., SIGMETRICS'24, Algorithm 1): repeatedly grant the admissible
// (slot, next worker) with the most marginal throughput per marginal gram — a slot opens with the
// minimum block, then grows one worker at a time — until the granted capacity completes the job;
// the last slots are then used only as much as needed (fill_cheapest). Optimal in the paper's
// fluid model when marginal throughput per marginal watt does not increase with k.
SlotPlan plan_carbon_scaler(const ElasticJob& job, const SlotGrid& grid);

}  // namespace ce
