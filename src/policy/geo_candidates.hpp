#pragma once
// What the geographic placement policies (nearest, energy-first, carbon-greedy; docs/policies.md
// "Space") share: the candidate hosts — key `hosts` (host names or glob patterns; default every
// host that is not a request source) — and per-host estimates of a whole-model placement. Per
// source device the candidates are kept in order of one-way network latency (idle network, the
// distance model included: PlatformSpec::path), computed on the device's first request: the
// network does not move, so a decision is O(1) when the nearest usable host is near the front.
// Policies run one per process, single-threaded: the caches need no lock.
#include <unordered_map>
#include <utility>
#include <vector>

#include "policy/policy.hpp"

namespace ce {

class GeoCandidates {
 public:
  // Reads `hosts` from p (the caller allows the key). One-line errors name the key.
  GeoCandidates(const YamlSection& p, const PolicyContext& ctx);

  const std::vector<uint32_t>& hosts() const { return hosts_; }
  // (one-way latency s, host) for every candidate reachable from `source`, nearest first (ties:
  // lower index).
  const std::vector<std::pair<double, uint32_t>>& by_latency(uint32_t source) const;
  // On (or booting) and able to hold the model's weights.
  bool usable(uint32_t h, const ModelProfile& m, const ClusterView& v) const;

  // Estimates for the whole model on host h at its current pstate (ClusterView::hosts[h].pstate):
  double service_s(uint32_t h, const ModelProfile& m, const ClusterView& v) const;  // idle host
  double wait_s(uint32_t h, double service, const ClusterView& v) const;  // queue ahead of it
  double dynamic_j(uint32_t h, const ModelProfile& m, const ClusterView& v) const;  // one busy core's share
  // Transfer of the input there and the result back on an idle network, and the service: the
  // latency of the request without queueing.
  double unloaded_latency_s(const Request& r, uint32_t h, const ModelProfile& m, const ClusterView& v) const;

  const PlatformSpec& platform() const { return platform_; }

 private:
  const PlatformSpec& platform_;
  std::vector<uint32_t> hosts_;
  mutable std::unordered_map<uint32_t, std::vector<std::pair<double, uint32_t>>> by_source_;
};

}  // namespace ce
