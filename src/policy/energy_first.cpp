// energy-first: the candidate that spends the least dynamic energy on the request — one busy
// core's share of its power (HostSpec::per_core_w) × the model's service time there, at its
// current pstate — whatever the network latency (ties: the nearer). The most efficient hardware
// baseline of the geographic policies (docs/policies.md "Space"). A request that no usable
// candidate could serve within its SLO even unloaded is flagged (Plan::beyond_slo_reach). Key
// `hosts`, `variant`.
#include <cmath>

#include "policy/builtin_policies.hpp"
#include "policy/geo_candidates.hpp"

namespace ce {
namespace {

class EnergyFirst : public Policy {
 public:
  EnergyFirst(GeoCandidates cands, std::string variant) : cands_(std::move(cands)), variant_(std::move(variant)) {}
  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = pick_variant(variants, variant_);
    double best_j = INFINITY;
    uint32_t best = 0;
    bool found = false;
    for (const auto& [latency, h] : cands_.by_latency(req.source)) {  // nearest first: ties stay near
      if (!cands_.usable(h, *m, view)) continue;
      const double j = cands_.dynamic_j(h, *m, view);
      if (j < best_j) best_j = j, best = h, found = true;
    }
    if (!found) return Plan{nullptr, {}, "no candidate host that is on, reachable and can hold the model"};
    Plan plan = whole_model_on(m, best);
    plan.beyond_slo_reach = cands_.none_within_slo(req, *m, view);
    return plan;
  }

 private:
  GeoCandidates cands_;
  std::string variant_;
};

}  // namespace

std::unique_ptr<Policy> make_energy_first(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"hosts", "variant"});
  return std::make_unique<EnergyFirst>(GeoCandidates(p, ctx), p.str_or("variant", ""));
}

}  // namespace ce
