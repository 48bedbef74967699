#pragma once
// The reference latency-first's plans are checked against: the predicted latency of a plan straight
// from the formula in latency_first.cpp's header, with the transfers from
// PlatformSpec::transfer_time(). +inf when a hop has no route. Shared by the unit tests that
// enumerate plans by brute force.
#include <cmath>
#include <vector>

#include "config/platform_spec.hpp"
#include "models/cost_model.hpp"
#include "policy/policy.hpp"

namespace cetest {

inline double plan_latency(const ce::PlatformSpec& p, const ce::ClusterView& v, const ce::ModelProfile& m,
                           const std::vector<ce::PlanStage>& st, uint32_t src) {
  const size_t R = m.row_count() - 1;
  double T = 0;
  uint32_t at = src;
  for (const ce::PlanStage& s : st) {
    if (at != s.host && !p.reachable(at, s.host)) return INFINITY;
    T += p.transfer_time(at, s.host, m.cut_bytes(s.first_row - 1));
    const ce::HostSpec& spec = p.hosts[s.host];
    const ce::HostState& hs = v.hosts[s.host];
    const double t =
        ce::stage_seconds(spec, m, s.first_row, s.last_row) * spec.pstates[0].speed / spec.pstates[hs.pstate].speed;
    const double n = hs.busy + hs.queued, c = spec.cores;
    const double q = n < c ? 0 : (n - c + 1) / c;
    T += t + q * (hs.completed ? hs.mean_service_s() : t);
    at = s.host;
  }
  if (at != src && !p.reachable(at, src)) return INFINITY;
  return T + p.transfer_time(at, src, m.cut_bytes(R));
}

}  // namespace cetest
