// carbon-greedy: the cleanest placement within the request's SLO (docs/policies.md "Space"):
// among the candidates whose predicted latency — input there and result back on an idle network
// (distance latency included), the queue ahead (GeoCandidates::wait_s) and the service — meets the
// SLO, the one with the least carbon per inference now: its dynamic energy for the request ×
// its zone's intensity (ties: the nearer). When none meets the SLO (the device is too far from
// every candidate, or all are loaded) it falls back to the nearest usable candidate; the request
// then counts as an SLO violation if it is late, and, when no usable candidate could have met the
// SLO even unloaded, as beyond every site's reach (Plan::beyond_slo_reach). Key `hosts`, `variant`.
//
// Per device and model, the candidates that could meet the SLO on an idle host are kept in order
// of carbon per inference and re-sorted when an intensity changes (IntensityChange events), so a
// decision walks the list only until a candidate's queue lets it meet the SLO.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "policy/builtin_policies.hpp"
#include "policy/geo_candidates.hpp"

namespace ce {
namespace {

class CarbonGreedy : public Policy {
 public:
  CarbonGreedy(GeoCandidates cands, std::string variant, double budget_s)
      : cands_(std::move(cands)), variant_(std::move(variant)), budget_s_(budget_s) {}

  uint32_t events() const override {
    return event_bit(PolicyEvent::Arrival) | event_bit(PolicyEvent::IntensityChange);
  }
  void on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) override {
    if (ev.kind == PolicyEvent::IntensityChange) {
      ++epoch_;
      return;
    }
    Policy::on_event(ev, view, out);
  }

  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = pick_variant(variants, variant_);
    const List& list = cleanest(req, *m, view);
    for (const Entry& e : list.order) {
      if (!cands_.usable(e.host, *m, view)) continue;
      const double service = cands_.service_s(e.host, *m, view);
      if (e.unloaded_s + cands_.wait_s(e.host, service, view) <= req.slo_s) return whole_model_on(m, e.host);
    }
    for (const auto& [latency, h] : cands_.by_latency(req.source))  // none within the SLO: the nearest
      if (cands_.usable(h, *m, view)) {
        Plan plan = whole_model_on(m, h);
        // Loaded hosts are the policy's doing; no host within reach even unloaded is the user's place.
        plan.beyond_slo_reach = cands_.none_within_slo(req, *m, view);
        return plan;
      }
    return Plan{nullptr, {}, "no candidate host that is on, reachable and can hold the model"};
  }

 private:
  struct Entry {
    double carbon = 0;      // g per inference at the intensity of the list's epoch
    double latency = 0;     // one-way network latency (tie-break)
    double unloaded_s = 0;  // predicted latency on an idle host
    uint32_t host = 0;
  };
  struct List {
    uint64_t epoch = ~uint64_t{0};
    std::vector<Entry> order;
  };

  // The candidates that can meet the request's SLO on an idle host, cleanest first, for its device,
  // model and SLO; rebuilt when the intensity epoch moves on.
  const List& cleanest(const Request& req, const ModelProfile& m, const ClusterView& view) const {
    List& l = lists_[StreamKey{req.source, &m, req.slo_s}];
    if (l.epoch == epoch_ && !l.order.empty()) return l;
    if (l.order.empty()) {
      const auto& by_latency = cands_.by_latency(req.source);
      // `latency_budget`: at most that much more one-way latency than the nearest candidate.
      const double nearest = by_latency.empty() ? 0.0 : by_latency.front().first;
      for (const auto& [latency, h] : by_latency) {
        const double unloaded = cands_.unloaded_latency_s(req, h, m, view);
        if (unloaded <= req.slo_s && latency <= nearest + budget_s_) l.order.push_back({0, latency, unloaded, h});
      }
    }
    for (Entry& e : l.order) e.carbon = cands_.dynamic_j(e.host, m, view) * view.hosts[e.host].intensity;
    std::stable_sort(l.order.begin(), l.order.end(), [](const Entry& a, const Entry& b) {
      return a.carbon != b.carbon ? a.carbon < b.carbon : a.latency < b.latency;
    });
    l.epoch = epoch_;
    return l;
  }

  GeoCandidates cands_;
  std::string variant_;
  double budget_s_ = std::numeric_limits<double>::infinity();
  uint64_t epoch_ = 0;
  mutable std::map<StreamKey, List> lists_;
};

}  // namespace

std::unique_ptr<Policy> make_carbon_greedy(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"hosts", "variant", "latency_budget"});
  return std::make_unique<CarbonGreedy>(GeoCandidates(p, ctx), p.str_or("variant", ""), latency_budget_param(p));
}

}  // namespace ce
