#pragma once
// Least-squares fit of the per-op-class cost model t = per_mac·MACs + per_byte·bytes + fixed
// (models/cost_model.hpp) to measured kernel medians, with every coefficient >= 0.
#include <string>
#include <vector>

#include "config/platform_spec.hpp"

namespace ce::calib {

struct FitSample {
  double macs = 0, bytes = 0;
  double seconds = 0;  // measured median
  double weight = 1;   // e.g. occurrences of this shape in the fit models
};

struct ClassFit {
  OpCost cost;
  int samples = 0;
  double rms_rel_residual = 0;   // sqrt(weighted mean of ((pred - t) / t)^2)
  double total_rel_error = 0;    // (Σ w·pred - Σ w·t) / Σ w·t: error on the class's summed time
  double r2 = 0;                 // of the weighted fit, on seconds
  std::string terms;             // coefficients kept, e.g. "mac+byte+fixed"
};

// Non-negative weighted least squares over the three features. The residual is weighted by
// weight / t (between absolute and relative error: big ops dominate less than in plain least
// squares, tiny ops do not dominate as in purely relative fits). With three features the exact
// NNLS solution is the best of the 7 feature subsets whose unconstrained solution is >= 0.
ClassFit fit_op_cost(const std::vector<FitSample>& samples);

}  // namespace ce::calib
