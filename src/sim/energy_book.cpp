#include "sim/energy_book.hpp"

#include <simgrid/plugins/energy.h>

#include <algorithm>

namespace ce {

EnergyBook::EnergyBook(const PlatformSpec& spec, const BuiltPlatform& plat, RunResult& out) : plat_(plat), out_(out) {
  for (const auto& h : spec.hosts) hosts_.push_back({h.pstates.at(h.initial_pstate).idle_w, 0, 0, 0, 0});
  for (const auto& l : spec.links) links_.push_back({l.idle_w, 0});
}

EnergySample EnergyBook::sample(size_t c, double t) const {
  const size_t nh = hosts_.size();
  if (c < nh) {
    const HostBook& h = hosts_[c];
    const double extra = h.extra_j + h.extra_w * (t - h.t);
    return {t, sg_host_get_consumed_energy(plat_.hosts[c]) + extra, h.idle_j + h.idle_w * (t - h.t)};
  }
  const LinkBook& l = links_[c - nh];
  const double idle = l.idle_w * t;
  return {t, idle + l.dyn_done, idle};
}

void EnergyBook::host_state(uint32_t h, double now, double idle_w, double extra_w) {
  HostBook& x = hosts_[h];
  x.idle_j += x.idle_w * (now - x.t);
  x.extra_j += x.extra_w * (now - x.t);
  x.t = now;
  x.idle_w = idle_w;
  x.extra_w = extra_w;
}

void EnergyBook::link_charge(uint32_t l, double a, double b, double e) {
  links_[l].dyn_done += e;
  auto& samples = out_.consumers[hosts_.size() + l].samples;
  for (auto it = samples.rbegin(); it != samples.rend() && it->t > a; ++it)
    it->energy_j += b > a ? e * (std::min(it->t, b) - a) / (b - a) : e;
}

}  // namespace ce
