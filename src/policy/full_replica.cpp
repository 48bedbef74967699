// full-replica: every service is deployed in full on several hosts (the cloud's recipe); a request
// goes to the first host in `replicas:` order that is up and holds the requested model warm, else
// to one where it is loading or cold (the request waits for the load). No smaller variant, no
// deployment of its own: the replicas are the experiment's. Key `variant` as monolithic.
#include "policy/builtin_policies.hpp"
#include "policy/replica_routing.hpp"

namespace ce {
namespace {

class FullReplica : public Policy {
 public:
  FullReplica(std::vector<uint32_t> order, std::string variant) : order_(std::move(order)), variant_(std::move(variant)) {}
  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = pick_variant(variants, variant_);
    if (const auto c = choose_replica(req, {m}, order_, view)) return whole_model_on(c->model, c->host);
    return Plan{nullptr, {}, "no host that is up holds a replica of " + m->name};
  }

 private:
  std::vector<uint32_t> order_;
  std::string variant_;
};

}  // namespace

std::unique_ptr<Policy> make_full_replica(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"variant"});
  require_replicas_section(p, ctx, "full-replica");
  return std::make_unique<FullReplica>(replica_host_order(ctx), p.str_or("variant", ""));
}

}  // namespace ce
