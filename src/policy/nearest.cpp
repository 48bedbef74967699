// nearest: the candidate with the lowest one-way network latency from the request's device (idle
// network, the distance model included) — Sinfonia-style edge placement, the baseline of the
// geographic policies (docs/policies.md "Space"). Hosts that are off or cannot hold the model's
// weights are skipped; a request that no usable candidate could serve within its SLO even unloaded
// is flagged (Plan::beyond_slo_reach). Key `hosts` (GeoCandidates), `variant` as monolithic.
#include "policy/builtin_policies.hpp"
#include "policy/geo_candidates.hpp"

namespace ce {
namespace {

class Nearest : public Policy {
 public:
  Nearest(GeoCandidates cands, std::string variant) : cands_(std::move(cands)), variant_(std::move(variant)) {}
  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = pick_variant(variants, variant_);
    for (const auto& [latency, h] : cands_.by_latency(req.source))
      if (cands_.usable(h, *m, view)) {
        Plan plan = whole_model_on(m, h);
        plan.beyond_slo_reach = cands_.none_within_slo(req, *m, view);
        return plan;
      }
    return Plan{nullptr, {}, "no candidate host that is on, reachable and can hold the model"};
  }

 private:
  GeoCandidates cands_;
  std::string variant_;
};

}  // namespace

std::unique_ptr<Policy> make_nearest(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"hosts", "variant"});
  return std::make_unique<Nearest>(GeoCandidates(p, ctx), p.str_or("variant", ""));
}

}  // namespace ce
