#pragma once
// What the failover policies (full-replica, cloud-failover, faillite) share: which host and variant
// serves a request from the replicas there are now (ClusterView::replicas). A replica serves only
// on a host that is up (on, or booting/waking towards on, and not failed) and reachable from the
// request's device. The best is a warm replica of the largest variant allowed; failing that one
// that is loading (the request waits for it), then a cold one (loaded for it) — each in the
// policy's host order. Without replicas tracked every model is warm on every host.
#include <cstdint>
#include <optional>
#include <vector>

#include "policy/policy.hpp"

namespace ce {

struct ReplicaChoice {
  uint32_t host = 0;
  const ModelProfile* model = nullptr;
};

bool host_up(const ClusterView& view, uint32_t host);

// `variants` smallest first (as PolicyEvent::variants); `hosts` in preference order.
std::optional<ReplicaChoice> choose_replica(const Request& req, const std::vector<const ModelProfile*>& variants,
                                            const std::vector<uint32_t>& hosts, const ClusterView& view);

// Deploy or Evict `m` on `host`.
Decision replica_decision(Decision::Kind kind, uint32_t host, const ModelProfile* m);

// Every host in the order of its first entry in `replicas:` (the primary before its backups, as a
// user lists them), then the hosts never listed, by index.
std::vector<uint32_t> replica_host_order(const PolicyContext& ctx);

// Throws a one-line InputError naming `key` when the experiment tracks no replicas.
void require_replicas_section(const YamlSection& params, const PolicyContext& ctx, const std::string& policy);

}  // namespace ce
