#pragma once
// Per-request share of a host's dynamic power (power above idle). While k stages run on a host,
// each is charged (P(k) − P_idle)/k, integrated exactly between the events that change k or the
// pstate. So Σ over requests of dynamic energy = host energy − idle energy, with no estimate.
#include <cstdint>
#include <vector>

#include "carbon/carbon_series.hpp"
#include "config/platform_spec.hpp"

namespace ce {

struct DynamicCharge {
  double energy_j = 0;
  double carbon_g = 0;
};

class DynamicMeter {
 public:
  DynamicMeter(const HostSpec* host, const Timeline* tl, uint32_t pstate);
  // Call at every event before changing the running set: each of the `running` tasks is owed
  // `share` since the last call (false, and nothing owed, when no time passed, none runs or the
  // host is off).
  bool advance(double now, size_t running, DynamicCharge& share);
  // An accelerator's units each draw their own power, shared over the `running` units: the same
  // advance, owing each unit per_watt × its power (per_watt = dt / running and ∫intensity / running).
  bool advance_shared(double now, size_t running, DynamicCharge& per_watt);
  void set_pstate(uint32_t p) { ps_ = &host_->pstates.at(p); }
  void set_on(bool on) { on_ = on; }

 private:
  const HostSpec* host_;
  const Timeline* tl_;
  const PstateSpec* ps_;  // the host's current pstate
  bool on_ = true;
  double last_ = 0;
  size_t hint_ = 0;  // interval of tl_ the last charge ended in
};

}  // namespace ce
