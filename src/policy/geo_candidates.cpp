#include "policy/geo_candidates.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/rng.hpp"
#include "models/cost_model.hpp"

namespace ce {

double latency_budget_param(const YamlSection& p) {
  if (!p.has("latency_budget")) return std::numeric_limits<double>::infinity();
  const double b = p.quantity("latency_budget", Unit::Duration);
  if (!(b >= 0) || !std::isfinite(b)) p.fail("latency_budget", "must be a duration >= 0");
  return b;
}

GeoCandidates::GeoCandidates(const YamlSection& p, const PolicyContext& ctx) : platform_(*ctx.platform) {
  const auto& hs = platform_.hosts;
  if (p.has("hosts")) {
    std::vector<uint8_t> taken(hs.size(), 0);
    for (const auto& pattern : p.str_list("hosts")) {
      bool any = false;
      for (uint32_t h = 0; h < hs.size(); ++h)
        if (fnmatch(pattern.c_str(), hs[h].name.c_str(), 0) == 0) {
          any = true;
          if (!taken[h]) hosts_.push_back(h), taken[h] = 1;
        }
      if (!any) p.fail("hosts", fmt::format("'{}' matches no host", pattern));
    }
    std::sort(hosts_.begin(), hosts_.end());
  } else {
    for (uint32_t h = 0; h < hs.size(); ++h)
      if (!std::binary_search(ctx.sources.begin(), ctx.sources.end(), h)) hosts_.push_back(h);
    if (hosts_.empty()) p.fail("hosts", "every host is a request source: name the candidate hosts");
  }
}

const std::vector<std::pair<double, uint32_t>>& GeoCandidates::by_latency(uint32_t source) const {
  auto it = by_source_.find(source);
  if (it != by_source_.end()) return it->second;
  std::vector<std::pair<double, uint32_t>> v;
  v.reserve(hosts_.size());
  for (uint32_t h : hosts_)
    if (platform_.reachable(source, h)) v.emplace_back(h == source ? 0.0 : platform_.path(source, h).latency, h);
  std::sort(v.begin(), v.end());
  return by_source_.emplace(source, std::move(v)).first->second;
}

bool GeoCandidates::usable(uint32_t h, const ModelProfile& m, const ClusterView& v) const {
  if (!powered(v.hosts[h])) return false;
  const double mem = platform_.hosts[h].memory_bytes;
  return !(mem > 0 && stage_weight_bytes(m, 1, m.row_count() - 1) > mem);
}

double GeoCandidates::service_s(uint32_t h, const ModelProfile& m, const ClusterView& v) const {
  const HostSpec& hs = platform_.hosts[h];
  const uint32_t p = v.hosts[h].pstate;
  return stage_seconds(hs, m, 1, m.row_count() - 1) * hs.pstates[0].speed / hs.pstates[p].speed;
}

double GeoCandidates::wait_s(uint32_t h, double service, const ClusterView& v) const {
  const HostState& s = v.hosts[h];
  const uint32_t cores = platform_.hosts[h].cores;
  const double ahead = static_cast<double>(s.busy + s.queued) + 1 - cores;
  return ahead > 0 ? ahead / cores * service : 0.0;
}

double GeoCandidates::dynamic_j(uint32_t h, const ModelProfile& m, const ClusterView& v) const {
  return platform_.hosts[h].per_core_w(v.hosts[h].pstate) * service_s(h, m, v);
}

double GeoCandidates::unloaded_latency_s(const Request& r, uint32_t h, const ModelProfile& m,
                                         const ClusterView& v) const {
  return platform_.transfer_time(r.source, h, m.cut_bytes(0)) + service_s(h, m, v) +
         platform_.transfer_time(h, r.source, m.cut_bytes(m.row_count() - 1));
}

// Hash mixing wraps modulo 2^64 on purpose.
CE_INTENDED_WRAPAROUND size_t StreamKeyHash::operator()(const StreamKey& k) const {
  size_t h = std::hash<uint32_t>()(k.source);
  h = h * 1000003u ^ std::hash<const ModelProfile*>()(k.model);
  return h * 1000003u ^ std::hash<double>()(k.slo);
}

const GeoCandidates::Reach& GeoCandidates::reach(const Request& r, const ModelProfile& m) const {
  const StreamKey key{r.source, &m, r.slo_s};
  auto it = reach_.find(key);
  if (it != reach_.end()) return it->second;
  Reach reach;
  const size_t last = m.row_count() - 1;
  const double weights = stage_weight_bytes(m, 1, last);
  for (const auto& [latency, h] : by_latency(r.source)) {
    const HostSpec& hs = platform_.hosts[h];
    if (hs.memory_bytes > 0 && weights > hs.memory_bytes) continue;  // as usable()
    double fastest = 0;
    for (const auto& p : hs.pstates) fastest = std::max(fastest, p.speed);
    const double service0 = stage_seconds(hs, m, 1, last);
    const double in = platform_.transfer_time(r.source, h, m.cut_bytes(0));
    const double out = platform_.transfer_time(h, r.source, m.cut_bytes(last));
    if (in + service0 * hs.pstates[0].speed / fastest + out > r.slo_s) continue;  // not even at its fastest
    if (reach.nearest.size() == kReachKept) {
      reach.more = true;
      break;
    }
    reach.nearest.push_back({in, out, service0, h});
  }
  return reach_.emplace(key, std::move(reach)).first->second;
}

bool GeoCandidates::none_within_slo(const Request& r, const ModelProfile& m, const ClusterView& v) const {
  const Reach& near = reach(r, m);
  for (const ReachEntry& e : near.nearest) {  // unloaded_latency_s's sum, in its order, from the kept parts
    if (!powered(v.hosts[e.host])) continue;
    const auto& ps = platform_.hosts[e.host].pstates;
    if (e.in_s + e.service0_s * ps[0].speed / ps[v.hosts[e.host].pstate].speed + e.out_s <= r.slo_s) return false;
  }
  if (near.more)  // the kept ones are all down or slowed: look at every candidate
    for (const auto& [latency, h] : by_latency(r.source))
      if (usable(h, m, v) && unloaded_latency_s(r, h, m, v) <= r.slo_s) return false;
  return true;
}

}  // namespace ce
