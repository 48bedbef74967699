#include "accounting/dynamic_meter.hpp"

#include "accounting/carbon_integral.hpp"

#include <algorithm>
#include <stdexcept>

namespace ce {

DynamicMeter::DynamicMeter(const HostSpec* host, const Timeline* tl, uint32_t pstate)
        // A host that never runs anything needs no power model (hand-built platforms in tests).
    : host_(host), tl_(tl), ps_(pstate < host->pstates.size() ? &host->pstates[pstate] : nullptr) {}

bool DynamicMeter::advance(double now, size_t running, DynamicCharge& share) {
  bool owed = false;
  if (now > last_ && running > 0 && on_) {
    if (ps_ == nullptr) throw std::out_of_range("DynamicMeter: the host has no such pstate");
    const double k = static_cast<double>(running);
    // HostSpec::power_w(p, k) − power_w(p, 0), the same arithmetic inline (this runs at every
    // stage start and end).
    const double load = std::min<double>(k, host_->cores) / host_->cores;
    const double per_task_w = (ps_->epsilon_w + load * (ps_->all_cores_w - ps_->epsilon_w) - ps_->idle_w) / k;
    const double dt = now - last_;
    share.energy_j = per_task_w * dt;
    share.carbon_g = per_task_w * tl_->integral(last_, now, &hint_) / kJoulesPerKWh;
    owed = true;
  }
  last_ = now;
  return owed;
}

bool DynamicMeter::advance_shared(double now, size_t running, DynamicCharge& per_watt) {
  bool owed = false;
  if (now > last_ && running > 0 && on_) {
    const double k = static_cast<double>(running);
    per_watt.energy_j = (now - last_) / k;
    per_watt.carbon_g = tl_->integral(last_, now, &hint_) / k / kJoulesPerKWh;
    owed = true;
  }
  last_ = now;
  return owed;
}

}  // namespace ce
