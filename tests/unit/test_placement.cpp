// The geographic placement MILP (src/placement/): a hand-computed instance, and CBC's plans
// against brute force (every assignment enumerated) on random small instances.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "placement/placement_problem.hpp"

using namespace ce;

namespace {

PlacementSolution brute_force(const PlacementProblem& p) {
  PlacementSolution best;
  best.objective = std::numeric_limits<double>::infinity();
  std::vector<uint32_t> choice(p.streams.size(), 0);
  while (true) {
    const PlacementSolution s = evaluate_placement(p, choice);
    if (s.feasible && s.objective < best.objective) best = s;
    size_t i = 0;
    for (; i < choice.size(); ++i) {
      if (++choice[i] < p.streams[i].options.size()) break;
      choice[i] = 0;
    }
    if (i == choice.size()) break;
  }
  return best;
}

}  // namespace

TEST_CASE("placement: a hand-computed instance", "[placement]") {
  // Two pools: a clean one with one host already on (capacity 1 core-s/s) and a dirty one with two
  // hosts on. Stream A (load 0.6) and stream B (load 0.6) can each go to either.
  PlacementProblem p;
  p.pools = {{/*hosts*/ 2, /*on_now*/ 1, /*min_on*/ 0, /*capacity*/ 1.0, /*idle_g*/ 10, /*boot_g*/ 3},
             {2, 2, 1, 1.0, 40, 3}};
  p.streams = {{{{0, 0.6, 1.0}, {1, 0.6, 8.0}}}, {{{0, 0.6, 1.0}, {1, 0.6, 8.0}}}};
  // Both in the clean pool: 2 hosts there (one boot: 3 g), the dirty pool keeps its running host:
  // 1 + 1 + 2·10 + 3 + 1·40 = 65. One each: 1 + 8 + 10 + 40 = 59. Both dirty: 16 + 2·40 + 0 = 96 (+ pool 0 at 0).
  const PlacementSolution s = solve_placement(p);
  REQUIRE(s.feasible);
  CHECK(s.proven_optimal);
  CHECK(s.objective == Approx(59).epsilon(1e-12));
  CHECK(s.on[0] == 1);
  CHECK(s.on[1] == 1);
  CHECK(evaluate_placement(p, {0, 0}).objective == Approx(65));
  CHECK(evaluate_placement(p, {1, 1}).objective == Approx(96));
  // min_on is kept even with no load: the running host of pool 1 stays on.
  CHECK(evaluate_placement(p, {0, 0}).on[1] == 1);
}

TEST_CASE("placement: over capacity everywhere is infeasible", "[placement]") {
  PlacementProblem p;
  p.pools = {{1, 1, 0, 1.0, 1, 0}};
  p.streams = {{{{0, 0.7, 1}}}, {{{0, 0.7, 1}}}};
  CHECK_FALSE(solve_placement(p).feasible);
  CHECK_FALSE(greedy_placement(p).feasible);
  CHECK(check_placement(p).empty());
  p.streams.push_back({});
  CHECK(check_placement(p) == "stream 2: no option");
}

TEST_CASE("placement: CBC matches brute force on random small instances", "[placement]") {
  std::mt19937_64 rng(20261201);
  std::uniform_real_distribution<double> u(0, 1);
  int feasible = 0, greedy_worse = 0;
  for (int trial = 0; trial < 300; ++trial) {
    PlacementProblem p;
    const int pools = 1 + static_cast<int>(rng() % 4), streams = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < pools; ++i) {
      PlacementPool q;
      q.hosts = 1 + rng() % 3;
      q.on_now = rng() % (q.hosts + 1);
      q.min_on = rng() % (q.on_now + 1);
      q.capacity = 0.5 + u(rng);
      q.idle_g = 20 * u(rng);
      q.boot_g = 5 * u(rng);
      p.pools.push_back(q);
    }
    for (int s = 0; s < streams; ++s) {
      PlacementStream st;
      const int options = 1 + static_cast<int>(rng() % pools);
      std::vector<uint32_t> which(pools);
      for (int i = 0; i < pools; ++i) which[i] = i;
      std::shuffle(which.begin(), which.end(), rng);
      for (int k = 0; k < options; ++k) st.options.push_back({which[k], 0.9 * u(rng), 10 * u(rng)});
      p.streams.push_back(st);
    }
    REQUIRE(check_placement(p).empty());
    const PlacementSolution want = brute_force(p);
    const PlacementSolution got = solve_placement(p);
    const PlacementSolution greedy = greedy_placement(p);
    INFO("trial " << trial);
    REQUIRE(got.feasible == want.feasible);
    if (!want.feasible) continue;
    ++feasible;
    CHECK(got.proven_optimal);
    CHECK(got.objective == Approx(want.objective).epsilon(1e-9));
    // The reported objective is the assignment's own (evaluate_placement), not the solver's value.
    CHECK(evaluate_placement(p, got.option).objective == got.objective);
    if (greedy.feasible) {
      CHECK(greedy.objective >= want.objective - 1e-9);
      if (greedy.objective > want.objective + 1e-9) ++greedy_worse;
    }
  }
  CHECK(feasible > 150);
  CHECK(greedy_worse > 0);  // the instances are hard enough that the MILP matters
}

TEST_CASE("placement: a node limit keeps the best plan found, never worse than greedy", "[placement]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  PlacementProblem p;
  for (int i = 0; i < 30; ++i) p.pools.push_back({3, 3, 0, 1.0, 5 + 10 * u(rng), 2 * u(rng)});
  for (int s = 0; s < 200; ++s) {
    PlacementStream st;
    for (int k = 0; k < 8; ++k) st.options.push_back({static_cast<uint32_t>(rng() % 30), 0.3 * u(rng), 10 * u(rng)});
    p.streams.push_back(st);
  }
  PlacementLimits tight;
  tight.node_limit = 1;
  const PlacementSolution limited = solve_placement(p, tight);
  const PlacementSolution greedy = greedy_placement(p);
  REQUIRE(greedy.feasible);
  REQUIRE(limited.feasible);
  CHECK(limited.objective <= greedy.objective + 1e-9);
  PlacementLimits more;
  more.node_limit = 50;
  const PlacementSolution full = solve_placement(p, more);
  CHECK(full.objective <= limited.objective + 1e-9);
  // Deterministic: the same problem and limits give the same plan.
  CHECK(solve_placement(p, tight).option == limited.option);
}
