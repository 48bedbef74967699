#include "policy/batch_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>

#include "models/cost_model.hpp"

namespace ce {

namespace {
const std::vector<uint32_t>& hosts_of(const BatchJob& job, std::vector<uint32_t>& scratch) {
  if (!job.hosts.empty()) return job.hosts;
  scratch.assign(1, job.source);
  return scratch;
}
}  // namespace

JobProfile job_profile(const BatchJob& job, const PlatformSpec& platform, const ModelProfile& model) {
  std::vector<uint32_t> scratch;
  const std::vector<uint32_t>& hosts = hosts_of(job, scratch);
  uint32_t cores = 0;
  for (uint32_t h : hosts) cores += platform.hosts[h].cores;
  const uint32_t K = std::min<uint32_t>(job.max_workers, cores);
  JobProfile out;
  out.profile.throughput.assign(1, 0.0);
  out.profile.power_w.assign(1, 0.0);
  std::vector<double> item_s(hosts.size());
  for (size_t i = 0; i < hosts.size(); ++i) {
    const HostSpec& hs = platform.hosts[hosts[i]];
    // The cost model gives pstate-0 time; sim/ runs the same flops at the initial pstate's speed.
    const double speed_ratio = hs.pstates[0].speed / hs.pstates[hs.initial_pstate].speed;
    item_s[i] = stage_seconds(hs, model, 1, model.row_count() - 1) * speed_ratio;
  }
  // The longest a request may take: a full chunk on the slowest host at the largest overhead.
  double overhead = 1;
  for (uint32_t k = 1; k <= K; ++k) overhead = std::max(overhead, k / job.speedup[k]);
  out.request_s = *std::max_element(item_s.begin(), item_s.end()) * job.chunk * overhead;
  std::vector<uint32_t> n(hosts.size(), 0);
  double rate = 0;  // items/s of the workers so far, at one worker's efficiency
  for (uint32_t k = 1; k <= K; ++k) {
    size_t best = 0;  // packed: the first host (in the job's order) with a free core
    while (n[best] >= platform.hosts[hosts[best]].cores) ++best;
    ++n[best];
    rate += 1.0 / item_s[best];
    double watts = 0;
    for (size_t i = 0; i < hosts.size(); ++i) {
      const HostSpec& hs = platform.hosts[hosts[i]];
      watts += hs.power_w(hs.initial_pstate, n[i]) - hs.power_w(hs.initial_pstate, 0);
    }
    out.profile.throughput.push_back(rate * job.speedup[k] / k);
    out.profile.power_w.push_back(watts);
  }
  return out;
}

const ModelProfile* job_variant(const BatchJob& job, const PlatformSpec& platform,
                                const std::vector<const ModelProfile*>& variants) {
  std::vector<uint32_t> scratch;
  const std::vector<uint32_t>& hosts = hosts_of(job, scratch);
  for (auto it = variants.rbegin(); it != variants.rend(); ++it) {
    const double w = stage_weight_bytes(**it, 1, (*it)->row_count() - 1);
    bool fits = true;
    for (uint32_t h : hosts)
      if (platform.hosts[h].memory_bytes > 0 && w > platform.hosts[h].memory_bytes) fits = false;
    if (fits) return *it;
  }
  return nullptr;
}

SlotGrid slot_grid(double from, double to, double slot_s, const std::function<double(double)>& intensity) {
  SlotGrid g;
  g.slot_s = slot_s;
  for (double a = std::floor(from / slot_s) * slot_s; a < to; a += slot_s) {
    const double lo = std::max(a, from), hi = std::min(a + slot_s, to);
    if (hi - lo <= 1e-9 * slot_s) continue;
    g.intensity.push_back(intensity(lo));
    g.avail.push_back((hi - lo) / slot_s);
  }
  return g;
}

struct BatchRunner::Active {
  const BatchJob* job = nullptr;
  const ModelProfile* model = nullptr;
  JobProfile prof;
  std::vector<uint32_t> hosts;
  std::deque<Request> held;          // arrived, not started (arrival order)
  std::vector<uint32_t> running_on;  // per job host: its requests running there
  uint32_t running = 0;
  double items_running = 0, items_done = 0, items_arrived = 0;
  uint32_t workers = 0, previous_workers = 0;  // the current slot's plan, and the slot before's
  double quota = 0, started = 0;               // items the current slot may start, and has started
};

BatchRunner::BatchRunner(const PolicyContext& ctx, JobPlanner planner, BatchRunnerOptions opt)
    : ctx_(ctx), planner_(std::move(planner)), opt_(opt) {
  if (ctx_.jobs) rejected_.assign(ctx_.jobs->size(), 0);
}

BatchRunner::~BatchRunner() = default;
BatchRunner::BatchRunner(BatchRunner&&) noexcept = default;

bool BatchRunner::on_arrival(const PolicyEvent& ev, const ClusterView& view, Decisions& out) {
  const Request& req = *ev.request;
  if (req.job == 0 || ctx_.jobs == nullptr) return false;
  const BatchJob& job = (*ctx_.jobs)[req.job - 1];
  Decision d;
  d.request = req.id;
  if (rejected_[req.job - 1]) {
    d.kind = Decision::Reject;
    d.reason = "job cannot finish by its deadline";
    out.push_back(std::move(d));
    return true;
  }
  Active* a = nullptr;
  for (auto& x : active_)
    if (x->job == &job) a = x.get();
  if (a == nullptr) {  // the job's first request: set it up and check it can finish at all
    auto fresh = std::make_unique<Active>();
    fresh->job = &job;
    fresh->model = job_variant(job, *ctx_.platform, *ev.variants);
    std::vector<uint32_t> scratch;
    fresh->hosts = hosts_of(job, scratch);
    bool up = true;
    for (uint32_t h : fresh->hosts) up = up && (view.hosts[h].on || view.hosts[h].power == Power::Booting);
    std::string why;
    if (fresh->model == nullptr) why = "no variant of its model fits its hosts' memory";
    if (why.empty() && !up) why = "a host of the job is off";
    if (why.empty()) {
      fresh->prof = job_profile(job, *ctx_.platform, *fresh->model);
      fresh->running_on.assign(fresh->hosts.size(), 0);
      const double capacity = std::max(0.0, plan_end(job, fresh->prof) - ev.t) * fresh->prof.profile.throughput.back();
      if (capacity < job.items * (1 - 1e-9))
        why = fmt::format("job cannot finish by its deadline even on {} workers", fresh->prof.profile.max_workers());
    }
    if (!why.empty()) {
      rejected_[req.job - 1] = 1;
      d.kind = Decision::Reject;
      d.reason = why;
      out.push_back(std::move(d));
      return true;
    }
    a = fresh.get();
    active_.push_back(std::move(fresh));
    replan(*a, view, ev.t);
    arm_timer(ev.t, out);
    Decision catch_up;  // at the end of its plan, whatever is left starts at once (see plan_end)
    catch_up.kind = Decision::SetTimer;
    catch_up.until = plan_end(job, a->prof);
    catch_up.timer = kCatchUpId;
    out.push_back(std::move(catch_up));
  }
  d.kind = Decision::Defer;
  d.until = kHold;
  out.push_back(std::move(d));
  a->held.push_back(req);
  a->items_arrived += req.work;
  start_what_fits(*a, out);
  return true;
}

bool BatchRunner::on_done(const PolicyEvent& ev, const ClusterView& view, Decisions& out) {
  const Request& req = *ev.request;
  if (req.job == 0) return false;
  for (size_t i = 0; i < active_.size(); ++i) {
    Active& a = *active_[i];
    if (a.job->id != req.job) continue;
    --a.running;
    a.items_running -= req.work;
    if (ev.completed) a.items_done += req.work;
    auto at = placed_on_.find(req.id);  // the job host the runner placed it on
    if (at != placed_on_.end()) {
      --a.running_on[at->second];
      placed_on_.erase(at);
    }
    if (a.held.empty() && a.running == 0 && a.items_arrived >= a.job->items) {
      active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
    start_what_fits(a, out);
    return true;
  }
  return true;  // a rejected job's request
}

double BatchRunner::plan_end(const BatchJob& job, const JobProfile& prof) const {
  return job.at_s + job.deadline_s - 2 * prof.request_s - opt_.margin_s;
}

bool BatchRunner::on_timer(const PolicyEvent& ev, const ClusterView& view, Decisions& out) {
  if (ev.timer == kCatchUpId) {
    for (auto& a : active_)
      if (plan_end(*a->job, a->prof) <= ev.t) {
        a->workers = a->prof.profile.max_workers();
        a->quota = a->job->items;  // everything left
        start_what_fits(*a, out);
      }
    return true;
  }
  if (ev.timer != kTimerId) return false;
  timer_at_ = -1;
  for (auto& a : active_) {
    a->previous_workers = a->workers;
    replan(*a, view, ev.t);
    start_what_fits(*a, out);
  }
  if (!active_.empty()) arm_timer(ev.t, out);
  return true;
}

void BatchRunner::arm_timer(double now, Decisions& out) {
  const double next = (std::floor(now / opt_.slot_s) + 1) * opt_.slot_s;
  if (timer_at_ == next) return;
  timer_at_ = next;
  Decision d;
  d.kind = Decision::SetTimer;
  d.until = next;
  d.timer = kTimerId;
  out.push_back(std::move(d));
}

void BatchRunner::replan(Active& a, const ClusterView& view, double now) {
  const BatchJob& job = *a.job;
  const double latest = plan_end(job, a.prof);
  JobPlanInput in;
  in.job = &job;
  in.rest.items = job.items - a.items_done - a.items_running;
  in.rest.min_workers = std::min(job.min_workers, a.prof.profile.max_workers());
  in.rest.profile = a.prof.profile;
  in.now = now;
  in.items_done = a.items_done;
  in.items_running = a.items_running;
  in.previous_workers = a.previous_workers;
  in.view = &view;
  a.workers = 0;
  a.quota = a.started = 0;
  if (!(in.rest.items > 0)) return;
  const std::string& zone = ctx_.platform->hosts[a.hosts.front()].region;
  if (latest > now) {
    in.grid = slot_grid(now, latest, opt_.slot_s, [&](double t) {
      return view.forecast ? view.forecast->at(zone, now, t) : view.hosts[a.hosts.front()].intensity;
    });
    in.truth = slot_grid(now, latest, opt_.slot_s, [&](double t) {
      return view.forecast ? view.forecast->at(zone, t, t) : view.hosts[a.hosts.front()].intensity;
    });
  }
  if (in.grid.intensity.empty()) {  // past its latest start: everything it has, now
    a.workers = a.prof.profile.max_workers();
    a.quota = in.rest.items;
    return;
  }
  const SlotPlan plan = planner_(in);
  if (plan.workers.empty() || plan.workers[0] == 0 || !(plan.use[0] > 0)) return;
  a.workers = plan.workers[0];
  a.quota = plan.use[0] * in.grid.seconds(0) * a.prof.profile.throughput[a.workers];
  if (!plan.feasible) a.quota = in.rest.items;  // behind: run the whole slot flat out
}

void BatchRunner::start_what_fits(Active& a, Decisions& out) {
  const BatchJob& job = *a.job;
  while (!a.held.empty() && a.running < a.workers && a.started < a.quota * (1 - 1e-9)) {
    size_t best = 0;  // packed, as job_profile: the first job host with a core free of the job's requests
    while (best < a.hosts.size() && a.running_on[best] >= ctx_.platform->hosts[a.hosts[best]].cores) ++best;
    if (best == a.hosts.size()) break;
    const Request req = a.held.front();
    a.held.pop_front();
    Decision d;
    d.kind = Decision::Place;
    d.request = req.id;
    d.plan = whole_model_on(a.model, a.hosts[best]);
    // k workers whose speed-up is below k each do k / speedup[k] of a worker's work per item.
    d.plan.work_scale = std::max(1.0, a.workers / job.speedup[a.workers]);
    out.push_back(std::move(d));
    ++a.running_on[best];
    placed_on_[req.id] = static_cast<uint32_t>(best);
    ++a.running;
    a.items_running += req.work;
    a.started += req.work;
  }
}

}  // namespace ce
