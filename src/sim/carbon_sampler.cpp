#include "sim/carbon_sampler.hpp"

#include <algorithm>
#include <map>

#include "workload/arrival_stream.hpp"

namespace ce {

CarbonSampler::CarbonSampler(const ZoneTimelines& carbon, const std::vector<std::string>& zones,
                             const EnergyBook& book, const std::vector<ConsumerSeries>& hosts, ClusterView& view)
    : book_(book), view_(view), last_t_(hosts.size(), 0.0) {
  // Each zone walks its own change points: zones share no consumer, so taking them zone by zone
  // gives the same samples as one merged schedule, without building one entry per change point of
  // a multi-year trace up front.
  std::map<std::string, size_t> zone_index;
  for (const auto& z : zones)
    if (zone_index.emplace(z, zones_.size()).second) {
      const Timeline* tl = &carbon.by_zone.at(z);
      zones_.push_back({z, tl, {}, tl->change_points(tl->end()), 0});
    }
  for (size_t h = 0; h < hosts.size(); ++h) zones_[zone_index.at(hosts[h].zone)].consumers.push_back(h);
  update_next();
}

void CarbonSampler::update_next() {
  double t = kNever;
  for (const Zone& z : zones_)
    if (z.next < z.change_points.size()) t = std::min(t, z.change_points[z.next]);
  next_ = t;
}

void CarbonSampler::take(double now, const SampleFn& on_sample,
                         const std::function<void(const std::string&, double)>& on_point,
                         const std::function<void(const std::string&)>& on_change) {
  if (now < next_) return;
  for (Zone& z : zones_) {
    bool changed = false;
    for (; z.next < z.change_points.size() && z.change_points[z.next] <= now; ++z.next) {
      const double t = z.change_points[z.next];
      const double intensity = z.timeline->at(t);
      for (size_t h : z.consumers) {
        on_sample(static_cast<uint32_t>(h), book_.sample(h, t));
        last_t_[h] = t;
        view_.hosts[h].intensity = intensity;
      }
      on_point(z.name, t);
      changed = changed || t > 0;
    }
    if (changed && on_change) on_change(z.name);
  }
  update_next();
}

void CarbonSampler::finish(double end_s, const SampleFn& on_sample) {
  for (size_t h = 0; h < last_t_.size(); ++h)
    if (last_t_[h] < end_s) {
      on_sample(static_cast<uint32_t>(h), book_.sample(h, end_s));
      last_t_[h] = end_s;
    }
}

}  // namespace ce
