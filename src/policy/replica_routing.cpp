#include "policy/replica_routing.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"

namespace ce {

bool host_up(const ClusterView& view, uint32_t host) {
  const HostState& hs = view.hosts[host];
  return !hs.failed && (hs.power == Power::On || hs.power == Power::Booting || hs.power == Power::Waking);
}

std::optional<ReplicaChoice> choose_replica(const Request& req, const std::vector<const ModelProfile*>& variants,
                                            const std::vector<uint32_t>& hosts, const ClusterView& view) {
  for (ReplicaState want : {ReplicaState::Warm, ReplicaState::Loading, ReplicaState::Cold})
    for (auto v = variants.rbegin(); v != variants.rend(); ++v)
      for (uint32_t h : hosts) {
        if (view.replica(h, *v) != want || !host_up(view, h)) continue;  // warm everywhere when not tracked
        if (!view.can_serve(h, *v)) continue;  // cold and too large for the memory left
        if (!view.platform->reachable(req.source, h)) continue;
        return ReplicaChoice{h, *v};
      }
  return std::nullopt;
}

Decision replica_decision(Decision::Kind kind, uint32_t host, const ModelProfile* m) {
  Decision d;
  d.kind = kind;
  d.host = host;
  d.model = m;
  return d;
}

std::vector<uint32_t> replica_host_order(const PolicyContext& ctx) {
  std::vector<uint32_t> order;
  std::vector<bool> seen(ctx.platform->hosts.size(), false);
  if (ctx.experiment)
    for (const ReplicaSpec& r : ctx.experiment->replicas.initial)
      if (!seen[r.host]) {
        seen[r.host] = true;
        order.push_back(r.host);
      }
  for (uint32_t h = 0; h < seen.size(); ++h)
    if (!seen[h]) order.push_back(h);
  return order;
}

void require_replicas_section(const YamlSection& params, const PolicyContext& ctx, const std::string& policy) {
  if (!ctx.experiment || !ctx.experiment->replicas.tracked)
    fail_in_file(params.file(), fmt::format("policy {} ({}) serves from replicas: add a replicas: section listing "
                                            "which models are deployed where (docs/inputs.md \"Replicas\")",
                                            policy, params.path()));
}

}  // namespace ce
