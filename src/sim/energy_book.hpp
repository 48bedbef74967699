#pragma once
// Cumulative energy of every consumer and its idle baseline (what it would have used doing
// nothing). Hosts: SimGrid's host-energy plugin, plus the power of the transition states SimGrid
// does not know (booting, shutting down, sleeping, waking: SimGrid sees the host off, at
// power_off, and the book adds the difference); the baseline is the idle power of the state a host
// is in. Links: carbonedge's own account, idle_w × t plus every transfer's (busy − idle) × bytes /
// bandwidth spread evenly over the transfer's data phase [start + route latency, end]
// (docs/outputs.md); SimGrid's link-energy plugin is not used (it charges the latency phase too).
#include <simgrid/s4u.hpp>

#include <vector>

#include "accounting/carbon_integral.hpp"
#include "config/platform_spec.hpp"
#include "sim/platform_builder.hpp"
#include "sim/run_result.hpp"

namespace ce {

class EnergyBook {
 public:
  EnergyBook(const PlatformSpec& spec, const BuiltPlatform& plat, RunResult& out);

  EnergySample sample(size_t c, double t) const;

  // Before a host changes state at `now`: from now on its baseline is `idle_w` and it draws
  // `extra_w` on top of what SimGrid charges (0 unless in a transition state).
  void host_state(uint32_t h, double now, double idle_w, double extra_w = 0);

  // A transfer whose data phase on link l was [a, b] (b = now) put `e` J of dynamic energy on it.
  // Samples already taken after a get their share back, so each interval holds what fell in it.
  void link_charge(uint32_t l, double a, double b, double e);

 private:
  struct HostBook {
    double idle_w = 0, idle_j = 0;    // baseline power now, baseline energy up to t
    double extra_w = 0, extra_j = 0;  // power SimGrid does not see, and its energy up to t
    double t = 0;
  };
  struct LinkBook {
    double idle_w, dyn_done;  // dyn_done: Σ dynamic energy of transfers that ended
  };
  const BuiltPlatform& plat_;
  RunResult& out_;
  std::vector<HostBook> hosts_;
  std::vector<LinkBook> links_;
};

}  // namespace ce
