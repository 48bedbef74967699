// oracle: the offline optimum with perfect knowledge of the intensities (docs/policies.md). A
// batch job is planned over its slots with the actual intensities by the MILP of
// shifting/optimum.hpp (COIN-OR CBC), once, at its arrival: its worker count per slot. At every
// slot boundary the use of those slots is recomputed for what is left (fill_cheapest, exact), so
// execution details (a request straddling a boundary, a quota rounded to whole requests) are
// absorbed; counts that fall short are grown (repair), the MILP re-solved only if that fails.
// oracle_batch_bound() is the
// LP relaxation of the same model over each job's whole window (policy/oracle_bound.hpp): the lower
// bound every policy's batch carbon is compared with (regret_vs_oracle).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include "policy/batch_policy.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/oracle_bound.hpp"
#include "shifting/optimum.hpp"

namespace ce {

namespace {

// The stored counts fall short (execution lagged the fluid plan: a request straddled a boundary):
// one more worker at a time in the slot where it adds work most cheaply — the marginal step of
// CarbonScaler's greedy from the optimum's counts — until they finish the job. The counts grow
// for good (stored), so later slots keep the extra capacity.
void repair(const JobPlanInput& in, SlotPlan& plan, std::vector<uint32_t>& counts, int64_t offset) {
  const ScalingProfile& p = in.rest.profile;
  const uint32_t M = p.max_workers();
  for (int guard = 0; !plan.feasible && guard < 1 << 20; ++guard) {
    size_t best = plan.workers.size();
    double best_value = -1;
    for (size_t t = 0; t < plan.workers.size(); ++t) {
      const uint32_t k = plan.workers[t], to = k == 0 ? in.rest.min_workers : k + 1;
      if (k >= M) continue;
      const double items = p.throughput[to] - p.throughput[k];
      const double g = (p.power_w[to] - p.power_w[k]) * in.truth.intensity[t];
      const double value = g > 0 ? items / g : std::numeric_limits<double>::infinity();
      if (value > best_value) best = t, best_value = value;
    }
    if (best == plan.workers.size()) return;  // every slot at its maximum
    plan.workers[best] = plan.workers[best] == 0 ? in.rest.min_workers : plan.workers[best] + 1;
    const int64_t i = offset + static_cast<int64_t>(best);
    if (i >= 0 && i < static_cast<int64_t>(counts.size())) counts[static_cast<size_t>(i)] = plan.workers[best];
    std::vector<uint32_t> keep = plan.workers;
    fill_cheapest(in.rest, in.truth, plan);
    plan.workers = keep;  // fill_cheapest zeroes unused slots: keep the grown counts for the next try
    if (plan.feasible) fill_cheapest(in.rest, in.truth, plan);
  }
}

}  // namespace

std::unique_ptr<Policy> make_oracle(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"host", "variant", "slot", "margin", "time_limit"});
  OptimumOptions opt;
  opt.time_limit_s = p.quantity_or("time_limit", Unit::Duration, 30);
  opt.relative_gap = 1e-4;  // a plan within 0.01% of the proven optimum is carried out
  if (!(opt.time_limit_s > 0) || !std::isfinite(opt.time_limit_s)) p.fail("time_limit", "must be a duration > 0");
  const double slot_s = batch_options(p).slot_s;
  // Per job: the absolute index of its first planned slot and the worker count of each slot.
  auto plans = std::make_shared<std::map<uint32_t, std::pair<int64_t, std::vector<uint32_t>>>>();
  return make_batch_policy(p, ctx, [plans, opt, slot_s](const JobPlanInput& in) {
    const int64_t first = static_cast<int64_t>(std::floor(in.now / slot_s));
    auto it = plans->find(in.job->id);
    if (it != plans->end()) {
      SlotPlan plan;
      plan.workers.assign(in.truth.intensity.size(), 0);
      auto& [from, counts] = it->second;
      for (size_t t = 0; t < plan.workers.size(); ++t) {
        const int64_t i = first + static_cast<int64_t>(t) - from;
        if (i >= 0 && i < static_cast<int64_t>(counts.size())) plan.workers[t] = counts[static_cast<size_t>(i)];
      }
      fill_cheapest(in.rest, in.truth, plan);
      if (!plan.feasible) repair(in, plan, counts, first - from);
      if (plan.feasible) return plan;
    }
    SlotPlan plan = optimal_plan(in.rest, in.truth, opt).plan;
    (*plans)[in.job->id] = {first, plan.workers};
    return plan;
  });
}

double oracle_batch_bound(const std::vector<BatchJob>& jobs, const PlatformSpec& platform, const ModelCatalog& models,
                          const std::vector<std::string>& requested_models, const Forecaster& forecast, double slot_s) {
  double total = 0;
  for (const BatchJob& job : jobs) {
    const ModelProfile* m = job_variant(job, platform, models.variants(requested_models.at(job.model)));
    if (m == nullptr) continue;  // rejected by every policy
    const JobProfile prof = job_profile(job, platform, *m);
    const uint32_t first_host = job.hosts.empty() ? job.source : job.hosts.front();
    const std::string& zone = platform.hosts[first_host].region;
    // The policies reject a job that cannot finish by the end of their plans on all its workers
    // (BatchRunner::plan_end, margin 0).
    const double latest = job.at_s + job.deadline_s - 2 * prof.request_s;
    if ((latest - job.at_s) * prof.profile.throughput.back() < job.items * (1 - 1e-9)) continue;
    // Work may go on until the deadline itself: the bound's window is the whole of it.
    ElasticJob ej;
    ej.items = job.items;
    ej.min_workers = std::min(job.min_workers, prof.profile.max_workers());
    ej.profile = prof.profile;
    // Each slot at the lowest intensity within it (the value of a trace that changes on the slot
    // grid, as hourly data on an hour-aligned run does; a bound still when it changes within).
    SlotGrid truth = slot_grid(job.at_s, job.at_s + job.deadline_s, slot_s, [](double) { return 0.0; });
    const Timeline& trace = forecast.trace(zone);
    double a = std::floor(job.at_s / slot_s) * slot_s;
    for (size_t t = 0; t < truth.intensity.size(); ++t, a += slot_s) {
      const double lo = std::max(a, job.at_s), hi = std::min(a + slot_s, job.at_s + job.deadline_s);
      truth.intensity[t] = timeline_min_max(trace, lo, hi, false).first;
    }
    total += relaxed_bound_g(ej, truth);
  }
  return total;
}

}  // namespace ce
