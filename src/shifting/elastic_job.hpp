#pragma once
// An elastic batch job over carbon-intensity slots: the model every time-shifting planner of this
// folder plans in (planners.hpp: carbon-agnostic, suspend-resume, CarbonScaler's greedy) and the
// offline optimum solves exactly (optimum.hpp, COIN-OR CBC).
//
// The job has `items` of work and runs on k workers, k in {0} ∪ [min_workers, max_workers]. With k
// workers it completes throughput[k] items/s and draws power_w[k] W (the power the job is charged
// for: the workers' dynamic power when the hosts stay on anyway, their whole power when they are
// off otherwise). Time is cut into slots of slot_s seconds with one intensity each (g/kWh); the
// job's window is the slots from its arrival to its deadline. A plan runs k_t workers in slot t
// for a fraction u_t of the slot (the job may suspend part-way through a slot, and the slot it
// finishes in is used only in part), so
//   items done  = Σ_t u_t · slot_s · throughput[k_t]
//   energy (J)  = Σ_t u_t · slot_s · power_w[k_t]
//   carbon (g)  = Σ_t u_t · slot_s · power_w[k_t] · intensity_t / 3.6e6.
#include <cstdint>
#include <string>
#include <vector>

namespace ce {

struct ScalingProfile {
  std::vector<double> throughput;  // items/s with k workers, k = 0..max; throughput[0] = 0
  std::vector<double> power_w;     // W drawn with k workers; power_w[0] = 0
  uint32_t max_workers() const { return static_cast<uint32_t>(throughput.size()) - 1; }
};

// k workers do k times one worker's work (embarrassingly parallel inference).
ScalingProfile linear_profile(double items_per_s, double watts_per_worker, uint32_t max_workers);
// Amdahl: a fraction p of the work parallelises, speed-up(k) = 1 / ((1 − p) + p / k).
ScalingProfile amdahl_profile(double items_per_s, double parallel_fraction, double watts_per_worker,
                              uint32_t max_workers);
// A measured table: throughput with 1..n workers (items/s), each worker drawing the same power.
ScalingProfile table_profile(const std::vector<double>& throughput_1_to_n, double watts_per_worker);

struct SlotGrid {
  double slot_s = 3600;            // length of every slot
  std::vector<double> intensity;   // g/kWh of each slot of the window
  // Fraction of each slot inside the window (a window that opens or closes part-way through a
  // slot); empty: every slot whole. A plan's u_t is a fraction of that part.
  std::vector<double> avail;
  double seconds(size_t t) const { return avail.empty() ? slot_s : slot_s * avail[t]; }
};

struct ElasticJob {
  double items = 0;
  uint32_t min_workers = 1;  // a slot that runs the job runs at least this many
  ScalingProfile profile;
};

// One plan in the model above: workers[t] = k_t, use[t] = u_t (0 when the slot is not used).
struct SlotPlan {
  std::vector<uint32_t> workers;
  std::vector<double> use;
  double items = 0, energy_j = 0, carbon_g = 0;
  bool feasible = false;  // items done reach the job's items (within a relative 1e-9)
};

// Empty when the job and grid are well formed, else what is wrong (one line, for InputError).
std::string check_job(const ElasticJob& job, const SlotGrid& grid);
// Items, energy, carbon and feasibility of plan.workers / plan.use (fills the totals).
void evaluate(const ElasticJob& job, const SlotGrid& grid, SlotPlan& plan);
// Given k_t for every slot, the cheapest u_t that completes the job: slots in order of carbon per
// item, each used whole until the last, used in part (a fractional knapsack; exact).
void fill_cheapest(const ElasticJob& job, const SlotGrid& grid, SlotPlan& plan);

}  // namespace ce
