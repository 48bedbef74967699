#include "sim/carbon_sampler.hpp"

#include <algorithm>
#include <map>

#include "workload/arrival_stream.hpp"

namespace ce {

CarbonSampler::CarbonSampler(const ZoneTimelines& carbon, const EnergyBook& book, RunResult& out, ClusterView& view)
    : book_(book), out_(out), view_(view) {
  // Consumers grouped by zone; each zone walks its own change points. Zones share no consumer,
  // so taking them zone by zone gives the same samples as one merged schedule, without building
  // one entry per change point of a multi-year trace up front.
  std::map<std::string, size_t> zone_index;
  for (size_t c = 0; c < out.consumers.size(); ++c) {
    auto [it, fresh] = zone_index.emplace(out.consumers[c].zone, zones_.size());
    if (fresh) {
      const Timeline* tl = &carbon.by_zone.at(out.consumers[c].zone);
      zones_.push_back({out.consumers[c].zone, tl, {}, tl->change_points(tl->end()), 0});
    }
    zones_[it->second].consumers.push_back(c);
  }
}

double CarbonSampler::next_time() const {
  double t = kNever;
  for (const Zone& z : zones_)
    if (z.next < z.change_points.size()) t = std::min(t, z.change_points[z.next]);
  return t;
}

void CarbonSampler::take(double now, const std::function<void(const std::string&)>& on_change) {
  for (Zone& z : zones_) {
    bool changed = false;
    for (; z.next < z.change_points.size() && z.change_points[z.next] <= now; ++z.next) {
      const double t = z.change_points[z.next];
      const double intensity = z.timeline->at(t);
      for (size_t c : z.consumers) {
        auto& cs = out_.consumers[c];
        cs.samples.push_back(book_.sample(c, t));
        if (!cs.is_link) view_.hosts[c].intensity = intensity;
      }
      changed = changed || t > 0;
    }
    if (changed && on_change) on_change(z.name);
  }
}

}  // namespace ce
