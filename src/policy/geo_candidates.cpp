#include "policy/geo_candidates.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>

#include "models/cost_model.hpp"

namespace ce {

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
  const HostState& s = v.hosts[h];
  if (!s.on && s.power != Power::Booting && s.power != Power::Waking) return false;
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

}  // namespace ce
