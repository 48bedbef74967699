#include "accounting/dynamic_meter.hpp"

#include "accounting/carbon_integral.hpp"

namespace ce {

DynamicMeter::DynamicMeter(const HostSpec* host, const Timeline* tl, uint32_t pstate)
    : host_(host), tl_(tl), pstate_(pstate) {}

bool DynamicMeter::advance(double now, size_t running, DynamicCharge& share) {
  bool owed = false;
  if (now > last_ && running > 0 && on_) {
    const double k = static_cast<double>(running);
    const double per_task_w = (host_->power_w(pstate_, k) - host_->power_w(pstate_, 0)) / k;
    const double dt = now - last_;
    share.energy_j = per_task_w * dt;
    share.carbon_g = per_task_w * tl_->integral(last_, now, &hint_) / kJoulesPerKWh;
    owed = true;
  }
  last_ = now;
  return owed;
}

}  // namespace ce
