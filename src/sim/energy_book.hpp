#pragma once
// Cumulative energy of every host and its idle baseline (what it would have used doing nothing):
// SimGrid's host-energy plugin, plus the power of the transition states SimGrid does not know
// (booting, shutting down, sleeping, waking: SimGrid sees the host off, at power_off, and the book
// adds the difference); the baseline is the idle power of the state a host is in. Links are
// accounted by accounting/ from the transfers (run_accountant.hpp).
#include <simgrid/s4u.hpp>

#include <vector>

#include "records/energy_sample.hpp"
#include "config/platform_spec.hpp"
#include "sim/platform_builder.hpp"

namespace ce {

class EnergyBook {
 public:
  EnergyBook(const PlatformSpec& spec, const BuiltPlatform& plat);

  EnergySample sample(size_t host, double t) const;

  // Before a host changes state at `now`: from now on its baseline is `idle_w` and it draws
  // `extra_w` on top of what SimGrid charges (0 unless in a transition state).
  void host_state(uint32_t h, double now, double idle_w, double extra_w = 0);
  // From `now` on, the host's replicas (held in memory, being loaded) draw `w` on top: energy no
  // request caused, so it joins both the total and the idle baseline (and is kept apart as replica_j).
  void replica_power(uint32_t h, double now, double w);
  // From `now` on, an accelerator host's running batches draw `w` above its idle power (its SimGrid
  // host charges the mode's idle power only): dynamic energy, in the total, not in the baseline.
  void accelerator_power(uint32_t h, double now, double w);

 private:
  // A power that changes at known moments: w from t on, j the energy up to t.
  struct PowerTrack {
    double w = 0, j = 0, t = 0;
    void set(double now, double watts) {
      j += w * (now - t);
      t = now;
      w = watts;
    }
    double energy_at(double at) const { return j + w * (at - t); }
  };
  struct HostBook {
    double idle_w = 0, idle_j = 0;    // baseline power now, baseline energy up to t
    double extra_w = 0, extra_j = 0;  // power SimGrid does not see, and its energy up to t
    double t = 0;
    PowerTrack replicas;  // replicas held and loaded (total and baseline)
    PowerTrack batches;   // an accelerator's running batches above its idle power (total only)
  };
  const BuiltPlatform& plat_;
  std::vector<HostBook> hosts_;
};

}  // namespace ce
