#include <coin/CbcModel.hpp>
#include <coin/CglGomory.hpp>
#include <coin/CglProbing.hpp>
#include <coin/CglMixedIntegerRounding2.hpp>
#include <coin/CglFlowCover.hpp>
#include <coin/CoinPackedMatrix.hpp>
#include <coin/OsiClpSolverInterface.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "placement/placement_problem.hpp"

namespace ce {

namespace {

// Hosts a pool needs for `load` (a relative tolerance: loads summed in another order must not
// round one host up).
uint32_t hosts_for(double load, double capacity) {
  if (load <= 0) return 0;
  return static_cast<uint32_t>(std::ceil(load / capacity * (1 - 1e-12)));
}

double pool_cost(const PlacementPool& p, uint32_t n) {
  return n * p.idle_g + (n > p.on_now ? (n - p.on_now) * p.boot_g : 0.0);
}

}  // namespace

std::string check_placement(const PlacementProblem& p) {
  for (size_t i = 0; i < p.pools.size(); ++i) {
    const PlacementPool& q = p.pools[i];
    if (!(q.capacity > 0) || !std::isfinite(q.capacity)) return "pool " + std::to_string(i) + ": capacity must be > 0";
    if (!(q.idle_g >= 0) || !(q.boot_g >= 0)) return "pool " + std::to_string(i) + ": costs must be >= 0";
  }
  for (size_t s = 0; s < p.streams.size(); ++s) {
    if (p.streams[s].options.empty()) return "stream " + std::to_string(s) + ": no option";
    for (const PlacementOption& o : p.streams[s].options)
      if (o.pool >= p.pools.size() || !(o.load >= 0) || !std::isfinite(o.carbon))
        return "stream " + std::to_string(s) + ": bad option";
  }
  return "";
}

PlacementSolution evaluate_placement(const PlacementProblem& p, const std::vector<uint32_t>& option) {
  PlacementSolution out;
  out.option = option;
  std::vector<double> load(p.pools.size(), 0.0);
  double carbon = 0;
  for (size_t s = 0; s < p.streams.size(); ++s) {
    const PlacementOption& o = p.streams[s].options.at(option.at(s));
    load[o.pool] += o.load;
    carbon += o.carbon;
  }
  out.on.resize(p.pools.size());
  out.feasible = true;
  for (size_t i = 0; i < p.pools.size(); ++i) {
    const PlacementPool& q = p.pools[i];
    out.on[i] = std::max(q.min_on, hosts_for(load[i], q.capacity));
    if (out.on[i] > q.hosts) out.feasible = false;
    carbon += pool_cost(q, out.on[i]);
  }
  out.objective = carbon;
  return out;
}

PlacementSolution greedy_placement(const PlacementProblem& p) {
  std::vector<double> load(p.pools.size(), 0.0);
  std::vector<uint32_t> choice(p.streams.size(), 0);
  for (size_t s = 0; s < p.streams.size(); ++s) {
    const auto& opts = p.streams[s].options;
    double best = std::numeric_limits<double>::infinity();
    for (uint32_t k = 0; k < opts.size(); ++k) {
      const PlacementOption& o = opts[k];
      const PlacementPool& q = p.pools[o.pool];
      const uint32_t before = std::max(q.min_on, hosts_for(load[o.pool], q.capacity));
      const uint32_t after = std::max(q.min_on, hosts_for(load[o.pool] + o.load, q.capacity));
      if (after > q.hosts) continue;
      const double cost = o.carbon + pool_cost(q, after) - pool_cost(q, before);
      if (cost < best) best = cost, choice[s] = k;
    }
    if (!std::isfinite(best)) {  // fits nowhere: report infeasible with some assignment
      PlacementSolution out = evaluate_placement(p, choice);
      out.feasible = false;
      return out;
    }
    load[opts[choice[s]].pool] += opts[choice[s]].load;
  }
  return evaluate_placement(p, choice);
}

PlacementSolution solve_placement(const PlacementProblem& p, const PlacementLimits& limits,
                                  const std::vector<uint32_t>& start) {
  PlacementSolution seed = greedy_placement(p);  // the first incumbent: the greedy plan or `start`
  if (start.size() == p.streams.size()) {
    bool valid = true;
    for (size_t s = 0; s < start.size(); ++s) valid = valid && start[s] < p.streams[s].options.size();
    if (valid) {
      PlacementSolution carried = evaluate_placement(p, start);
      if (carried.feasible && (!seed.feasible || carried.objective < seed.objective)) seed = carried;
    }
  }
  if (p.streams.empty()) return seed;
  // Columns: x (each stream's options in order), then n_p, then b_p.
  std::vector<size_t> first(p.streams.size() + 1, 0);
  for (size_t s = 0; s < p.streams.size(); ++s) first[s + 1] = first[s] + p.streams[s].options.size();
  const size_t nx = first.back(), np = p.pools.size(), ncols = nx + 2 * np;
  auto n_col = [&](size_t i) { return static_cast<int>(nx + i); };
  auto b_col = [&](size_t i) { return static_cast<int>(nx + np + i); };

  OsiClpSolverInterface si;
  const double inf = si.getInfinity();
  std::vector<double> collb(ncols, 0.0), colub(ncols, 1.0), obj(ncols, 0.0);
  CoinPackedMatrix A(false, 0, 0);
  A.setDimensions(0, static_cast<int>(ncols));
  std::vector<double> rowlb, rowub;
  std::vector<CoinPackedVector> capacity(np);
  for (size_t s = 0; s < p.streams.size(); ++s) {
    CoinPackedVector one;
    for (size_t k = 0; k < p.streams[s].options.size(); ++k) {
      const PlacementOption& o = p.streams[s].options[k];
      const int c = static_cast<int>(first[s] + k);
      obj[c] = o.carbon;
      one.insert(c, 1.0);
      if (o.load > 0) capacity[o.pool].insert(c, o.load);
    }
    A.appendRow(one);
    rowlb.push_back(1.0), rowub.push_back(1.0);
    // x_ao ≤ n_p (the paper's x_ij ≤ y_j): implied by capacity for integers, but without it the
    // LP relaxation opens a sliver of a host per stream (load / capacity) and ignores idle carbon,
    // and branch-and-bound explodes on this facility-location structure.
    for (size_t k = 0; k < p.streams[s].options.size(); ++k) {
      CoinPackedVector open;
      open.insert(static_cast<int>(first[s] + k), 1.0);
      open.insert(n_col(p.streams[s].options[k].pool), -1.0);
      A.appendRow(open);
      rowlb.push_back(-inf), rowub.push_back(0.0);
    }
  }
  for (size_t i = 0; i < np; ++i) {
    const PlacementPool& q = p.pools[i];
    collb[n_col(i)] = q.min_on, colub[n_col(i)] = q.hosts, obj[n_col(i)] = q.idle_g;
    colub[b_col(i)] = inf, obj[b_col(i)] = q.boot_g;
    capacity[i].insert(n_col(i), -q.capacity);
    A.appendRow(capacity[i]);
    rowlb.push_back(-inf), rowub.push_back(0.0);
    CoinPackedVector boot;
    boot.insert(n_col(i), 1.0);
    boot.insert(b_col(i), -1.0);
    A.appendRow(boot);
    rowlb.push_back(-inf), rowub.push_back(q.on_now);
  }
  si.messageHandler()->setLogLevel(0);
  si.loadProblem(A, collb.data(), colub.data(), obj.data(), rowlb.data(), rowub.data());
  for (size_t c = 0; c < nx + np; ++c) si.setInteger(static_cast<int>(c));

  CbcModel cbc(si);
  cbc.setLogLevel(0);
  cbc.messageHandler()->setLogLevel(0);
  cbc.setMaximumNodes(static_cast<int>(std::min<long>(limits.node_limit, std::numeric_limits<int>::max())));
  if (limits.time_limit_s > 0) cbc.setMaximumSeconds(limits.time_limit_s);
  cbc.setAllowableGap(0.0);
  cbc.setAllowableFractionGap(limits.relative_gap);
  // Cut generators, as CBC's own driver adds them: the facility-location structure (a stream on a
  // pool only if the pool has a host on) leaves fractional LP optima that plain branching closes
  // slowly; probing, Gomory, MIR and flow cuts at the nodes closed a CDN-scale solve (400 streams,
  // 300 pools) at the root or within tens of nodes instead of hundreds (docs/policies.md "geo-carbon").
  CglProbing probing;
  probing.setUsingObjective(1);
  probing.setMaxPass(1);
  probing.setMaxProbe(10);
  probing.setMaxLook(10);
  CglGomory gomory;
  CglMixedIntegerRounding2 mir;
  CglFlowCover flow;
  cbc.addCutGenerator(&probing, -1, "Probing");
  cbc.addCutGenerator(&gomory, -1, "Gomory");
  cbc.addCutGenerator(&mir, -1, "MixedIntegerRounding2");
  cbc.addCutGenerator(&flow, -1, "FlowCover");
  if (seed.feasible) {  // a cutoff from the start
    std::vector<double> x(ncols, 0.0);
    for (size_t s = 0; s < p.streams.size(); ++s) x[first[s] + seed.option[s]] = 1.0;
    for (size_t i = 0; i < np; ++i) {
      x[n_col(i)] = seed.on[i];
      x[b_col(i)] = seed.on[i] > p.pools[i].on_now ? seed.on[i] - p.pools[i].on_now : 0.0;
    }
    cbc.setBestSolution(x.data(), static_cast<int>(x.size()), seed.objective, true);
  }
  cbc.branchAndBound();
  const double* x = cbc.bestSolution();
  if (x == nullptr) {  // no plan at all: infeasible (or the limit came before the first one)
    PlacementSolution out = seed;
    out.solver_limited = !cbc.isProvenInfeasible();
    return out;
  }
  std::vector<uint32_t> choice(p.streams.size(), 0);
  for (size_t s = 0; s < p.streams.size(); ++s) {
    double best = -1;
    for (size_t k = 0; k < p.streams[s].options.size(); ++k)
      if (x[first[s] + k] > best) best = x[first[s] + k], choice[s] = static_cast<uint32_t>(k);
  }
  // The objective is recomputed exactly from the assignment (the solver's values carry tolerances).
  PlacementSolution out = evaluate_placement(p, choice);
  if (!out.feasible || (seed.feasible && seed.objective < out.objective)) out = seed;
  out.proven_optimal = cbc.isProvenOptimal();
  out.solver_limited = !out.proven_optimal;
  return out;
}

}  // namespace ce
