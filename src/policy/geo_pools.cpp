#include "policy/geo_pools.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "models/cost_model.hpp"

namespace ce {

namespace {

// What makes two hosts interchangeable for placement: everything but the name.
auto hardware(const HostSpec& h) {
  std::vector<std::tuple<double, double, double, double>> ps;
  for (const PstateSpec& p : h.pstates) ps.emplace_back(p.speed, p.idle_w, p.epsilon_w, p.all_cores_w);
  const PowerStates& s = h.power_states;
  return std::make_tuple(h.cores, ps, h.initial_pstate, h.off_w,
                         std::make_tuple(s.boot_s, s.boot_w, s.shutdown_s, s.shutdown_w, s.has_sleep, s.sleep_w, s.wake_s),
                         h.scheduler, h.max_queue, h.region, h.memory_bytes, h.rates, h.layer_overhead_s, h.profile,
                         h.op_costs.size());
}

}  // namespace

std::vector<GeoPool> make_geo_pools(const GeoCandidates& cands) {
  const PlatformSpec& plat = cands.platform();
  std::vector<GeoPool> pools;
  std::map<decltype(hardware(plat.hosts[0])), uint32_t> kinds;
  std::map<std::pair<int32_t, uint32_t>, uint32_t> pool_at;  // (site, kind) → pool
  for (uint32_t h : cands.hosts()) {
    const int32_t site = h < plat.site.size() ? plat.site[h] : -1;
    const uint32_t kind = kinds.emplace(hardware(plat.hosts[h]), static_cast<uint32_t>(kinds.size())).first->second;
    const auto [it, added] = pool_at.emplace(std::make_pair(site, kind), static_cast<uint32_t>(pools.size()));
    if (added) pools.push_back({site, kind, {}});
    pools[it->second].hosts.push_back(h);
  }
  return pools;
}

double shared_transfer_s(const PlatformSpec& plat, uint32_t i, uint32_t j, double bytes,
                         const std::vector<LinkState>& links, double others) {
  if (i == j) return 0;
  double latency = plat.extra_latency_s(i, j), rate = std::numeric_limits<double>::infinity();
  plat.for_each_link(i, j, [&](uint32_t l) {
    const LinkSpec& ls = plat.links[l];
    latency += ls.latency;
    const double n = (l < links.size() ? links[l].transfers : 0) + others + 1;
    rate = std::min(rate, ls.bandwidth / n);
  });
  return latency + (std::isinf(rate) ? 0 : bytes / rate);
}

double round_trip_s(const Request& r, const ModelProfile& m, uint32_t h, const std::vector<LinkState>& links,
                    const PlatformSpec& plat, double others) {
  return shared_transfer_s(plat, r.source, h, m.cut_bytes(0), links, others) +
         shared_transfer_s(plat, h, r.source, m.cut_bytes(m.row_count() - 1), links, others);
}

std::vector<GeoOption> stream_options(const Request& r, const ModelProfile& m, const ClusterView& view,
                                      const GeoCandidates& cands, const std::vector<GeoPool>& pools,
                                      double budget_s, uint32_t per_zone, double sharing) {
  const PlatformSpec& plat = cands.platform();
  const double weights = stage_weight_bytes(m, 1, m.row_count() - 1);
  std::vector<GeoOption> all;
  double nearest = std::numeric_limits<double>::infinity();
  for (uint32_t p = 0; p < pools.size(); ++p) {
    const uint32_t h = pools[p].rep();
    if (!plat.reachable(r.source, h)) continue;
    const double mem = plat.hosts[h].memory_bytes;
    if (mem > 0 && weights > mem) continue;
    const double one_way = h == r.source ? 0.0 : plat.path(r.source, h).latency;
    nearest = std::min(nearest, one_way);
    const double unloaded = cands.service_s(h, m, view) + round_trip_s(r, m, h, {}, plat, sharing);
    if (unloaded <= r.slo_s) all.push_back({p, one_way, unloaded});
  }
  std::stable_sort(all.begin(), all.end(), [](const GeoOption& a, const GeoOption& b) {
    return a.one_way_s != b.one_way_s ? a.one_way_s < b.one_way_s : a.pool < b.pool;
  });
  std::vector<GeoOption> kept;
  std::vector<uint32_t> per_kind(pools.size(), 0);  // options taken per kind (the zone is part of it)
  for (const GeoOption& o : all) {
    if (o.one_way_s > nearest + budget_s) break;
    if (per_kind[pools[o.pool].kind]++ < per_zone) kept.push_back(o);
  }
  return kept;
}

}  // namespace ce
