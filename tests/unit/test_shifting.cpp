// Time-shifting planners and their offline optimum (src/shifting): hand-computed plans, and on
// random small instances the optimum equals a brute-force enumeration and is at most every
// planner's carbon.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <random>

#include "shifting/optimum.hpp"
#include "shifting/planners.hpp"

namespace {

// Every worker-count vector k_t ∈ {0} ∪ [m, M], each with its cheapest use of the slots.
ce::SlotPlan brute_force(const ce::ElasticJob& job, const ce::SlotGrid& grid) {
  const size_t n = grid.intensity.size();
  std::vector<uint32_t> choices = {0};
  for (uint32_t k = job.min_workers; k <= job.profile.max_workers(); ++k) choices.push_back(k);
  ce::SlotPlan best;
  best.carbon_g = INFINITY;
  std::vector<size_t> digit(n, 0);
  while (true) {
    ce::SlotPlan p;
    for (size_t t = 0; t < n; ++t) p.workers.push_back(choices[digit[t]]);
    ce::fill_cheapest(job, grid, p);
    if (p.feasible && p.carbon_g < best.carbon_g) best = p;
    size_t t = 0;
    while (t < n && ++digit[t] == choices.size()) digit[t++] = 0;
    if (t == n) break;
  }
  return best;
}

ce::ElasticJob job_of(double items, ce::ScalingProfile p, uint32_t min_workers = 1) {
  ce::ElasticJob j;
  j.items = items;
  j.min_workers = min_workers;
  j.profile = std::move(p);
  return j;
}

}  // namespace

TEST_CASE("shifting: three slots by hand (linear scaling)", "[shifting]") {
  // 1 item/s and 100 W per worker, up to 2 workers; two worker-hours of work; 10, 100, 20 g/kWh.
  // One worker-hour is 0.1 kWh: 1 g in the first slot, 10 g in the second, 2 g in the third.
  const ce::ElasticJob job = job_of(7200, ce::linear_profile(1, 100, 2));
  const ce::SlotGrid grid{3600, {10, 100, 20}, {}};
  CHECK(ce::check_job(job, grid).empty());
  const ce::SlotPlan agnostic = ce::plan_carbon_agnostic(job, grid, 1);
  CHECK(agnostic.carbon_g == Approx(11.0));  // slots 1 and 2
  CHECK(agnostic.energy_j == Approx(720000));
  const ce::SlotPlan sr = ce::plan_suspend_resume(job, grid);
  CHECK(sr.carbon_g == Approx(3.0));  // slots 1 and 3
  CHECK(sr.workers == std::vector<uint32_t>{1, 0, 1});
  const ce::SlotPlan cs = ce::plan_carbon_scaler(job, grid);
  CHECK(cs.carbon_g == Approx(2.0));  // both workers in the first slot
  CHECK(cs.workers == std::vector<uint32_t>{2, 0, 0});
  const ce::OptimalPlan opt = ce::optimal_plan(job, grid);
  CHECK(opt.proven_optimal);
  CHECK(opt.plan.carbon_g == Approx(2.0));
  CHECK(ce::relaxed_bound_g(job, grid) == Approx(2.0));
  for (const auto* p : {&agnostic, &sr, &cs, &opt.plan}) CHECK(p->feasible);
}

TEST_CASE("shifting: three slots by hand (diminishing returns, CarbonScaler's example)", "[shifting]") {
  // Throughput 1 and 1.7 items/s with 1 and 2 workers (100 W each). The greedy grants slot 1's
  // first worker (1/(100·10)), its second (0.7/(100·10)), then slot 3's first (1/(100·20)):
  // 3600·1.7 = 6120 items in slot 1 (0.2 kWh · 10 = 2 g), the remaining 1080 in 0.3 of slot 3
  // (0.03 kWh · 20 = 0.6 g): 2.6 g, against 3 g for suspend-resume and 11 g run at once.
  const ce::ElasticJob job = job_of(7200, ce::table_profile({1.0, 1.7}, 100));
  const ce::SlotGrid grid{3600, {10, 100, 20}, {}};
  const ce::SlotPlan cs = ce::plan_carbon_scaler(job, grid);
  CHECK(cs.workers == std::vector<uint32_t>{2, 0, 1});
  CHECK(cs.use[2] == Approx(0.3));
  CHECK(cs.carbon_g == Approx(2.6));
  CHECK(ce::plan_suspend_resume(job, grid).carbon_g == Approx(3.0));
  CHECK(ce::plan_carbon_agnostic(job, grid, 1).carbon_g == Approx(11.0));
  const ce::OptimalPlan opt = ce::optimal_plan(job, grid);
  CHECK(opt.plan.carbon_g == Approx(2.6));
  CHECK(brute_force(job, grid).carbon_g == Approx(2.6));
  CHECK(ce::relaxed_bound_g(job, grid) <= 2.6 + 1e-9);
}

