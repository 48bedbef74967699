// faillite: heterogeneous replication after FailLite (arXiv 2504.15856; ../shared/reference/
// resilience-and-geo.md §1). Every warm replica listed in `replicas:` is a service's primary. At
// the start the policy plans one backup per service on another host, a variant of the primary's
// zoo family no larger than the primary, by the MILP of placement/backup_plan.hpp (CBC): the most
// top-1 accuracy kept under failure within every host's free memory, warm backups always resident,
// cold ones loaded beside them when their primary's host fails. Critical services get their backup
// warm at once (deployed at t = 0); the others get it cold, loaded only when their primary fails —
// progressively: first the family's smallest variant (the shortest load, so the service is back
// soonest), then the planned one, after which the smallest is evicted. When the primary is
// repaired it is reloaded, and once it is warm the failover replicas of non-critical services are
// evicted. Requests go to the primary's model where it is warm, else to the most accurate warm
// backup, else to a replica being loaded (they wait for it). The paper's own formulation is not
// public; the MILP is the reference's reconstruction (§1.3).
// Keys: `critical` (model names of critical services) or `critical_share` (the first share of the
// services in `replicas:` order; default 0.5), `backup_hosts` (host names; default every host with
// a warm replica), `progressive` (default true; false: load the planned variant at once).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "core/error.hpp"
#include "models/replica_set.hpp"
#include "placement/backup_plan.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/replica_routing.hpp"

namespace ce {
namespace {

struct Service {
  uint32_t primary = 0;
  const ModelProfile* model = nullptr;
  bool critical = false;
  std::vector<const ModelProfile*> family;  // variants no larger than the primary, least preferred first
  const ModelProfile* smallest = nullptr;  // fewest bytes: the first step of a progressive failover
  int backup = -1;                         // backup host (-1: none found)
  const ModelProfile* planned = nullptr;   // the backup's variant
};

class FailLite : public Policy {
 public:
  FailLite(std::vector<Service> services, std::vector<uint32_t> backup_hosts, bool progressive)
      : services_(std::move(services)), backup_hosts_(std::move(backup_hosts)), progressive_(progressive) {
    for (size_t s = 0; s < services_.size(); ++s) by_model_.emplace(services_[s].model, s);
  }

  uint32_t events() const override {
    return event_bit(PolicyEvent::Arrival) | event_bit(PolicyEvent::Start) | event_bit(PolicyEvent::HostChange) |
           event_bit(PolicyEvent::ReplicaChange);
  }

  void on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) override {
    switch (ev.kind) {
      case PolicyEvent::Start: plan(view, out); break;
      case PolicyEvent::HostChange: host_change(ev.host, view, out); break;
      case PolicyEvent::ReplicaChange: replica_change(ev.host, ev.model, view, out); break;
      case PolicyEvent::Arrival: route(ev, view, out); break;
      default: break;
    }
  }

 private:
  static double free_bytes(const ClusterView& view, uint32_t h) {
    const double mem = view.platform->hosts[h].memory_bytes;
    return mem > 0 ? mem - view.resident_bytes[h] : std::numeric_limits<double>::infinity();
  }

  static void deploy(uint32_t host, const ModelProfile* m, Decisions& out) {
    out.push_back(replica_decision(Decision::Deploy, host, m));
  }
  static void evict(uint32_t host, const ModelProfile* m, Decisions& out) {
    out.push_back(replica_decision(Decision::Evict, host, m));
  }

