#include "shifting/elastic_job.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace ce {

namespace {
constexpr double kJoulesPerKWh = 3.6e6;

void check_inputs(double items_per_s, double watts, uint32_t max_workers) {
  if (!(items_per_s > 0) || !std::isfinite(items_per_s)) throw std::invalid_argument("throughput must be > 0");
  if (!(watts > 0) || !std::isfinite(watts)) throw std::invalid_argument("power per worker must be > 0");
  if (max_workers == 0) throw std::invalid_argument("max_workers must be >= 1");
}
}  // namespace

ScalingProfile linear_profile(double items_per_s, double watts_per_worker, uint32_t max_workers) {
  check_inputs(items_per_s, watts_per_worker, max_workers);
  ScalingProfile p;
  for (uint32_t k = 0; k <= max_workers; ++k) {
    p.throughput.push_back(items_per_s * k);
    p.power_w.push_back(watts_per_worker * k);
  }
  return p;
}

ScalingProfile amdahl_profile(double items_per_s, double parallel_fraction, double watts_per_worker,
                              uint32_t max_workers) {
  check_inputs(items_per_s, watts_per_worker, max_workers);
  if (!(parallel_fraction >= 0 && parallel_fraction <= 1))
    throw std::invalid_argument("the parallel fraction must be in [0, 1]");
  ScalingProfile p;
  p.throughput.push_back(0);
  p.power_w.push_back(0);
  for (uint32_t k = 1; k <= max_workers; ++k) {
    p.throughput.push_back(items_per_s / ((1 - parallel_fraction) + parallel_fraction / k));
    p.power_w.push_back(watts_per_worker * k);
  }
  return p;
}

ScalingProfile table_profile(const std::vector<double>& throughput_1_to_n, double watts_per_worker) {
  if (throughput_1_to_n.empty()) throw std::invalid_argument("the table needs at least one row");
  check_inputs(throughput_1_to_n.front(), watts_per_worker, 1);
  ScalingProfile p;
  p.throughput.push_back(0);
  p.power_w.push_back(0);
  for (size_t i = 0; i < throughput_1_to_n.size(); ++i) {
    const double t = throughput_1_to_n[i];
    if (!(t > 0) || !std::isfinite(t) || t < p.throughput.back())
      throw std::invalid_argument(fmt::format("throughput with {} workers must be finite, > 0 and not below the "
                                              "row before (got {})", i + 1, t));
    p.throughput.push_back(t);
    p.power_w.push_back(watts_per_worker * static_cast<double>(i + 1));
  }
  return p;
}

std::string check_job(const ElasticJob& job, const SlotGrid& grid) {
  const ScalingProfile& p = job.profile;
  if (p.throughput.size() < 2 || p.power_w.size() != p.throughput.size())
    return "the scaling profile needs throughput and power for 0..max workers";
  if (p.throughput[0] != 0 || p.power_w[0] != 0) return "the profile's 0-worker row must be 0 items/s and 0 W";
  for (size_t k = 1; k < p.throughput.size(); ++k)
    if (!(p.throughput[k] > 0) || !(p.power_w[k] >= 0) || !std::isfinite(p.throughput[k]) ||
        !std::isfinite(p.power_w[k]))
      return fmt::format("the profile's row for {} workers must have throughput > 0 and power >= 0", k);
  if (job.min_workers < 1 || job.min_workers > p.max_workers())
    return fmt::format("min_workers must be in [1, {}] (got {})", p.max_workers(), job.min_workers);
  if (!(job.items > 0) || !std::isfinite(job.items)) return "the job needs items > 0";
  if (!(grid.slot_s > 0) || !std::isfinite(grid.slot_s)) return "slots must last > 0 s";
  if (grid.intensity.empty()) return "the job's window holds no slot";
  if (!grid.avail.empty() && grid.avail.size() != grid.intensity.size()) return "avail must give one fraction per slot";
  for (double a : grid.avail)
    if (!(a > 0 && a <= 1)) return "every slot's available fraction must be in (0, 1]";
  for (double c : grid.intensity)
    if (!(c >= 0) || !std::isfinite(c)) return "every slot's intensity must be finite and >= 0";
  return "";
}

void evaluate(const ElasticJob& job, const SlotGrid& grid, SlotPlan& plan) {
  plan.items = plan.energy_j = plan.carbon_g = 0;
  for (size_t t = 0; t < plan.workers.size(); ++t) {
    const uint32_t k = plan.workers[t];
    if (k == 0 || plan.use[t] <= 0) continue;
    const double seconds = plan.use[t] * grid.seconds(t);
    const double energy = seconds * job.profile.power_w[k];
    plan.items += seconds * job.profile.throughput[k];
    plan.energy_j += energy;
    plan.carbon_g += energy * grid.intensity[t] / kJoulesPerKWh;
  }
  plan.feasible = plan.items >= job.items * (1 - 1e-9);
}

void fill_cheapest(const ElasticJob& job, const SlotGrid& grid, SlotPlan& plan) {
  const size_t n = plan.workers.size();
  plan.use.assign(n, 0.0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto per_item = [&](size_t t) {  // g per item in slot t (the slot is unused when k_t = 0)
    const uint32_t k = plan.workers[t];
    return job.profile.power_w[k] * grid.intensity[t] / job.profile.throughput[k];
  };
  order.erase(std::remove_if(order.begin(), order.end(), [&](size_t t) { return plan.workers[t] == 0; }),
              order.end());
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return per_item(a) < per_item(b); });
  double left = job.items;
  for (size_t t : order) {
    if (left <= 0) break;
    const double whole = grid.seconds(t) * job.profile.throughput[plan.workers[t]];
    plan.use[t] = whole <= left ? 1.0 : left / whole;
    left -= whole;
  }
  for (size_t t = 0; t < n; ++t)
    if (plan.use[t] == 0) plan.workers[t] = 0;  // a slot the job does not use runs no worker
  evaluate(job, grid, plan);
}

}  // namespace ce
