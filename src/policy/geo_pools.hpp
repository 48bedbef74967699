#pragma once
// geo-carbon's view of the platform (docs/policies.md "Space"): candidate hosts grouped into pools
// — the hosts of one site with the same hardware, which the placement MILP powers on and off by
// count — and, per request stream (source device × model × SLO), its options: the pools that can
// meet the stream's SLO on an idle host and lie within the latency budget of the nearest one.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "policy/geo_candidates.hpp"

namespace ce {

struct GeoPool {
  int32_t site = -1;
  uint32_t kind = 0;            // pools of equal hardware (zone included) share it
  std::vector<uint32_t> hosts;  // ascending
  uint32_t rep() const { return hosts.front(); }
};

struct GeoOption {
  uint32_t pool = 0;
  double one_way_s = 0;   // network latency from the stream's device (idle network)
  double unloaded_s = 0;  // predicted latency on an idle host of the pool
};

// Groups `cands`' hosts by (site, hardware): hosts with equal cores, pstates, power states, zone,
// memory and cost rates. Deterministic order: by the first host's index.
std::vector<GeoPool> make_geo_pools(const GeoCandidates& cands);

// Transfer time of `bytes` from host i to j when each link of the route is shared equally with
// the transfers on it now (`links`: ClusterView::links; empty — a hand-built view, or an idle
// network — counts none) plus `others` more: Σ latency + bytes / min over the links of
// bandwidth / (transfers + others + 1).
double shared_transfer_s(const PlatformSpec& plat, uint32_t i, uint32_t j, double bytes,
                         const std::vector<LinkState>& links, double others);

// Input of request r (model m) to host h and its result back, over links shared as
// shared_transfer_s says.
double round_trip_s(const Request& r, const ModelProfile& m, uint32_t h, const std::vector<LinkState>& links,
                    const PlatformSpec& plat, double others);

// The options of a stream of requests like `r` (model m) at the hosts' current pstates: pools
// whose idle-host latency — with each transfer sharing its links with `sharing` others — meets
// r.slo_s and whose one-way network latency is at most the nearest pool's + budget_s; per (zone,
// hardware) only the `per_zone` nearest (a pool of the same zone and hardware farther away is
// never cheaper, only a capacity reserve). Nearest first.
std::vector<GeoOption> stream_options(const Request& r, const ModelProfile& m, const ClusterView& view,
                                      const GeoCandidates& cands, const std::vector<GeoPool>& pools,
                                      double budget_s, uint32_t per_zone, double sharing);

}  // namespace ce
