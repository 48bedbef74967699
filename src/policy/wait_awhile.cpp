// wait-awhile: Let's Wait Awhile (Wiesner et al., Middleware'21), non-interruptible, for deferrable
// requests. A request whose deadline (workload `deadline:`) leaves room beyond its service time
// is deferred to the start, among now and the coming whole hours up to its latest start, with the
// lowest forecast intensity of its host's zone (ClusterView::forecast, as issued now; ties: the
// earliest); it runs then. Its latest start is arrival + deadline − the model's service time on
// the host (idle host, cost model) − `margin`. Requests without a deadline, and deferred ones
// coming back, are placed at once: the whole model on `host` (default: the request's device),
// like monolithic. Idle power is paid whatever the start, so what moves is the dynamic carbon.
#include <cmath>

#include "models/cost_model.hpp"
#include "policy/builtin_policies.hpp"

namespace ce {
namespace {

class WaitAwhile : public Policy {
 public:
  WaitAwhile(const PlatformSpec& platform, int host, std::string variant, double step_s, double margin_s)
      : platform_(platform), host_(host), variant_(std::move(variant)), step_s_(step_s), margin_s_(margin_s) {}

  void on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) override {
    if (ev.kind != PolicyEvent::Arrival) return;
    const Request& req = *ev.request;
    const ModelProfile* m = variant_of(*ev.variants);
    const uint32_t host = host_ >= 0 ? static_cast<uint32_t>(host_) : req.source;
    Decision d;
    d.request = req.id;
    if (ev.deferrals == 0 && std::isfinite(req.deadline_s) && view.forecast != nullptr) {
      const double service = stage_seconds(platform_.hosts[host], *m, 1, m->row_count() - 1);
      const double latest = req.arrival_s + req.deadline_s - service - margin_s_;
      const std::string& zone = platform_.hosts[host].region;
      const double now = ev.t;
      double best_t = now, best_c = view.forecast->at(zone, now, now);
      for (double t = std::floor(now / step_s_ + 1) * step_s_; t <= latest; t += step_s_) {
        const double c = view.forecast->at(zone, now, t);
        if (c < best_c) best_t = t, best_c = c;
      }
      if (best_t > now) {
        d.kind = Decision::Defer;
        d.until = best_t;
        out.push_back(std::move(d));
        return;
      }
    }
    const Power power = view.hosts[host].power;
    if (!view.hosts[host].on && power != Power::Booting && power != Power::Waking) {
      d.kind = Decision::Reject;
      d.reason = "host is off";
    } else {
      d.kind = Decision::Place;
      d.plan = whole_model_on(m, host);
    }
    out.push_back(std::move(d));
  }

 private:
  const ModelProfile* variant_of(const std::vector<const ModelProfile*>& variants) const {
    for (auto* v : variants)
      if (v->name == variant_) return v;
    return variants.back();  // the largest, as monolithic
  }
  const PlatformSpec& platform_;
  int host_;  // -1: the request's source device
  std::string variant_;
  double step_s_, margin_s_;
};

}  // namespace

std::unique_ptr<Policy> make_wait_awhile(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"host", "variant", "step", "margin"});
  const std::string host = p.str_or("host", "source");
  const int h = host == "source" ? -1 : static_cast<int>(host_param(p, "host", ctx));
  const double step = p.quantity_or("step", Unit::Duration, 3600);
  if (!(step >= 60)) p.fail("step", "must be a duration of at least 1min");
  const double margin = p.quantity_or("margin", Unit::Duration, 0);
  if (!(margin >= 0)) p.fail("margin", "must be a duration >= 0");
  return std::make_unique<WaitAwhile>(*ctx.platform, h, p.str_or("variant", ""), step, margin);
}

}  // namespace ce