  // Backups: the MILP of placement/backup_plan.hpp over every (backup host, variant) that could
  // fit there, valued by the variant's top-1 relative to the primary's, twice for a critical
  // service (its backup is warm: always resident).
  void plan(const ClusterView& view, Decisions& out) {
    BackupProblem prob;
    for (uint32_t h = 0; h < view.hosts.size(); ++h) prob.free_bytes.push_back(std::min(free_bytes(view, h), 1e18));
    std::vector<std::vector<std::pair<uint32_t, const ModelProfile*>>> choices(services_.size());
    for (size_t s = 0; s < services_.size(); ++s) {
      const Service& sv = services_[s];
      BackupService bs;
      bs.primary = sv.primary;
      bs.warm = sv.critical;
      for (uint32_t j : backup_hosts_) {
        if (j == sv.primary) continue;
        for (const ModelProfile* v : sv.family) {
          const double bytes = replica_bytes(*v);
          if (bytes > prob.free_bytes[j]) continue;
          const double rel = sv.model->top1 > 0 ? v->top1 / sv.model->top1 : (v == sv.model ? 1.0 : 0.0);
          bs.options.push_back({j, bytes, (sv.critical ? 2.0 : 1.0) * rel});
          choices[s].emplace_back(j, v);
        }
      }
      prob.services.push_back(std::move(bs));
    }
    const BackupPlan plan = plan_backups(prob);
    for (size_t s = 0; s < services_.size(); ++s) {
      if (plan.option[s] < 0) continue;
      Service& sv = services_[s];
      const auto [j, v] = choices[s][static_cast<size_t>(plan.option[s])];
      sv.backup = static_cast<int>(j);
      sv.planned = v;
      if (sv.critical) deploy(j, v, out);
    }
  }

  bool fits(const ClusterView& view, uint32_t h, const ModelProfile* m) const {
    return view.replica(h, m) == ReplicaState::Warm || view.replica(h, m) == ReplicaState::Loading ||
           view.fits(h, replica_bytes(*m));
  }

  void host_change(uint32_t h, const ClusterView& view, Decisions& out) {
    const bool up = host_up(view, h);
    for (const Service& sv : services_) {
      if (sv.primary == h) {
        if (up) {
          if (fits(view, h, sv.model)) deploy(h, sv.model, out);  // its memory was lost: reload the primary
        } else if (!sv.critical && sv.backup >= 0 && host_up(view, static_cast<uint32_t>(sv.backup))) {
          const uint32_t j = static_cast<uint32_t>(sv.backup);
          const ModelProfile* first = progressive_ ? sv.smallest : sv.planned;
          if (fits(view, j, first)) deploy(j, first, out);
          else if (first != sv.planned && fits(view, j, sv.planned)) deploy(j, sv.planned, out);
        }
      } else if (up && sv.critical && sv.backup == static_cast<int>(h) && fits(view, h, sv.planned)) {
        deploy(h, sv.planned, out);  // a warm backup lost with its host's memory
      }
    }
  }

  void replica_change(uint32_t h, const ModelProfile* m, const ClusterView& view, Decisions& out) {
    for (const Service& sv : services_) {
      if (sv.critical || sv.backup < 0) continue;
      const uint32_t j = static_cast<uint32_t>(sv.backup);
      if (h == sv.primary && m == sv.model) {  // the primary is back: free the failover replicas
        for (const ModelProfile* r : {sv.smallest, sv.planned})
          if (view.replica(j, r) == ReplicaState::Warm) evict(j, r, out);
      } else if (h == j && !host_up(view, sv.primary)) {
        if (m == sv.smallest && sv.planned != sv.smallest && fits(view, j, sv.planned)) deploy(j, sv.planned, out);
        else if (m == sv.planned && sv.planned != sv.smallest && view.replica(j, sv.smallest) == ReplicaState::Warm)
          evict(j, sv.smallest, out);
      }
    }
  }

  void route(const PolicyEvent& ev, const ClusterView& view, Decisions& out) {
    const Request& req = *ev.request;
    Decision d;
    d.request = req.id;
    const auto it = by_model_.find(ev.variants->back());
    std::optional<ReplicaChoice> c;
    if (it != by_model_.end()) {
      const Service& sv = services_[it->second];
      std::vector<uint32_t> hosts{sv.primary};
      if (sv.backup >= 0) hosts.push_back(static_cast<uint32_t>(sv.backup));
      c = choose_replica(req, sv.family, hosts, view);
    } else {
      c = choose_replica(req, *ev.variants, order_all(view), view);
    }
    if (c) {
      d.plan = whole_model_on(c->model, c->host);
    } else {
      d.kind = Decision::Reject;
      d.reason = "no replica of the service on a host that is up";
    }
    out.push_back(std::move(d));
  }

