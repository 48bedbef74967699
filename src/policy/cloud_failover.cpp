// cloud-failover: a request goes to its model's primary, the first edge host listed with it in
// `replicas:` (warm, else loading, else cold: loaded for it); while the primary is down (or the
// model is listed on no edge host), to the `cloud` host, where the policy deploys the model on
// first need (the request waits for the load) and keeps it. Other edge replicas are not used: the
// cloud is the only backup. Keys: `cloud` (a host name, required), `variant` as monolithic.
#include "policy/builtin_policies.hpp"
#include "models/replica_set.hpp"
#include "policy/replica_routing.hpp"

#include <map>

namespace ce {
namespace {

class CloudFailover : public Policy {
 public:
  CloudFailover(std::map<const ModelProfile*, uint32_t> primary, uint32_t cloud, std::string variant)
      : primary_(std::move(primary)), cloud_(cloud), variant_(std::move(variant)) {}

  void on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) override {
    const Request& req = *ev.request;
    const ModelProfile* m = pick_variant(*ev.variants, variant_);
    Decision d;
    d.request = req.id;
    const auto p = primary_.find(m);
    std::optional<ReplicaChoice> c;
    if (p != primary_.end()) c = choose_replica(req, {m}, {p->second}, view);
    if (c) {
      d.plan = whole_model_on(c->model, c->host);
    } else if (host_up(view, cloud_) && view.platform->reachable(req.source, cloud_)) {
      if (view.replica(cloud_, m) == ReplicaState::Absent && view.fits(cloud_, replica_bytes(*m))) {
        // Before the placement: the request then waits for this load.
        out.push_back(replica_decision(Decision::Deploy, cloud_, m));
      }
      d.plan = whole_model_on(m, cloud_);
    } else {
      d.kind = Decision::Reject;
      d.reason = "neither an edge replica nor the cloud is up";
    }
    out.push_back(std::move(d));
  }

 private:
  std::map<const ModelProfile*, uint32_t> primary_;  // model → its edge primary
  uint32_t cloud_;
  std::string variant_;
};

}  // namespace

std::unique_ptr<Policy> make_cloud_failover(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"cloud", "variant"});
  require_replicas_section(p, ctx, "cloud-failover");
  const uint32_t cloud = host_param(p, "cloud", ctx);
  std::map<const ModelProfile*, uint32_t> primary;
  for (const ReplicaSpec& r : ctx.experiment->replicas.initial)
    if (r.host != cloud) primary.emplace(ctx.models->find(r.model), r.host);  // the first listed wins
  return std::make_unique<CloudFailover>(std::move(primary), cloud, p.str_or("variant", ""));
}

}  // namespace ce