TEST_CASE("shifting: the optimum equals brute force and is at most every planner, on random instances",
          "[shifting]") {
  std::mt19937_64 rng(20261130);
  std::uniform_real_distribution<double> u01(0, 1);
  int feasible = 0, strictly_better_than_greedy = 0;
  for (int trial = 0; trial < 150; ++trial) {
    const size_t n = 1 + rng() % 5;
    const uint32_t M = 1 + static_cast<uint32_t>(rng() % 3);
    const uint32_t m = 1 + static_cast<uint32_t>(rng() % M);
    std::vector<double> thr;
    double t = 0;
    for (uint32_t k = 0; k < M; ++k) thr.push_back(t += 0.2 + u01(rng));  // increasing, any shape
    ce::ScalingProfile p = ce::table_profile(thr, 10 + 90 * u01(rng));
    if (trial % 3 == 0)  // power that is not proportional to the workers
      for (uint32_t k = 1; k <= M; ++k) p.power_w[k] *= 0.6 + 0.8 * u01(rng);
    ce::SlotGrid grid{600 + 3000 * u01(rng), {}, {}};
    for (size_t s = 0; s < n; ++s) grid.intensity.push_back(trial % 7 == 0 && s == 0 ? 0.0 : 500 * u01(rng));
    const double capacity = grid.slot_s * p.throughput[M] * static_cast<double>(n);
    const ce::ElasticJob job = job_of(capacity * (0.05 + 1.0 * u01(rng)), p, m);  // some infeasible
    INFO("trial " << trial);
    const ce::SlotPlan bf = brute_force(job, grid);
    const ce::OptimalPlan opt = ce::optimal_plan(job, grid);
    REQUIRE(opt.plan.feasible == std::isfinite(bf.carbon_g));
    if (!opt.plan.feasible) {
      CHECK(ce::relaxed_bound_g(job, grid) == INFINITY);
      CHECK_FALSE(ce::plan_carbon_scaler(job, grid).feasible);
      continue;
    }
    ++feasible;
    CHECK(opt.proven_optimal);
    CHECK(opt.plan.carbon_g == Approx(bf.carbon_g).epsilon(1e-7).margin(1e-12));
    CHECK(opt.plan.items >= job.items * (1 - 1e-9));
    CHECK(ce::relaxed_bound_g(job, grid) <= opt.plan.carbon_g * (1 + 1e-7) + 1e-12);
    const ce::SlotPlan cs = ce::plan_carbon_scaler(job, grid);
    const ce::SlotPlan sr = ce::plan_suspend_resume(job, grid);
    for (const ce::SlotPlan* q : {&cs, &sr}) {
      if (!q->feasible) continue;
      CHECK(opt.plan.carbon_g <= q->carbon_g * (1 + 1e-9) + 1e-12);
    }
    for (uint32_t k = m; k <= M; ++k) {
      const ce::SlotPlan ag = ce::plan_carbon_agnostic(job, grid, k);
      if (ag.feasible) CHECK(opt.plan.carbon_g <= ag.carbon_g * (1 + 1e-9) + 1e-12);
    }
    if (cs.feasible && opt.plan.carbon_g < cs.carbon_g * (1 - 1e-6)) ++strictly_better_than_greedy;
  }
  CHECK(feasible > 80);  // the instances exercise the feasible case...
  CHECK(strictly_better_than_greedy > 0);  // ...and ones where the greedy is not optimal
}

TEST_CASE("shifting: a malformed job is refused with one line", "[shifting]") {
  ce::ElasticJob job = job_of(100, ce::linear_profile(1, 10, 2));
  ce::SlotGrid grid{3600, {100}, {}};
  job.min_workers = 3;
  CHECK(ce::check_job(job, grid) == "min_workers must be in [1, 2] (got 3)");
  CHECK_THROWS_AS(ce::optimal_plan(job, grid), std::invalid_argument);
  job.min_workers = 1;
  grid.intensity.clear();
  CHECK(ce::check_job(job, grid) == "the job's window holds no slot");
  grid.intensity = {-1};
  CHECK(ce::check_job(job, grid) == "every slot's intensity must be finite and >= 0");
  CHECK_THROWS_AS(ce::table_profile({2.0, 1.0}, 10), std::invalid_argument);
  CHECK_THROWS_AS(ce::amdahl_profile(1, 1.5, 10, 4), std::invalid_argument);
}

TEST_CASE("shifting: a week of hourly slots with 20 workers solves quickly", "[shifting]") {
  // 8 days of a daily swing (100–500 g/kWh) with hour-to-hour noise, as real series have (an exact
  // sine repeats each value 16 times, and those ties make branch and bound crawl), Amdahl 0.95,
  // 20 workers: 3,840 binaries.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 20);
  ce::SlotGrid grid{3600, {}, {}};
  for (int h = 0; h < 8 * 24; ++h) grid.intensity.push_back(300 + 200 * std::sin(h * 2 * M_PI / 24) + noise(rng));
  const ce::ElasticJob job = job_of(30 * 24 * 3600, ce::amdahl_profile(1, 0.95, 50, 20));
  const auto t0 = std::chrono::steady_clock::now();
  const ce::OptimalPlan opt = ce::optimal_plan(job, grid);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(opt.plan.feasible);
  CHECK(opt.proven_optimal);
  CHECK(secs < 60);
  const ce::SlotPlan cs = ce::plan_carbon_scaler(job, grid);
  CHECK(opt.plan.carbon_g <= cs.carbon_g * (1 + 1e-9));
  const ce::SlotPlan now = ce::plan_carbon_agnostic(job, grid, 20);
  REQUIRE(now.feasible);
  CHECK(opt.plan.carbon_g < now.carbon_g);
}
