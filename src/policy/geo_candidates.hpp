#pragma once
// What the geographic placement policies (nearest, energy-first, carbon-greedy; docs/policies.md
// "Space") share: the candidate hosts — key `hosts` (host names or glob patterns; default every
// host that is not a request source) — and per-host estimates of a whole-model placement. Per
// source device the candidates are kept in order of one-way network latency (idle network, the
// distance model included: PlatformSpec::path), computed on the device's first request: the
// network does not move, so a decision is O(1) when the nearest usable host is near the front.
// Policies run one per process, single-threaded: the caches need no lock.
#include <cstddef>
#include <unordered_map>
#include <utility>
#include <vector>

#include "policy/policy.hpp"

namespace ce {

// A stream of requests: from one device, for one model, under one SLO — what the per-stream caches
// of the geographic policies are keyed by.
struct StreamKey {
  uint32_t source;
  const ModelProfile* model;
  double slo;
  bool operator==(const StreamKey& o) const { return source == o.source && model == o.model && slo == o.slo; }
  bool operator<(const StreamKey& o) const {
    return source != o.source ? source < o.source : model != o.model ? model < o.model : slo < o.slo;
  }
};
struct StreamKeyHash {
  size_t operator()(const StreamKey& k) const;
};

// Key `latency_budget` (a duration >= 0): how much more one-way network latency than the nearest
// candidate a placement may add; infinity when absent. One-line errors name the key.
double latency_budget_param(const YamlSection& p);

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

  // Whether no usable candidate could meet the request's SLO even unloaded (unloaded_latency_s >
  // slo_s for each, at its current pstate): the request is beyond every site's reach, and the plan
  // that places it anyway sets Plan::beyond_slo_reach. Asked for a request being placed (some
  // candidate is usable). O(1) amortised: see Reach.
  bool none_within_slo(const Request& r, const ModelProfile& m, const ClusterView& v) const;
  static bool powered(const HostState& s) { return s.on || s.power == Power::Booting || s.power == Power::Waking; }

  const PlatformSpec& platform() const { return platform_; }

 private:
  // Per (source, model, SLO): the candidates that hold the model's weights and could meet the SLO
  // unloaded at their fastest pstate, nearest first — their transfers and pstate-0 service time
  // kept, so a check at the current pstate and power state is unloaded_latency_s's sum without its
  // route walks and layer loop. The network does not move and no pstate is faster than the
  // fastest, so the list holds for the whole run. Only its first kReachKept entries are kept (one user location sees
  // most of a continent's hosts within a loose SLO: hosts × sources entries would not fit a CDN
  // platform); when they are all off or slowed past the SLO and more exist, the check scans every
  // candidate (rare: kReachKept sites near one device down at once).
  static constexpr size_t kReachKept = 8;
  struct ReachEntry {
    double in_s, out_s;  // the input there, the result back (idle network)
    double service0_s;   // service at pstate 0
    uint32_t host;
  };
  struct Reach {
    std::vector<ReachEntry> nearest;  // at most kReachKept
    bool more = false;                // further candidates could meet the SLO
  };
  const Reach& reach(const Request& r, const ModelProfile& m) const;

  const PlatformSpec& platform_;
  std::vector<uint32_t> hosts_;
  mutable std::unordered_map<uint32_t, std::vector<std::pair<double, uint32_t>>> by_source_;
  mutable std::unordered_map<StreamKey, Reach, StreamKeyHash> reach_;
};

}  // namespace ce
