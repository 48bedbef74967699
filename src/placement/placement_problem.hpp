#pragma once
// Geographic placement of request streams on pools of hosts over one re-plan interval: the
// formulation of CarbonEdge (Wu et al., HPDC'25, arXiv 2502.14076, "Algorithm 1 / Eq. 7" as
// reconstructed in ../shared/reference/papers.md §3.2), solved by COIN-OR CBC.
//
//   min  Σ_a Σ_o x_ao · carbon_ao                      (placement: energy × the pool's intensity)
//      + Σ_p n_p · idle_g_p + Σ_p b_p · boot_g_p        (activation: hosts kept on, hosts switched on)
//   s.t. Σ_o x_ao = 1                          every stream on exactly one of its options
//        Σ_{a,o: pool p} x_ao · load_ao ≤ n_p · capacity_p    (capacity of the hosts on)
//        x_ao ≤ n_p for o on pool p              (x_ij ≤ y_j: a stream only on a pool that is on)
//        min_on_p ≤ n_p ≤ hosts_p              (running hosts are not switched off: y ≥ y_cur)
//        b_p ≥ n_p − on_now_p, b_p ≥ 0         (hosts switched on pay their boot)
//        x binary, n integer
//
// A stream's options are only the pools that meet its latency SLO (the caller filters: x_ij = 0
// if L_ij > ℓ_i). The paper's y_j (server on) is n_p here: a pool is a site's hosts of one kind,
// so a site is powered host by host and is off when all its pools are at 0. Pure: no SimGrid, no
// policy types; tests compare it with brute force (tests/unit/test_placement.cpp).
#include <cstdint>
#include <string>
#include <vector>

namespace ce {

struct PlacementPool {
  uint32_t hosts = 0;     // hosts in the pool
  uint32_t on_now = 0;    // hosts on (or booting) now
  uint32_t min_on = 0;    // hosts that must stay on (they are running work)
  double capacity = 0;    // load one host may take (core-seconds per second)
  double idle_g = 0;      // carbon of one host on over the interval (idle power)
  double boot_g = 0;      // carbon of switching one host on (its boot)
};

struct PlacementOption {
  uint32_t pool = 0;
  double load = 0;    // core-seconds per second the stream puts on the pool
  double carbon = 0;  // g over the interval: the stream's dynamic energy there × the intensity
};

struct PlacementStream {
  std::vector<PlacementOption> options;  // at least one
};

struct PlacementProblem {
  std::vector<PlacementPool> pools;
  std::vector<PlacementStream> streams;
};

struct PlacementLimits {
  long node_limit = 20000;   // branch-and-bound nodes (deterministic)
  double time_limit_s = 0;   // wall-clock limit; 0 = none (a limit makes results machine-dependent)
  double relative_gap = 1e-6;  // proven optimal: within this fraction of the best bound
};

struct PlacementSolution {
  std::vector<uint32_t> option;  // per stream: index into its options
  std::vector<uint32_t> on;      // per pool: hosts to keep on
  double objective = 0;          // g (evaluate())
  bool feasible = false;
  bool proven_optimal = false;   // CBC closed the gap within its limits
  bool solver_limited = false;   // CBC stopped at a limit: the best plan it had (never worse than greedy)
};

// The objective of an assignment with the fewest hosts on it allows; infeasible (capacity, or
// min_on above hosts) gives feasible = false.
PlacementSolution evaluate_placement(const PlacementProblem& p, const std::vector<uint32_t>& option);

// Streams in order, each on the option whose marginal cost (its carbon + the hosts it adds) is
// least given those placed before; infeasible when a stream fits nowhere. The solver's first
// incumbent and its fallback.
PlacementSolution greedy_placement(const PlacementProblem& p);

// The MILP above. When CBC stops at a limit its best plan is kept (at least as good as the greedy
// one it starts from); when it has none, the greedy plan. Infeasible problems: feasible = false.
// `start` (per stream an option index, e.g. the previous plan carried over; empty: none) is a
// second candidate incumbent: the better of it and the greedy plan seeds the search.
PlacementSolution solve_placement(const PlacementProblem& p, const PlacementLimits& limits = {},
                                  const std::vector<uint32_t>& start = {});

// Checks the problem's shape; "" when well-formed, else what is wrong (for callers' errors).
std::string check_placement(const PlacementProblem& p);

}  // namespace ce
