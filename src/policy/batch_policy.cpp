#include "policy/batch_policy.hpp"

#include <cmath>

#include "policy/builtin_policies.hpp"

namespace ce {

void BatchPolicy::on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) {
  const uint32_t wanted = place_->events() | event_bit(PolicyEvent::Arrival);
  switch (ev.kind) {
    case PolicyEvent::Arrival:
      if (runner_.on_arrival(ev, view, out)) return;
      break;
    case PolicyEvent::RequestDone:
      if (ev.request->job != 0 && runner_.on_done(ev, view, out)) return;
      break;
    case PolicyEvent::Timer:
      if (runner_.on_timer(ev, view, out)) return;
      break;
    default: break;
  }
  if (wanted & event_bit(ev.kind)) place_->on_event(ev, view, out);
}

BatchRunnerOptions batch_options(const YamlSection& p) {
  BatchRunnerOptions o;
  o.slot_s = p.quantity_or("slot", Unit::Duration, 3600);
  if (!(o.slot_s >= 60) || !std::isfinite(o.slot_s)) p.fail("slot", "must be a duration of at least 1min");
  o.margin_s = p.quantity_or("margin", Unit::Duration, 0);
  if (!(o.margin_s >= 0) || !std::isfinite(o.margin_s)) p.fail("margin", "must be a duration >= 0");
  return o;
}

std::unique_ptr<Policy> monolithic_from(const YamlSection& p, const PolicyContext& ctx) {
  YAML::Node placement(YAML::NodeType::Map);  // monolithic's own keys, checked by it
  for (const char* key : {"host", "variant"})
    if (p.has(key)) placement[key] = p.raw(key);
  return make_monolithic(YamlSection(placement, p.file(), p.path()), ctx);
}

std::unique_ptr<Policy> make_batch_policy(const YamlSection& p, const PolicyContext& ctx, JobPlanner planner) {
  return std::make_unique<BatchPolicy>(monolithic_from(p, ctx), BatchRunner(ctx, std::move(planner), batch_options(p)));
}

}  // namespace ce
