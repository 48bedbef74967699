#pragma once
// The offline optimum of one elastic job with perfect knowledge of the intensities: the cheapest
// plan of the model of elastic_job.hpp (one worker count per slot, any part of each slot used),
// solved as a mixed-integer program by COIN-OR CBC, and the bound of its LP relaxation (Clp) in
// which a slot may also mix worker counts. Every planner's plan costs at least the optimum; the
// relaxation is at most it.
#include "shifting/elastic_job.hpp"

namespace ce {

struct OptimumOptions {
  double time_limit_s = 60;  // CBC gives up after this (the plan is then not proven optimal)
  double relative_gap = 1e-7;  // proven optimal: within this fraction of the best bound
};

struct OptimalPlan {
  SlotPlan plan;
  bool proven_optimal = false;  // CBC closed the gap (OptimumOptions::relative_gap) within the time limit
};

// Throws std::invalid_argument with check_job's message on a malformed job or grid. An
// infeasible job (even max workers in every slot do not complete it) gives plan.feasible = false
// and the plan of max workers everywhere.
OptimalPlan optimal_plan(const ElasticJob& job, const SlotGrid& grid, const OptimumOptions& opt = {});

// The LP relaxation's optimum (grams): a lower bound of optimal_plan's carbon. Infinity when infeasible.
double relaxed_bound_g(const ElasticJob& job, const SlotGrid& grid);

}  // namespace ce
