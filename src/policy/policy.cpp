#include "policy/policy.hpp"

#include <stdexcept>

namespace ce {

void Policy::on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) {
  if (ev.kind != PolicyEvent::Arrival) return;
  Decision d;
  d.request = ev.request->id;
  d.plan = decide(*ev.request, *ev.variants, view);
  if (d.plan.rejected()) {
    d.kind = Decision::Reject;
    d.reason = d.plan.reject_reason;
  }
  out.push_back(std::move(d));
}

Plan Policy::decide(const Request&, const std::vector<const ModelProfile*>&, const ClusterView&) const {
  throw std::logic_error("this policy is event-driven: it has no per-request decide()");
}

}  // namespace ce
