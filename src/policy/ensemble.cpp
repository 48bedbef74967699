// ensemble: MEL-style multi-level ensembles (arXiv 2506.20094; ../shared/reference/resilience-and-
// geo.md §2). Several lightweight members run on different hosts at once (a fan-out plan: each
// member from the request's input), their outputs meet at a head (combination) host, which answers.
// When the head is down, or only one member is up, a member answers alone through its own exit.
// The accuracy delivered depends on how many members took part: the `accuracy` table, top-1 (%)
// with 1, 2, … n members (the paper reports the ensemble at the original model's accuracy and
// 95.6 % of it with a member lost; beyond two members no data: docs/policies.md). Each request is
// reported as the model "<head>@k" (k members) with that accuracy. With `replicas:` the policy
// loads its members and head at the start where they are not warm yet. The ensemble stands in for one
// service (requests for the model `service`); requests for other models are served from their
// replicas as full-replica serves them.
// Keys: `service` (a model name), `members: [{host, model}, ...]` (at least two, distinct hosts, one
// family), `head: {host, model}` (the members' family), `accuracy: [a_1, ..., a_n]` (non-decreasing,
// 0 < a ≤ 100).
#include <fmt/format.h>

#include <deque>

#include "core/csv.hpp"
#include "models/replica_set.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/replica_routing.hpp"

namespace ce {
namespace {

struct Member {
  uint32_t host = 0;
  const ModelProfile* model = nullptr;
};

class Ensemble : public Policy {
 public:
  Ensemble(const ModelProfile* service, std::vector<Member> members, Member head, const std::vector<double>& accuracy,
           std::vector<uint32_t> order)
      : service_(service), members_(std::move(members)), head_(head), order_(std::move(order)) {
    for (size_t k = 1; k <= accuracy.size(); ++k) {  // "<head>@k": what a request served by k members counts as
      ModelProfile r = *head_.model;
      r.name = fmt::format("{}@{}", head_.model->name, k);
      r.top1 = accuracy[k - 1];
      r.top5 = 0;
      reported_.push_back(std::move(r));
    }
  }

  uint32_t events() const override { return event_bit(PolicyEvent::Arrival) | event_bit(PolicyEvent::Start); }

  // At the start, loads its parts where they are not in memory yet (replicas tracked); then the
  // default: each arrival is placed by decide().
  void on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) override {
    if (ev.kind != PolicyEvent::Start) return Policy::on_event(ev, view, out);
    if (!view.replicas_tracked) return;
    std::vector<Member> parts = members_;
    parts.push_back(head_);
    for (const Member& m : parts) {
      const ReplicaState st = view.replica(m.host, m.model);
      if (st == ReplicaState::Warm || st == ReplicaState::Loading || !view.fits(m.host, replica_bytes(*m.model))) continue;
      out.push_back(replica_decision(Decision::Deploy, m.host, m.model));
    }
  }

  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = pick_variant(variants, "");
    if (m != service_) {  // another service: from its replicas, as full-replica
      if (const auto c = choose_replica(req, {m}, order_, view)) return whole_model_on(c->model, c->host);
      return Plan{nullptr, {}, "no host that is up holds a replica of " + m->name};
    }
    std::vector<Member> up;
    for (const Member& m : members_)
      if (usable(view, req, m)) up.push_back(m);
    if (up.size() >= 2 && usable(view, req, head_)) {
      Plan plan = whole_model_on(head_.model, head_.host);
      for (const Member& m : up) plan.branches.push_back({m.model, m.host});
      plan.reported = &reported_[up.size() - 1];
      return plan;
    }
    if (!up.empty()) {  // failover: the first member up answers through its own exit
      Plan plan = whole_model_on(up.front().model, up.front().host);
      plan.reported = &reported_[0];
      return plan;
    }
    return Plan{nullptr, {}, "no ensemble member is up"};
  }

 private:
  // Up, reachable, and its replica there (any state but absent; a cold one that fits).
  static bool usable(const ClusterView& view, const Request& req, const Member& m) {
    return host_up(view, m.host) && view.platform->reachable(req.source, m.host) && view.can_serve(m.host, m.model);
  }

  const ModelProfile* service_;
  std::vector<Member> members_;
  Member head_;
  std::vector<uint32_t> order_;  // replicas: order, for the other services
  std::deque<ModelProfile> reported_;  // stable addresses: plans point at them
};

Member parse_member(const YamlSection& m, const PolicyContext& ctx) {
  m.allow_only({"host", "model"});
  Member out;
  out.host = host_param(m, "host", ctx);
  out.model = ctx.models->find(m.str("model"));
  if (!out.model) m.fail("model", fmt::format("unknown model '{}' (a model, not a family)", m.str("model")));
  return out;
}

}  // namespace

std::unique_ptr<Policy> make_ensemble(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"service", "members", "head", "accuracy"});
  const ModelProfile* service = ctx.models->find(p.str("service"));
  if (!service) p.fail("service", fmt::format("unknown model '{}' (the model whose requests the ensemble serves)", p.str("service")));
  std::vector<Member> members;
  const auto list = p.list("members");
  for (const auto& m : list) members.push_back(parse_member(m, ctx));
  if (members.size() < 2) p.fail("members", "an ensemble needs at least two members");
  const Member head = parse_member(p.child("head"), ctx);
  const std::string& family = head.model->family;
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].model->family != family)
      list[i].fail("model", fmt::format("'{}' is of family '{}' but the head '{}' of family '{}': an ensemble's "
                                        "members and head are one family (the one its accuracy table describes)",
                                        members[i].model->name, members[i].model->family, head.model->name, family));
    for (size_t j = 0; j < i; ++j)
      if (members[j].host == members[i].host)
        list[i].fail("host", "two members on one host: spread them over hosts (that is what survives a failure)");
  }
  std::vector<double> accuracy;
  for (const auto& a : p.str_list("accuracy")) {
    double v = 0;
    if (!parse_double(a, v) || !(v > 0 && v <= 100)) p.fail("accuracy", fmt::format("'{}' is not a top-1 in (0, 100]", a));
    accuracy.push_back(v);
  }
  if (accuracy.size() != members.size())
    p.fail("accuracy", fmt::format("gives {} accuracies for {} members: one per number of members taking part "
                                   "(1 … {})",
                                   accuracy.size(), members.size(), members.size()));
  for (size_t k = 1; k < accuracy.size(); ++k)
    if (accuracy[k] < accuracy[k - 1])
      p.fail("accuracy", fmt::format("must not decrease with more members ({} members: {}, {}: {})", k,
                                     accuracy[k - 1], k + 1, accuracy[k]));
  return std::make_unique<Ensemble>(service, std::move(members), head, accuracy, replica_host_order(ctx));
}

}  // namespace ce
