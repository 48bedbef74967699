#include "accounting/dynamic_meter.hpp"

#include "accounting/carbon_integral.hpp"

namespace ce {

DynamicMeter::DynamicMeter(const HostSpec* host, const Timeline* tl, uint32_t pstate)
    : host_(host), tl_(tl), pstate_(pstate) {}

void DynamicMeter::advance(double now, std::vector<DynamicCharge*>& running) {
  if (now > last_ && !running.empty() && on_) {
    const double k = static_cast<double>(running.size());
    const double per_task_w = (host_->power_w(pstate_, k) - host_->power_w(pstate_, 0)) / k;
    const double dt = now - last_;
    const double e = per_task_w * dt;
    const double c = per_task_w * tl_->integral(last_, now, &hint_) / kJoulesPerKWh;
    for (DynamicCharge* d : running) {
      d->energy_j += e;
      d->carbon_g += c;
    }
  }
  last_ = now;
}

}  // namespace ce
