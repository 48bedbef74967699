#pragma once
// How the time-shifting policies (carbon-agnostic, wait-awhile, carbon-scaler, lacs, oracle; docs/
// policies.md) run batch jobs (workload `batch_job`, workload/batch_job.hpp). The runner holds a
// job's requests (Defer until kHold) and, at the job's arrival and at every slot boundary, asks the
// policy's planner for a plan of the rest of the job over slots from now to its deadline (the
// model of shifting/elastic_job.hpp: k_t workers for a part u_t of slot t). It carries out the
// plan's current slot only — k workers at once (one request per worker), the slot's share of the
// items — and plans again at the next boundary with what is left and the forecast as issued then
// (CarbonScaler's re-planning; a plan that drifts, e.g. under a forecast error, is corrected). Plans
// end two requests' time before the deadline (plan_end), where whatever is left starts at once.
//
// Workers: the job's hosts (BatchJob::hosts, one worker per core), packed: a request goes to the
// first of them with a core free of the job's requests (a host's first busy core costs the most
// power, so packing is the cheapest way to run k workers, and what the bound assumes). A job's profile (what the planners plan with, and the oracle bound
// of oracle_batch_bound) comes from the platform: one worker's items/s = 1 / the model's service
// time on its host (cost model, pstate as at the start), the job's speed-up on top; k workers draw
// Σ_h P_h(k_h) − P_h(0) (HostSpec::power_w: the dynamic power the accounting charges them), k_h
// of them on host h. The forecast of a slot is that of its start, for the zone of the job's first
// host.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/policy.hpp"
#include "shifting/elastic_job.hpp"

namespace ce {

// What a planner is given at each re-plan of a job.
struct JobPlanInput {
  const BatchJob* job = nullptr;
  ElasticJob rest;           // items left (not yet started or running), min workers, the profile
  SlotGrid grid;             // slots from now to the latest start, intensities as forecast now
  SlotGrid truth;            // the same slots with the actual intensities (perfect knowledge: the oracle)
  double now = 0;
  double items_done = 0;     // finished so far (LACS's view of progress when the length is unknown)
  double items_running = 0;  // started, not finished
  uint32_t previous_workers = 0;  // workers of the slot before this one
  const ClusterView* view = nullptr;
};
// Returns a plan over input.grid; only its first slot is carried out.
using JobPlanner = std::function<SlotPlan(const JobPlanInput&)>;

// The profile of a job on its hosts (see above).
struct JobProfile {
  ScalingProfile profile;
  double request_s = 0;  // the longest service time of one of its requests (a full chunk) on its hosts
};
JobProfile job_profile(const BatchJob& job, const PlatformSpec& platform, const ModelProfile& model);

// The model variant a job's requests run: the largest of its family (monolithic's default) that
// fits the memory of every host of the job; nullptr when none does.
const ModelProfile* job_variant(const BatchJob& job, const PlatformSpec& platform,
                                const std::vector<const ModelProfile*>& variants);

// Slots of `slot_s` on simulated time (boundaries at multiples of slot_s) covering [from, to), the
// first and last in part (SlotGrid::avail), with their intensities: intensity(slot's first
// instant in the window).
SlotGrid slot_grid(double from, double to, double slot_s, const std::function<double(double)>& intensity);

struct BatchRunnerOptions {
  double slot_s = 3600;  // planning slot (re-plan at every boundary)
  double margin_s = 0;   // the last request starts this long before deadline − its service time
};

class BatchRunner {
 public:
  BatchRunner(const PolicyContext& ctx, JobPlanner planner, BatchRunnerOptions opt);
  ~BatchRunner();
  BatchRunner(BatchRunner&&) noexcept;
  // The events it needs besides Arrival: RequestDone and Timer.
  static uint32_t events() { return event_bit(PolicyEvent::RequestDone) | event_bit(PolicyEvent::Timer); }
  // Arrival of a batch job's request: held (or rejected with its job when the job cannot finish by
  // its deadline even on all its workers from now on). False for other requests (not handled).
  bool on_arrival(const PolicyEvent& ev, const ClusterView& view, Decisions& out);
  // RequestDone of a batch job's request (false otherwise), and this runner's Timer (false for
  // another timer): both start what the current slot's plan allows.
  bool on_done(const PolicyEvent& ev, const ClusterView& view, Decisions& out);
  bool on_timer(const PolicyEvent& ev, const ClusterView& view, Decisions& out);

  static constexpr uint64_t kTimerId = 0x6261746368ULL;    // "batch": slot boundaries
  static constexpr uint64_t kCatchUpId = 0x6261746369ULL;  // a job's plan end

 private:
  struct Active;
  void replan(Active& a, const ClusterView& view, double now);
  void start_what_fits(Active& a, Decisions& out);
  void arm_timer(double now, Decisions& out);
  // Where a job's plans end: its deadline less two of its longest requests (the last one to run,
  // and one for the lag of requests that straddle a slot boundary) and the margin. At that time a
  // timer starts whatever is left on all workers, so a plan executed late still ends by the deadline.
  double plan_end(const BatchJob& job, const JobProfile& prof) const;

  const PolicyContext ctx_;
  JobPlanner planner_;
  BatchRunnerOptions opt_;
  std::vector<std::unique_ptr<Active>> active_;  // jobs arrived and not finished, by arrival
  std::vector<uint8_t> rejected_;                // by job id − 1: rejected as infeasible
  double timer_at_ = -1;                         // the pending slot-boundary timer
  std::unordered_map<uint64_t, uint32_t> placed_on_;  // running request id -> index in its job's hosts
};

}  // namespace ce