  const std::vector<uint32_t>& order_all(const ClusterView& view) {
    if (all_.size() != view.hosts.size())
      for (uint32_t h = static_cast<uint32_t>(all_.size()); h < view.hosts.size(); ++h) all_.push_back(h);
    return all_;
  }

  std::vector<Service> services_;
  std::vector<uint32_t> backup_hosts_;
  bool progressive_;
  std::map<const ModelProfile*, size_t> by_model_;
  std::vector<uint32_t> all_;
};

}  // namespace

std::unique_ptr<Policy> make_faillite(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"critical", "critical_share", "backup_hosts", "progressive"});
  require_replicas_section(p, ctx, "faillite");
  if (p.has("critical") && p.has("critical_share"))
    p.fail("critical", "give either critical: [model names] or critical_share, not both");
  const double share = p.num_or("critical_share", 0.5);
  if (!(share >= 0 && share <= 1)) p.fail("critical_share", "must be a number from 0 to 1");
  std::set<std::string> critical_names;
  for (const auto& n : p.has("critical") ? p.str_list("critical") : std::vector<std::string>{}) {
    if (!ctx.models->find(n)) p.fail("critical", fmt::format("unknown model '{}'", n));
    critical_names.insert(n);
  }
  // Services: the warm replicas of `replicas:`, the first of each model.
  std::vector<Service> services;
  std::set<std::string> seen;
  std::vector<uint32_t> warm_hosts;
  for (const ReplicaSpec& r : ctx.experiment->replicas.initial) {
    if (!r.warm) continue;
    if (std::find(warm_hosts.begin(), warm_hosts.end(), r.host) == warm_hosts.end()) warm_hosts.push_back(r.host);
    if (!seen.insert(r.model).second) continue;
    Service sv;
    sv.primary = r.host;
    sv.model = ctx.models->find(r.model);
    const double top = replica_bytes(*sv.model);
    for (const ModelProfile* v : ctx.models->variants(sv.model->family))
      if (replica_bytes(*v) <= top) sv.family.push_back(v);
    if (sv.family.empty()) sv.family.push_back(sv.model);
    // Least preferred first: by top-1 accuracy, then larger first among equals; the primary last.
    std::stable_sort(sv.family.begin(), sv.family.end(), [&](const ModelProfile* a, const ModelProfile* b) {
      if ((a == sv.model) != (b == sv.model)) return b == sv.model;
      if (a->top1 != b->top1) return a->top1 < b->top1;
      return replica_bytes(*a) > replica_bytes(*b);
    });
    sv.smallest = *std::min_element(sv.family.begin(), sv.family.end(), [](auto* a, auto* b) {
      return replica_bytes(*a) < replica_bytes(*b);
    });
    services.push_back(sv);
  }
  if (p.has("critical")) {
    for (Service& sv : services) sv.critical = critical_names.count(sv.model->name) > 0;
  } else {
    const auto n = static_cast<size_t>(std::ceil(share * static_cast<double>(services.size())));
    for (size_t s = 0; s < services.size() && s < n; ++s) services[s].critical = true;
  }
  std::vector<uint32_t> backup_hosts = warm_hosts;
  if (p.has("backup_hosts")) {
    backup_hosts.clear();
    for (const auto& name : p.str_list("backup_hosts")) {
      const int h = ctx.platform->host_index(name);
      if (h < 0) p.fail("backup_hosts", fmt::format("unknown host '{}' (not in {})", name, ctx.platform->file));
      backup_hosts.push_back(static_cast<uint32_t>(h));
    }
  }
  return std::make_unique<FailLite>(std::move(services), std::move(backup_hosts), p.boolean_or("progressive", true));
}

}  // namespace ce
