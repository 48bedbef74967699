#include "shifting/planners.hpp"

#include <cmath>
#include <limits>
#include <queue>
#include <tuple>

namespace ce {

SlotPlan plan_carbon_agnostic(const ElasticJob& job, const SlotGrid& grid, uint32_t workers) {
  SlotPlan plan;
  const size_t n = grid.intensity.size();
  plan.workers.assign(n, 0);
  plan.use.assign(n, 0.0);
  double left = job.items;
  for (size_t t = 0; t < n && left > 0; ++t) {
    const double whole = grid.seconds(t) * job.profile.throughput[workers];
    plan.workers[t] = workers;
    plan.use[t] = whole <= left ? 1.0 : left / whole;
    left -= whole;
  }
  evaluate(job, grid, plan);
  return plan;
}

SlotPlan plan_suspend_resume(const ElasticJob& job, const SlotGrid& grid) {
  SlotPlan plan;
  plan.workers.assign(grid.intensity.size(), job.min_workers);
  fill_cheapest(job, grid, plan);  // one worker count everywhere: cheapest per item = cleanest
  return plan;
}

SlotPlan plan_carbon_scaler(const ElasticJob& job, const SlotGrid& grid) {
  const ScalingProfile& p = job.profile;
  const uint32_t m = job.min_workers, M = p.max_workers();
  const size_t n = grid.intensity.size();
  std::vector<uint32_t> granted(n, 0);
  // The value of slot t's next grant: throughput added per gram added (per second of the slot).
  auto value = [&](size_t t) {
    const uint32_t from = granted[t], to = from == 0 ? m : from + 1;
    const double added_items = p.throughput[to] - p.throughput[from];
    const double added_g = (p.power_w[to] - p.power_w[from]) * grid.intensity[t];
    return added_g > 0 ? added_items / added_g : std::numeric_limits<double>::infinity();
  };
  // Best value first; ties to the earlier slot (deterministic, and sooner is never worse).
  using Entry = std::tuple<double, size_t>;
  auto worse = [](const Entry& a, const Entry& b) {
    return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) < std::get<0>(b) : std::get<1>(a) > std::get<1>(b);
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(worse)> heap(worse);
  for (size_t t = 0; t < n; ++t) heap.emplace(value(t), t);
  double capacity = 0;
  while (capacity < job.items && !heap.empty()) {
    const size_t t = std::get<1>(heap.top());
    heap.pop();
    const uint32_t from = granted[t];
    granted[t] = from == 0 ? m : from + 1;
    capacity += grid.seconds(t) * (p.throughput[granted[t]] - p.throughput[from]);
    if (granted[t] < M) heap.emplace(value(t), t);
  }
  SlotPlan plan;
  plan.workers = granted;
  fill_cheapest(job, grid, plan);
  return plan;
}

}  // namespace ce
