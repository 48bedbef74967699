#include "shifting/optimum.hpp"

#include "shifting/planners.hpp"

#include <coin/CbcModel.hpp>
#include <coin/CoinPackedMatrix.hpp>
#include <coin/OsiClpSolverInterface.hpp>

#include <limits>
#include <stdexcept>

namespace ce {

namespace {

constexpr double kJoulesPerKWh = 3.6e6;

// Columns: for each slot t and worker count k in [m, M], v(t,k) = the part of slot t run with k
// workers, then (MILP only) z(t,k) = 1 when slot t runs with k workers.
// Rows: Σ v·seconds(t)·throughput[k] ≥ items; per slot Σ_k z ≤ 1 (MILP) or Σ_k v ≤ 1 (LP);
// v(t,k) − z(t,k) ≤ 0 (MILP).
struct Model {
  size_t levels = 0;  // M − m + 1
  OsiClpSolverInterface si;
};

void build(const ElasticJob& job, const SlotGrid& grid, bool integer, Model& out) {
  const std::string bad = check_job(job, grid);
  if (!bad.empty()) throw std::invalid_argument(bad);
  const ScalingProfile& p = job.profile;
  const uint32_t m = job.min_workers, M = p.max_workers();
  const size_t n = grid.intensity.size(), L = M - m + 1;
  const size_t nv = n * L, ncols = integer ? 2 * nv : nv;
  auto v = [&](size_t t, size_t l) { return static_cast<int>(t * L + l); };
  auto z = [&](size_t t, size_t l) { return static_cast<int>(nv + t * L + l); };
  const double inf = out.si.getInfinity();
  std::vector<double> collb(ncols, 0.0), colub(ncols, 1.0), obj(ncols, 0.0);
  for (size_t t = 0; t < n; ++t)
    for (size_t l = 0; l < L; ++l)
      obj[v(t, l)] = grid.seconds(t) * p.power_w[m + l] * grid.intensity[t] / kJoulesPerKWh;
  CoinPackedMatrix A(false, 0, 0);
  A.setDimensions(0, static_cast<int>(ncols));
  std::vector<double> rowlb, rowub;
  {  // the work
    CoinPackedVector row;
    for (size_t t = 0; t < n; ++t)
      for (size_t l = 0; l < L; ++l) row.insert(v(t, l), grid.seconds(t) * p.throughput[m + l]);
    A.appendRow(row);
    rowlb.push_back(job.items);
    rowub.push_back(inf);
  }
  for (size_t t = 0; t < n; ++t) {  // one worker count per slot (MILP) / the slot's time (LP)
    CoinPackedVector row;
    for (size_t l = 0; l < L; ++l) row.insert(integer ? z(t, l) : v(t, l), 1.0);
    A.appendRow(row);
    rowlb.push_back(-inf);
    rowub.push_back(1.0);
  }
  if (integer)
    for (size_t t = 0; t < n; ++t)
      for (size_t l = 0; l < L; ++l) {
        CoinPackedVector row;
        row.insert(v(t, l), 1.0);
        row.insert(z(t, l), -1.0);
        A.appendRow(row);
        rowlb.push_back(-inf);
        rowub.push_back(0.0);
      }
  out.levels = L;
  out.si.messageHandler()->setLogLevel(0);
  out.si.loadProblem(A, collb.data(), colub.data(), obj.data(), rowlb.data(), rowub.data());
  if (integer)
    for (size_t c = nv; c < ncols; ++c) out.si.setInteger(static_cast<int>(c));
}

SlotPlan max_everywhere(const ElasticJob& job, const SlotGrid& grid) {
  SlotPlan plan;
  plan.workers.assign(grid.intensity.size(), job.profile.max_workers());
  plan.use.assign(grid.intensity.size(), 1.0);
  evaluate(job, grid, plan);
  return plan;
}

}  // namespace

OptimalPlan optimal_plan(const ElasticJob& job, const SlotGrid& grid, const OptimumOptions& opt) {
  Model model;
  build(job, grid, true, model);
  OptimalPlan out;
  const SlotPlan most = max_everywhere(job, grid);
  if (!most.feasible) {
    out.plan = most;
    return out;
  }
  CbcModel cbc(model.si);
  cbc.setLogLevel(0);
  cbc.messageHandler()->setLogLevel(0);
  cbc.setMaximumSeconds(opt.time_limit_s);
  cbc.setAllowableGap(0.0);
  cbc.setAllowableFractionGap(opt.relative_gap);
  {  // CarbonScaler's plan as the first incumbent: B&B starts with a good cutoff
    const SlotPlan start = plan_carbon_scaler(job, grid);
    if (start.feasible) {
      const size_t n = grid.intensity.size(), L = model.levels;
      std::vector<double> x(2 * n * L, 0.0);
      for (size_t t = 0; t < n; ++t)
        if (start.workers[t] > 0) {
          const size_t l = start.workers[t] - job.min_workers;
          x[t * L + l] = start.use[t];
          x[n * L + t * L + l] = 1.0;
        }
      cbc.setBestSolution(x.data(), static_cast<int>(x.size()), start.carbon_g, true);
    }
  }
  cbc.branchAndBound();
  const double* x = cbc.bestSolution();
  if (x == nullptr) throw std::runtime_error("CBC found no plan within the time limit");
  const size_t n = grid.intensity.size(), L = model.levels;
  SlotPlan& plan = out.plan;
  plan.workers.assign(n, 0);
  plan.use.assign(n, 0.0);
  for (size_t t = 0; t < n; ++t)
    for (size_t l = 0; l < L; ++l) {
      const double u = x[t * L + l];
      if (u > 1e-12 && x[n * L + t * L + l] > 0.5) {
        plan.workers[t] = job.min_workers + static_cast<uint32_t>(l);
        plan.use[t] = std::min(u, 1.0);
      }
    }
  // The solver's values carry its tolerances: the cheapest use of the chosen worker counts is
  // computed exactly (it can only lower the carbon and never loses work).
  fill_cheapest(job, grid, plan);
  out.proven_optimal = cbc.isProvenOptimal();
  return out;
}

double relaxed_bound_g(const ElasticJob& job, const SlotGrid& grid) {
  Model model;
  build(job, grid, false, model);
  model.si.initialSolve();
  if (!model.si.isProvenOptimal()) return std::numeric_limits<double>::infinity();
  return model.si.getObjValue();
}

}  // namespace ce
