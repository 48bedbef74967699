#include "accounting/resilience_tally.hpp"

#include <algorithm>
#include <cmath>

namespace ce {

ResilienceTally::ResilienceTally(const std::vector<std::string>& services) {
  for (const auto& s : services) services_.push_back(ServiceTally{s});
}

void ResilienceTally::set_reference_top1(const std::vector<double>& top1) {
  for (size_t s = 0; s < services_.size() && s < top1.size(); ++s) services_[s].ref_top1 = top1[s];
}

void ResilienceTally::host_fault(const HostFault& f) {
  if (f.down) {
    if (hosts_down_++ == 0) windows_.push_back({f.t, std::numeric_limits<double>::infinity()});
    for (ServiceTally& s : services_)
      if (s.last_host == f.host && std::isnan(s.hit_since)) s.hit_since = f.t;
  } else if (hosts_down_ > 0 && --hosts_down_ == 0) {
    windows_.back().second = f.t;
  }
}

bool ResilienceTally::during_failure(double t) const {
  // The last window that started at or before t.
  auto it = std::upper_bound(windows_.begin(), windows_.end(), t,
                             [](double x, const std::pair<double, double>& w) { return x < w.first; });
  return it != windows_.begin() && t < std::prev(it)->second;
}

void ResilienceTally::request_ended(uint32_t service, double arrival_s, RequestStatus status, double t,
                                    uint32_t last_host, double top1, bool late) {
  ServiceTally& s = services_[service];
  ++s.arrived;
  const bool during = !windows_.empty() && during_failure(arrival_s);
  if (during) ++during_arrived_;
  if (!std::isnan(s.hit_since) && arrival_s >= s.hit_since) s.first_after = std::min(s.first_after, arrival_s);
  if (status == RequestStatus::Completed) {
    ++s.completed;
    s.top1_sum += top1;
    if (s.ref_top1 > 0) {
      top1_all_ += top1;
      ref_all_ += s.ref_top1;
      if (during) {
        top1_during_ += top1;
        ref_during_ += s.ref_top1;
      }
    }
    if (!std::isnan(s.hit_since)) {
      s.mttr_s.push_back(t - s.hit_since);
      s.wait_s.push_back(std::isinf(s.first_after) ? 0.0 : s.first_after - s.hit_since);
      s.hit_since = std::numeric_limits<double>::quiet_NaN();
      s.first_after = std::numeric_limits<double>::infinity();
    }
    s.last_host = last_host;
    if (during && late) ++during_late_;
  } else {
    if (status == RequestStatus::Failed) ++s.failed;
    else ++s.rejected;
    if (during) ++during_lost_;
  }
}

void ResilienceTally::finish() {
  for (ServiceTally& s : services_)
    if (!std::isnan(s.hit_since)) {
      ++s.unrestored;
      s.hit_since = std::numeric_limits<double>::quiet_NaN();
      s.first_after = std::numeric_limits<double>::infinity();
    }
}

}  // namespace ce
