#include "sim/energy_book.hpp"

#include <simgrid/plugins/energy.h>

#include <algorithm>

namespace ce {

EnergyBook::EnergyBook(const PlatformSpec& spec, const BuiltPlatform& plat) : plat_(plat) {
  for (const auto& h : spec.hosts) {
    HostBook b;
    b.idle_w = h.pstates.at(h.initial_pstate).idle_w;
    hosts_.push_back(b);
  }
}

EnergySample EnergyBook::sample(size_t host, double t) const {
  const HostBook& h = hosts_[host];
  const double extra = h.extra_j + h.extra_w * (t - h.t);
  const double replica = h.replicas.energy_at(t);
  const double batches = h.batches.energy_at(t);
  return {t, sg_host_get_consumed_energy(plat_.hosts[host]) + extra + replica + batches,
          h.idle_j + h.idle_w * (t - h.t) + replica, replica};
}

void EnergyBook::replica_power(uint32_t h, double now, double w) { hosts_[h].replicas.set(now, w); }

void EnergyBook::accelerator_power(uint32_t h, double now, double w) { hosts_[h].batches.set(now, w); }

void EnergyBook::host_state(uint32_t h, double now, double idle_w, double extra_w) {
  HostBook& x = hosts_[h];
  x.idle_j += x.idle_w * (now - x.t);
  x.extra_j += x.extra_w * (now - x.t);
  x.t = now;
  x.idle_w = idle_w;
  x.extra_w = extra_w;
}

}  // namespace ce
