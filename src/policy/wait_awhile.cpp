// wait-awhile: Let's Wait Awhile (Wiesner et al., Middleware'21), non-interruptible, for deferrable
// requests. A request whose deadline (workload `deadline:`) leaves room beyond its service time
// is deferred to the start, among now and the coming whole hours up to its latest start, with the
// lowest forecast intensity of its host's zone (ClusterView::forecast, as issued now; ties: the
// earliest); it runs then. Its latest start is arrival + deadline − the model's service time on
// the host (idle host, cost model) − `margin`. Where and which variant is monolithic's decision
// (keys `host`, `variant`, and its rules: a host that is off or cannot hold the weights rejects);
// requests without a deadline, and deferred ones coming back, are placed at once. Idle power is
// paid whatever the start, so what moves is the dynamic carbon.
// Batch jobs (workload batch_job) run interruptibly — suspend-resume, LWA's interruptible mode and
// CarbonScaler's deadline-aware baseline: the job's minimum workers in the cleanest slots of the
// forecast before its deadline that complete it (shifting/planners.hpp plan_suspend_resume),
// re-planned every `slot` (policy/batch_runner.hpp).
#include <cmath>

#include "models/cost_model.hpp"
#include "policy/batch_policy.hpp"
#include "policy/builtin_policies.hpp"
#include "shifting/planners.hpp"

namespace ce {
namespace {

class WaitAwhile : public Policy {
 public:
  WaitAwhile(const PlatformSpec& platform, std::unique_ptr<Policy> place, double step_s, double margin_s)
      : platform_(platform), place_(std::move(place)), step_s_(step_s), margin_s_(margin_s) {}

  void on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) override {
    if (ev.kind != PolicyEvent::Arrival) return;
    const Request& req = *ev.request;
    Plan plan = place_->decide(req, *ev.variants, view);
    Decision d;
    d.request = req.id;
    if (!plan.rejected() && ev.deferrals == 0 && std::isfinite(req.deadline_s) && view.forecast != nullptr) {
      const double best_t = cleanest_start(req, plan, view, ev.t);
      if (best_t > ev.t) {
        d.kind = Decision::Defer;
        d.until = best_t;
        out.push_back(std::move(d));
        return;
      }
    }
    if (plan.rejected()) {
      d.kind = Decision::Reject;
      d.reason = plan.reject_reason;
    } else {
      d.kind = Decision::Place;
      d.plan = std::move(plan);
    }
    out.push_back(std::move(d));
  }

 private:
  // Now, or the whole step up to the latest start with the lowest forecast (the earliest on ties).
  double cleanest_start(const Request& req, const Plan& plan, const ClusterView& view, double now) const {
    const ModelProfile& m = *plan.model;
    const uint32_t host = plan.stages.front().host;
    const double service = stage_seconds(platform_.hosts[host], m, 1, m.row_count() - 1);
    const double latest = req.arrival_s + req.deadline_s - service - margin_s_;
    const std::string& zone = platform_.hosts[host].region;
    double best_t = now, best_c = view.forecast->at(zone, now, now);
    for (double t = std::floor(now / step_s_ + 1) * step_s_; t <= latest; t += step_s_) {
      const double c = view.forecast->at(zone, now, t);
      if (c < best_c) best_t = t, best_c = c;
    }
    return best_t;
  }

  const PlatformSpec& platform_;
  std::unique_ptr<Policy> place_;  // monolithic: the host and variant each request runs on
  double step_s_, margin_s_;
};

}  // namespace

std::unique_ptr<Policy> make_wait_awhile(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"host", "variant", "step", "margin", "slot"});
  const double step = p.quantity_or("step", Unit::Duration, 3600);
  if (!(step >= 60)) p.fail("step", "must be a duration of at least 1min");
  const BatchRunnerOptions batch = batch_options(p);  // slot; margin (also the requests' start margin)
  auto per_request = std::make_unique<WaitAwhile>(*ctx.platform, monolithic_from(p, ctx), step, batch.margin_s);
  BatchRunner runner(ctx, [](const JobPlanInput& in) { return plan_suspend_resume(in.rest, in.grid); }, batch);
  return std::make_unique<BatchPolicy>(std::move(per_request), std::move(runner));
}

}  // namespace ce
